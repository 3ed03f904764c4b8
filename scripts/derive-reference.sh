#!/bin/sh
# Builds data/reference/ -- the country and subdivision reference epibridge
# loads at run time -- from the public sources under $EB_SHARED/data
# (default: ../shared next to the repository).  Needs only sh and a POSIX
# awk (mawk, gawk or busybox awk); the outputs are committed, so a build
# never runs this.  Re-run it when a source is updated and review the diff.
#
#   sh scripts/derive-reference.sh
#
# Copies (unchanged): country-codes.csv, i18n-iso-countries_{en,zh}.json,
# world-atlas_countries-110m.json.
# Derived:
#   population_latest.csv  iso3,year,population,name: the latest non-empty
#                          World Bank year per ISO 3166-1 country (aggregates
#                          such as WLD dropped; Kosovo kept as XKX)
#   jhu_lookup.csv         the JHU UID lookup rows without Admin2 (no US
#                          counties), its columns uid,province,country,iso2,
#                          iso3,population, plus epibridge's mapping:
#                          area (ISO 3166-1 alpha-2 the counts belong to),
#                          level (country | subdivision | part) and
#                          subdivision (code when level=subdivision)
#   who_regions.csv        iso2,who_region,source: WHO's own WHO_region
#                          column where the area is in the WHO daily CSV,
#                          else the documented assignment below
#   areas.csv              iso2,iso3,numeric,name_en,name_zh,who_region,
#                          population,population_year
#   subdivisions.csv       code,parent_iso2,name_en,name_zh,population
#   area_names.csv         name,code: every English name variant (UN, CLDR,
#                          ISO, WHO, JHU) that identifies one area
# docs/formats-situation.md explains the choices.
set -eu
LC_ALL=C
export LC_ALL  # byte order for sort, byte semantics for awk

ROOT=$(cd "$(dirname "$0")/.." && pwd)
SHARED=${EB_SHARED:-$ROOT/../shared}
SRC=$SHARED/data/reference
WHO=$SHARED/data/covid19/who/WHO-COVID-19-global-data_2020-06-26.csv
UID=$SHARED/data/covid19/jhu/UID_ISO_FIPS_LookUp_Table.csv
OUT=$ROOT/data/reference
AWK=${AWK:-awk}

for f in "$SRC/country-codes.csv" "$SRC/i18n-iso-countries_en.json" \
	"$SRC/i18n-iso-countries_zh.json" "$SRC/world-atlas_countries-110m.json" \
	"$SRC/population.csv" "$WHO" "$UID"; do
	[ -r "$f" ] || { echo "derive-reference: cannot read $f" >&2; exit 1; }
done
mkdir -p "$OUT"
TMP=$(mktemp -d)
trap 'rm -rf "$TMP"' EXIT INT TERM

