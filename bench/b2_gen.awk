# Generates the B2 situation CSV: ROWS rows in the WHO daily layout
# (Date_reported,Country_code,Country,WHO_region,New_cases,Cumulative_cases,
# New_deaths,Cumulative_deaths), area by area and day by day from
# 1900-01-01 over the area codes read from the reference (areas.csv, XZ left
# out), with deterministic counts; and, when PEER is set, the same rows in
# the shape of epibridge's sitreps table for the sqlite3 peer (id,
# owner_org, visibility, area, day, the ten counts, transmission, flags,
# source, note, revision, created_at, updated_at, updated_by).  A count
# epibridge stores as NULL is an empty field, which sqlite3 .import stores
# as '' (it has no NULL).
#
#   awk -F, -v ROWS=10000000 -v PEER=peer.csv -f bench/b2_gen.awk data/reference/areas.csv > who.csv
BEGIN { n = 0 }
NR > 1 && $1 != "XZ" && $1 != "" { code[n++] = $1 }
# days since 1970-01-01 -> YYYY-MM-DD (H. Hinnant's civil_from_days)
function civil(z,    era, doe, yoe, y, doy, mp, d, m) {
  z += 719468
  era = int((z >= 0 ? z : z - 146096) / 146097)
  doe = z - era * 146097
  yoe = int((doe - int(doe / 1460) + int(doe / 36524) - int(doe / 146096)) / 365)
  y = yoe + era * 400
  doy = doe - (365 * yoe + int(yoe / 4) - int(yoe / 100))
  mp = int((5 * doy + 2) / 153)
  d = doy - int((153 * mp + 2) / 5) + 1
  m = mp < 10 ? mp + 3 : mp - 9
  return sprintf("%04d-%02d-%02d", y + (m <= 2), m, d)
}
END {
  if (n == 0) { print "b2_gen: no areas read" > "/dev/stderr"; exit 2 }
  days = int((ROWS + n - 1) / n)
  start = -25567 # 1900-01-01
  for (i = 0; i < days; i++) date[i] = civil(start + i)
  print "Date_reported,Country_code,Country,WHO_region,New_cases,Cumulative_cases,New_deaths,Cumulative_deaths"
  id = 0
  for (a = 0; a < n && id < ROWS; a++) {
    cum = 0; cumd = 0
    for (i = 0; i < days && id < ROWS; i++) {
      nc = (a * 7919 + i * 104729) % 1000
      nd = (a * 31 + i * 17) % 20
      cum += nc; cumd += nd
      printf "%sT00:00:00Z,%s,,,%d,%d,%d,%d\n", date[i], code[a], nc, cum, nd, cumd
      id++
      if (PEER != "")
        printf "%d,1,partners,%s,%s,%d,%d,,,%d,%d,,,,,,0,WHO COVID-19 global data,,1,1700000000000,1700000000000,cli:bench\n", id, code[a], date[i], nc, cum, nd, cumd > PEER
    }
  }
}
