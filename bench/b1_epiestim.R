# Peer side of benchmarks B1 / B1-long: EpiEstim 2.2-4 estimate_R, one call
# per area, on the same CSV that `epibridge rt` reads, then the agreement
# check against epibridge's output.
#
#   Rscript bench/b1_epiestim.R INPUT.csv EPIBRIDGE_OUTPUT.csv MEAN_SI SD_SI
#
# Timed: make_config + estimate_R for every area (parametric SI, EpiEstim's
# default weekly windows t_start = 2:(T-6)); reading the CSV and comparing
# are not timed.  Prints KEY=VALUE lines:
#   EPIESTIM_SECONDS  elapsed seconds of the timed loop
#   EPIESTIM_CPU      CPU seconds (user + system) of the timed loop
#   AREAS, ROWS       areas and windows compared
#   MAX_REL_MOMENT    largest relative difference of mean and std
#   MAX_REL_QUANTILE  largest relative difference of the seven quantiles
#   NA_MISMATCH       values NA in one output and not in the other
#   MISSING_ROWS      windows present in one output only
suppressPackageStartupMessages(library(EpiEstim))
args <- commandArgs(trailingOnly = TRUE)
if (length(args) != 4) stop("usage: b1_epiestim.R INPUT EPIBRIDGE_OUTPUT MEAN_SI SD_SI")
mean_si <- as.numeric(args[3]); sd_si <- as.numeric(args[4])

inp <- read.csv(args[1], colClasses = c("character", "integer", "numeric"))
areas <- unique(inp$area)
series <- split(inp$cases, factor(inp$area, levels = areas))

res <- vector("list", length(areas))
p0 <- proc.time()
t0 <- p0[["elapsed"]]
for (i in seq_along(areas)) {
  I <- series[[i]]
  res[[i]] <- suppressWarnings(suppressMessages(estimate_R(
    I, method = "parametric_si",
    config = make_config(incid = I, method = "parametric_si",
                         list(mean_si = mean_si, std_si = sd_si))))$R)
}
p1 <- proc.time()
elapsed <- p1[["elapsed"]] - t0
cpu <- (p1[["user.self"]] - p0[["user.self"]]) + (p1[["sys.self"]] - p0[["sys.self"]])

cols <- c("Mean(R)", "Std(R)", "Quantile.0.025(R)", "Quantile.0.05(R)",
          "Quantile.0.25(R)", "Median(R)", "Quantile.0.75(R)",
          "Quantile.0.95(R)", "Quantile.0.975(R)")
ours <- c("mean", "std", "q0025", "q005", "q025", "median", "q075", "q095", "q0975")
ee <- do.call(rbind, lapply(seq_along(areas), function(i)
  data.frame(area = areas[i], t_start = res[[i]]$t_start, res[[i]][, cols],
             check.names = FALSE)))
eb <- read.csv(args[2], colClasses = c(area = "character"), na.strings = "NA")
# the CLI reports t as in the input; the generator's t starts at 1 like EpiEstim's
key_ee <- paste(ee$area, ee$t_start); key_eb <- paste(eb$area, eb$t_start)
m <- match(key_ee, key_eb)
missing <- sum(is.na(m)) + (nrow(eb) - sum(!is.na(m)))
reld <- function(a, b) ifelse(is.na(a) & is.na(b), 0,
                              ifelse(a == b, 0, abs(a - b) / pmax(abs(a), abs(b))))
mm <- 0; mq <- 0; nam <- 0
ok <- !is.na(m)
for (j in seq_along(cols)) {
  a <- ee[[cols[j]]][ok]; b <- eb[[ours[j]]][m[ok]]
  nam <- nam + sum(is.na(a) != is.na(b))
  d <- reld(a, b); d <- max(c(0, d[!is.na(d)]))
  if (j <= 2) mm <- max(mm, d) else mq <- max(mq, d)
}
cat(sprintf("EPIESTIM_CPU=%.3f\n", cpu))
cat(sprintf("EPIESTIM_SECONDS=%.3f\nAREAS=%d\nROWS=%d\nMAX_REL_MOMENT=%.3g\nMAX_REL_QUANTILE=%.3g\nNA_MISMATCH=%d\nMISSING_ROWS=%d\n",
            elapsed, length(areas), sum(ok), mm, mq, as.integer(nam), as.integer(missing)))