# --- shared awk functions ---------------------------------------------------
# csvsplit: one CSV line (no embedded line breaks in these sources) into f[].
# csvq: a value quoted for CSV output when needed.
cat > "$TMP/lib.awk" <<'EOF'
function csvsplit(line, f,    n, i, c, q, s, L) {
	sub(/\r$/, "", line)
	if (index(line, "\"") == 0)
		return split(line, f, ",")
	n = 0; s = ""; q = 0; L = length(line)
	for (i = 1; i <= L; i++) {
		c = substr(line, i, 1)
		if (q) {
			if (c == "\"") {
				if (substr(line, i + 1, 1) == "\"") { s = s "\""; i++ }
				else q = 0
			} else s = s c
		} else if (c == "\"") q = 1
		else if (c == ",") { f[++n] = s; s = "" }
		else s = s c
	}
	f[++n] = s
	return n
}
function csvq(s) {
	if (s ~ /[",\r\n]/ || s ~ /^[ \t]/ || s ~ /[ \t]$/) {
		gsub(/"/, "\"\"", s)
		return "\"" s "\""
	}
	return s
}
function trim(s) { sub(/^[ \t]+/, "", s); sub(/[ \t]+$/, "", s); return s }
EOF

# --- hand-maintained tables -------------------------------------------------
# Subdivisions with an ISO 3166-2 code: JHU province|JHU country|code|name_zh.
# English names are JHU's (Inner Mongolia, Tibet), the codes ISO 3166-2 as of
# 2017 (CN letter codes), the Chinese names the usual short forms.
cat > "$TMP/subdiv.txt" <<'EOF'
Anhui|China|CN-AH|安徽
Beijing|China|CN-BJ|北京
Chongqing|China|CN-CQ|重庆
Fujian|China|CN-FJ|福建
Gansu|China|CN-GS|甘肃
Guangdong|China|CN-GD|广东
Guangxi|China|CN-GX|广西
Guizhou|China|CN-GZ|贵州
Hainan|China|CN-HI|海南
Hebei|China|CN-HE|河北
Heilongjiang|China|CN-HL|黑龙江
Henan|China|CN-HA|河南
Hubei|China|CN-HB|湖北
Hunan|China|CN-HN|湖南
Inner Mongolia|China|CN-NM|内蒙古
Jiangsu|China|CN-JS|江苏
Jiangxi|China|CN-JX|江西
Jilin|China|CN-JL|吉林
Liaoning|China|CN-LN|辽宁
Ningxia|China|CN-NX|宁夏
Qinghai|China|CN-QH|青海
Shaanxi|China|CN-SN|陕西
Shandong|China|CN-SD|山东
Shanghai|China|CN-SH|上海
Shanxi|China|CN-SX|山西
Sichuan|China|CN-SC|四川
Tianjin|China|CN-TJ|天津
Tibet|China|CN-XZ|西藏
Xinjiang|China|CN-XJ|新疆
Yunnan|China|CN-YN|云南
Zhejiang|China|CN-ZJ|浙江
Australian Capital Territory|Australia|AU-ACT|澳大利亚首都领地
New South Wales|Australia|AU-NSW|新南威尔士州
Northern Territory|Australia|AU-NT|北领地
Queensland|Australia|AU-QLD|昆士兰州
South Australia|Australia|AU-SA|南澳大利亚州
Tasmania|Australia|AU-TAS|塔斯马尼亚州
Victoria|Australia|AU-VIC|维多利亚州
Western Australia|Australia|AU-WA|西澳大利亚州
Alberta|Canada|CA-AB|艾伯塔省
British Columbia|Canada|CA-BC|不列颠哥伦比亚省
Manitoba|Canada|CA-MB|马尼托巴省
New Brunswick|Canada|CA-NB|新不伦瑞克省
Newfoundland and Labrador|Canada|CA-NL|纽芬兰与拉布拉多省
Northwest Territories|Canada|CA-NT|西北地区
Nova Scotia|Canada|CA-NS|新斯科舍省
Nunavut|Canada|CA-NU|努纳武特地区
Ontario|Canada|CA-ON|安大略省
Prince Edward Island|Canada|CA-PE|爱德华王子岛省
Quebec|Canada|CA-QC|魁北克省
Saskatchewan|Canada|CA-SK|萨斯喀彻温省
Yukon|Canada|CA-YT|育空地区
EOF

# Time-series rows missing from this copy of the UID table, and the
# non-country rows: uid|province|country|iso2|iso3|population|area|level.
# "part" rows add to their area but have no code of their own.
cat > "$TMP/jhu_extra.txt" <<'EOF'
|Repatriated Travellers|Canada|CA|CAN||CA|part
||Korea, North|KP|PRK||KP|country
||Nauru|NR|NRU||NR|country
|Niue|New Zealand|NU|NIU||NU|country
||Tuvalu|TV|TUV||TV|country
|Pitcairn Islands|United Kingdom|PN|PCN||PN|country
EOF

# WHO regions of the areas absent from the WHO daily CSV (2020-06-26).
# WHO members and associate members by their WHO region; territories by the
# region of the member that administers them or of their geography; blank
# for places without a permanent population.
cat > "$TMP/who_extra.txt" <<'EOF'
AS|WPRO|assigned: US territory in the Western Pacific (WHO lists it in WPRO)
AX|EURO|assigned: part of Finland
CC|WPRO|assigned: Australian external territory
CK|WPRO|assigned: WHO member, Western Pacific Region
CX|WPRO|assigned: Australian external territory
EH|EMRO|assigned: mostly administered by Morocco (EMRO); not a WHO member
FM|WPRO|assigned: WHO member, Western Pacific Region
HK|WPRO|assigned: China (WPRO); WHO reported it within China in 2020
KI|WPRO|assigned: WHO member, Western Pacific Region
KP|SEARO|assigned: WHO member, South-East Asia Region
MH|WPRO|assigned: WHO member, Western Pacific Region
MO|WPRO|assigned: China (WPRO); WHO reported it within China in 2020
NF|WPRO|assigned: Australian external territory
NR|WPRO|assigned: WHO member, Western Pacific Region
NU|WPRO|assigned: WHO member, Western Pacific Region
PN|WPRO|assigned: UK territory in the Pacific (WHO lists it in WPRO)
PW|WPRO|assigned: WHO member, Western Pacific Region
SB|WPRO|assigned: WHO member, Western Pacific Region
SH|AFRO|assigned: South Atlantic, as WHO's later dashboard lists it
SJ|EURO|assigned: part of Norway
TK|WPRO|assigned: WHO associate member, Western Pacific Region
TM|EURO|assigned: WHO member, European Region
TO|WPRO|assigned: WHO member, Western Pacific Region
TV|WPRO|assigned: WHO member, Western Pacific Region
TW|WPRO|assigned: China (WPRO); WHO reported it within China in 2020
VU|WPRO|assigned: WHO member, Western Pacific Region
WF|WPRO|assigned: French territory in the Pacific (WHO lists it in WPRO)
WS|WPRO|assigned: WHO member, Western Pacific Region
AQ||none: no permanent population
BV||none: no permanent population
GS||none: no permanent population
HM||none: no permanent population
IO||none: no permanent population
TF||none: no permanent population
UM||none: no permanent population
XZ||none: international conveyance, as WHO leaves it blank
EOF

# --- 1. copies --------------------------------------------------------------
for f in country-codes.csv i18n-iso-countries_en.json \
	i18n-iso-countries_zh.json world-atlas_countries-110m.json; do
	rm -f "$OUT/$f"
	cat "$SRC/$f" > "$OUT/$f"
done

# --- 2. population_latest.csv -----------------------------------------------
cat "$TMP/lib.awk" - > "$TMP/pop.awk" <<'EOF'
FNR == 1 { next }
FILENAME == CC { n = csvsplit($0, f); iso3[f[3]] = 1; next }
{
	n = csvsplit($0, f)
	code = f[2]; year = f[3] + 0; v = f[4]
	if (!(code in iso3) && code != "XKX") next
	if (v == "") next
	if (!(code in best) || year > best[code]) {
		best[code] = year; val[code] = v; name[code] = f[1]
	}
}
END {
	print "iso3,year,population,name"
	for (c in best) print c "," best[c] "," val[c] "," csvq(name[c]) | "sort"
}
EOF
$AWK -v CC="$OUT/country-codes.csv" -f "$TMP/pop.awk" \
	"$OUT/country-codes.csv" "$SRC/population.csv" > "$TMP/pop.csv"
{ head -n 1 "$TMP/pop.csv"; tail -n +2 "$TMP/pop.csv"; } > "$OUT/population_latest.csv"
# (END's sort runs after the header line has been printed)
grep -q '^iso3,' "$OUT/population_latest.csv" || { echo "population: bad header" >&2; exit 1; }

# --- 3. jhu_lookup.csv ------------------------------------------------------
cat "$TMP/lib.awk" - > "$TMP/jhu.awk" <<'EOF'
BEGIN { FS = "\n" }
FILENAME == SUB { split($0, s, "|"); sd[s[1] "|" s[2]] = s[3]; next }
FILENAME == EXTRA { extra[++ne] = $0; next }
FNR == 1 { next }
{
	n = csvsplit($0, f)
	# UID,iso2,iso3,code3,FIPS,Admin2,Province_State,Country_Region,Lat,Long_,Combined_Key,Population
	if (f[6] != "") next
	uid = f[1]; iso2 = f[2]; iso3 = f[3]; prov = f[7]; ctry = f[8]; pop = f[12]
	key = prov "|" ctry
	if (prov == "") {
		area = iso2; level = "country"; code = ""
		if (ctry == "Diamond Princess" || ctry == "MS Zaandam") area = "XZ"
	} else if (key in sd) {
		area = iso2; level = "subdivision"; code = sd[key]
	} else if (uid == f[4] + 0 && f[4] != "") {
		# a territory listed under its sovereign: its own ISO 3166-1 area
		area = iso2; level = "country"; code = ""
	} else {
		area = iso2; level = "part"; code = ""
	}
	print uid "," csvq(prov) "," csvq(ctry) "," iso2 "," iso3 "," pop "," area "," level "," code
	seen[key] = 1
}
END {
	for (i = 1; i <= ne; i++) {
		split(extra[i], e, "|")
		if ((e[2] "|" e[3]) in seen) continue
		print e[1] "," csvq(e[2]) "," csvq(e[3]) "," e[4] "," e[5] "," e[6] "," e[7] "," e[8] ","
	}
}
EOF
{
	echo "uid,province,country,iso2,iso3,population,area,level,subdivision"
	$AWK -v SUB="$TMP/subdiv.txt" -v EXTRA="$TMP/jhu_extra.txt" -f "$TMP/jhu.awk" \
		"$TMP/subdiv.txt" "$TMP/jhu_extra.txt" "$UID"
} > "$OUT/jhu_lookup.csv"

# --- 4. who_regions.csv -----------------------------------------------------
cat "$TMP/lib.awk" - > "$TMP/whor.awk" <<'EOF'
FILENAME == EXTRA { split($0, e, "|"); xr[e[1]] = e[2]; xs[e[1]] = e[3]; next }
FNR == 1 { next }
{
	n = csvsplit($0, f)
	code = f[2]; reg = f[4]
	if (code !~ /^[A-Z][A-Z]$/ || reg == "") next
	if ((code in r) && r[code] != reg) { print "WHO region conflict for " code > "/dev/stderr"; exit 1 }
	r[code] = reg
}
END {
	print "iso2,who_region,source"
	for (c in r) print c "," r[c] ",WHO daily CSV" | "sort"
	close("sort")
	for (c in xr) if (!(c in r)) print c "," xr[c] "," csvq(xs[c]) | "sort"
	close("sort")
}
EOF
$AWK -v EXTRA="$TMP/who_extra.txt" -f "$TMP/whor.awk" "$TMP/who_extra.txt" "$WHO" > "$OUT/who_regions.csv"

# --- 5. areas.csv and area_names.csv ----------------------------------------
# i18n JSON: one "XX": "name" or "XX": ["name", ...] per line.
cat > "$TMP/i18n.awk" <<'EOF'
/^[ \t]*"[A-Z][A-Z]":/ {
	line = $0
	sub(/^[ \t]*"/, "", line)
	code = substr(line, 1, 2)
	line = substr(line, 5)
	n = 0
	while (match(line, /"[^"]*"/)) {
		print code "\t" (n++) "\t" substr(line, RSTART + 1, RLENGTH - 2)
		line = substr(line, RSTART + RLENGTH)
	}
}
EOF
$AWK -f "$TMP/i18n.awk" "$OUT/i18n-iso-countries_en.json" > "$TMP/en.tsv"
$AWK -f "$TMP/i18n.awk" "$OUT/i18n-iso-countries_zh.json" > "$TMP/zh.tsv"

cat "$TMP/lib.awk" - > "$TMP/areas.awk" <<'EOF'
BEGIN { OFS = "," }
FILENAME == EN { split($0, t, "\t"); if (t[2] == 0) en0[t[1]] = t[3]; env[t[1], t[2]] = t[3]; enn[t[1]] = t[2] + 1; next }
FILENAME == ZH { split($0, t, "\t"); if (t[2] == 0) zh[t[1]] = t[3]; next }
FILENAME == POP { if (FNR > 1) { csvsplit($0, f); py[f[1]] = f[2]; pv[f[1]] = f[3] } next }
FILENAME == REG { if (FNR > 1) { csvsplit($0, f); reg[f[1]] = f[2] } next }
FILENAME == JHU {
	if (FNR == 1) next
	csvsplit($0, f)
	# uid,province,country,iso2,iso3,population,area,level,subdivision
	if (f[8] != "country" || f[7] == "") next
	if (f[6] != "" && !(f[7] in jpop)) jpop[f[7]] = f[6]
	jn[++njn] = f[2] != "" ? f[2] : f[3]; jc[njn] = f[7]
	next
}
FILENAME == WHO {
	if (FNR == 1) next
	csvsplit($0, f)
	if (f[2] ~ /^[A-Z][A-Z]$/ && !((f[2], f[3]) in wseen)) {
		wseen[f[2], f[3]] = 1; wn[++nwn] = f[3]; wc[nwn] = f[2]
	}
	next
}
FNR == 1 { next }
{
	# country-codes.csv
	n = csvsplit($0, f)
	iso2 = f[10]; if (iso2 == "") next
	order[++na] = iso2
	iso3[iso2] = f[3]; num[iso2] = f[6]
	off[iso2] = f[41]; cldr[iso2] = f[54]; unen[iso2] = f[21]; unfen[iso2] = f[39]
	uncn[iso2] = f[40]
}
# A name variant: the first tier to use it wins; two areas in one tier make
# it ambiguous, and it is dropped.
function addname(nm, code, tier,   k) {
	nm = trim(nm)
	if (nm == "") return
	k = tolower(nm)
	if (k in ncode) {
		if (ncode[k] != code && ntier[k] == tier) amb[k] = 1
		return
	}
	ncode[k] = code; nstr[k] = nm; ntier[k] = tier; norder[++nn] = k
}
function pad3(s) { while (length(s) < 3 && s != "") s = "0" s; return s }
END {
	# the two areas not in ISO 3166-1 proper
	order[++na] = "XK"; iso3["XK"] = "XKX"; num["XK"] = ""; off["XK"] = "Kosovo"
	order[++na] = "XZ"; iso3["XZ"] = ""; num["XZ"] = ""; off["XZ"] = "International conveyance"
	zh["XZ"] = "国际交通工具"
	# documented overrides (see docs/formats-situation.md)
	off["TW"] = "Taiwan, Province of China"
	zh["HK"] = "中国香港"; zh["MO"] = "中国澳门"; zh["EH"] = uncn["EH"]

	print "iso2,iso3,numeric,name_en,name_zh,who_region,population,population_year" > AREAS
	for (i = 1; i <= na; i++) {
		c = order[i]
		name = off[c] != "" ? off[c] : (cldr[c] != "" ? cldr[c] : en0[c])
		zname = zh[c] != "" ? zh[c] : uncn[c]
		if (name == "" || zname == "") { print "no name for " c > "/dev/stderr"; exit 1 }
		if (!(c in reg)) { print "no WHO region decision for " c > "/dev/stderr"; exit 1 }
		p = ""; y = ""
		if (iso3[c] in pv) { p = pv[iso3[c]]; y = py[iso3[c]] }
		else if (c in jpop) { p = jpop[c]; y = "2020" }
		print c, iso3[c], pad3(num[c]), csvq(name), csvq(zname), reg[c], p, y > AREAS
		names[c] = name
	}
	# name variants, most authoritative first: the name above; UN (short
	# and formal) and CLDR; ISO (i18n-iso-countries); WHO's and JHU's
	# spellings as they appear in their files.
	for (i = 1; i <= na; i++) addname(names[order[i]], order[i], 1)
	for (i = 1; i <= na; i++) {
		c = order[i]; addname(unen[c], c, 2); addname(unfen[c], c, 2); addname(cldr[c], c, 2)
	}
	for (i = 1; i <= na; i++) { c = order[i]; for (j = 0; j < enn[c]; j++) addname(env[c, j], c, 3) }
	for (i = 1; i <= nwn; i++) addname(wn[i], wc[i], 4)
	for (i = 1; i <= njn; i++) addname(jn[i], jc[i], 5)
	print "name,code" > NAMES
	for (i = 1; i <= nn; i++) {
		k = norder[i]
		if (k in amb) { print "ambiguous name dropped: " nstr[k] > "/dev/stderr"; continue }
		print csvq(nstr[k]), ncode[k] > NAMES
	}
}
EOF
$AWK -v EN="$TMP/en.tsv" -v ZH="$TMP/zh.tsv" -v POP="$OUT/population_latest.csv" \
	-v REG="$OUT/who_regions.csv" -v JHU="$OUT/jhu_lookup.csv" -v WHO="$WHO" \
	-v AREAS="$OUT/areas.csv" -v NAMES="$TMP/names.csv" \
	-f "$TMP/areas.awk" "$TMP/en.tsv" "$TMP/zh.tsv" "$OUT/population_latest.csv" \
	"$OUT/who_regions.csv" "$OUT/jhu_lookup.csv" "$WHO" "$OUT/country-codes.csv"
cp "$TMP/names.csv" "$OUT/area_names.csv"

# --- 6. subdivisions.csv ----------------------------------------------------
cat "$TMP/lib.awk" - > "$TMP/sub.awk" <<'EOF'
FILENAME == JHU {
	if (FNR == 1) next
	csvsplit($0, f)
	if (f[8] == "subdivision") { pop[f[9]] = f[6]; par[f[9]] = f[7] }
	next
}
{
	split($0, s, "|")
	if (!(s[3] in par)) { print "subdivision " s[3] " not in the JHU lookup" > "/dev/stderr"; exit 1 }
	print s[3] "," par[s[3]] "," csvq(s[1]) "," csvq(s[4]) "," pop[s[3]]
}
EOF
{
	echo "code,parent_iso2,name_en,name_zh,population"
	$AWK -v JHU="$OUT/jhu_lookup.csv" -f "$TMP/sub.awk" "$OUT/jhu_lookup.csv" "$TMP/subdiv.txt"
} > "$OUT/subdivisions.csv"

echo "derive-reference: $(($(wc -l < "$OUT/areas.csv") - 1)) areas," \
	"$(($(wc -l < "$OUT/subdivisions.csv") - 1)) subdivisions," \
	"$(($(wc -l < "$OUT/area_names.csv") - 1)) names in $OUT"
