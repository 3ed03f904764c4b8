#!/bin/sh
# Installs the Debian packages epibridge needs, when they are missing.
#   install-deps.sh [run|check|bench]
#     run    build and run the server and its dashboard (default)
#     check  also what the test suite needs (PostgreSQL 15, Chromium with CJK fonts, clang, Node.js)
#     bench  also the benchmark peers (nginx, wrk, R with EpiEstim)
# As root it runs apt-get; otherwise it prints the command to run and fails.
set -eu
mode=${1:-run}
pkgs="gcc make pkg-config libmicrohttpd-dev libjansson-dev libsqlite3-dev libpq-dev
libsodium-dev libxml2-dev libcurl4-openssl-dev libcmocka-dev sqlite3 libxml2-utils ca-certificates
nodejs npm"  # npm installs the dashboard's map and chart libraries (scripts/web-assets.sh)
case "$mode" in
  run) ;;
  check) pkgs="$pkgs postgresql postgresql-client chromium fonts-noto-cjk clang libclang-rt-14-dev llvm nodejs npm curl procps" ;;
  bench) pkgs="$pkgs postgresql postgresql-client nginx wrk r-cran-epiestim r-cran-incidence hyperfine curl procps nodejs npm" ;;
  *) echo "usage: $0 [run|check|bench]" >&2; exit 2 ;;
esac
missing=""
for p in $pkgs; do
  # node and npm may come from outside Debian (nodesource, nvm): accept those.
  case "$p" in
    nodejs) command -v node >/dev/null 2>&1 && continue ;;
    npm) command -v npm >/dev/null 2>&1 && continue ;;
  esac
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "epibridge needs these Debian packages:$missing" >&2
  echo "install them with:  sudo apt-get update && sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing:$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
# shellcheck disable=SC2086
apt-get install -y -qq --no-install-recommends $missing >/dev/null
