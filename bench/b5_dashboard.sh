#!/bin/sh
# B5 (bench/run.sh runs bench/b*.sh): the dashboard's map and a country's
# chart in headless Chromium; the work is in bench/b5_dashboard.mjs.
set -eu
cd "$(dirname "$0")/.."
exec node bench/b5_dashboard.mjs "$@"
