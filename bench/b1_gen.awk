# Synthetic daily incidence for the Rt benchmarks B1 and B1-long.
#   awk -v areas=N -v days=D -f bench/b1_gen.awk > input.csv
# Writes area,t,cases: for each area one or two epidemic waves (Gaussian
# bumps with area-specific peak, size and width) on a small baseline, times
# multiplicative noise from a fixed linear congruential generator, so the
# same arguments always give the same file.  Long series (days > 1000) get a
# wave every ~300 days.
BEGIN {
	if (areas == "") areas = 1000
	if (days == "") days = 365
	seed = 12345
	print "area,t,cases"
	for (a = 1; a <= areas; a++) {
		base = 2 + (a * 7) % 20
		amp1 = 30 + (a * 911) % 3000
		amp2 = 10 + (a * 577) % 1500
		pk1 = 40 + (a * 37) % 150
		pk2 = 200 + (a * 53) % 120
		w1 = 12 + (a * 13) % 30
		w2 = 15 + (a * 17) % 35
		for (t = 1; t <= days; t++) {
			if (days > 1000) {
				ph = t % 300
				x = amp1 * exp(-((ph - 150) / w1) ^ 2 / 2)
			} else {
				x = amp1 * exp(-((t - pk1) / w1) ^ 2 / 2) + amp2 * exp(-((t - pk2) / w2) ^ 2 / 2)
			}
			seed = (seed * 1103515245 + 12345) % 2147483648
			u = seed / 2147483648
			c = int((base + x) * (0.8 + 0.4 * u) + 0.5)
			printf "A%04d,%d,%d\n", a, t, c
		}
	}
}
