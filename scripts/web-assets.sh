#!/bin/sh
# Puts the browser libraries of the web dashboard into web/vendor/.
#
#   scripts/web-assets.sh
#
# 1. Installs the npm packages of package-lock.json (npm ci) when
#    node_modules is missing or older than package-lock.json.
# 2. Copies the files the browser loads from node_modules into web/vendor/
#    (git-ignored), following the list below.
# 3. Copies the repository's data files the browser loads (the world map's
#    TopoJSON, attribution in data/reference/SOURCE.txt) the same way.
#
# To add a library: `npm install --save-dev <pkg>`, then add a line below
# naming the file under node_modules and where it goes under web/vendor/;
# pages load it as /vendor/<dest>.  Copy ES modules (or a UMD/IIFE build
# the page loads with a <script type="module"> wrapper), their CSS and any
# files they fetch at run time (fonts, sprites, worker scripts).
set -eu
cd "$(dirname "$0")/.."

# <path under node_modules>                      <path under web/vendor>
ASSETS='
d3-array/dist/d3-array.min.js                    d3/d3-array.min.js
d3-geo/dist/d3-geo.min.js                        d3/d3-geo.min.js
topojson-client/dist/topojson-client.min.js      topojson-client/topojson-client.min.js
uplot/dist/uPlot.iife.min.js                     uplot/uPlot.iife.min.js
uplot/dist/uPlot.min.css                         uplot/uPlot.min.css
'
# Files of this repository the browser loads, copied the same way.
# <path under data/>                             <path under web/vendor>
DATA='
reference/world-atlas_countries-110m.json        world-atlas/countries-110m.json
'

wanted=$(printf '%s\n' "$ASSETS" | grep -cv '^[[:space:]]*$' || true)

# node_modules/.package-lock.json is written by npm at every install: it is
# the stamp of the installed tree.
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  if ! command -v npm >/dev/null 2>&1; then
    if [ "$wanted" -eq 0 ]; then
      echo "web-assets: npm not found; no browser library to copy, skipping" >&2
      exit 0
    fi
    echo "web-assets: npm is needed (sh scripts/install-deps.sh check installs it)" >&2
    exit 1
  fi
  echo "web-assets: npm ci"
  npm ci --no-audit --no-fund
  touch "$stamp"
fi

mkdir -p web/vendor
printf '%s\n' "$ASSETS" | while read -r src dest; do
  [ -n "$src" ] || continue
  case "$src" in '#'*) continue ;; esac
  if [ ! -f "node_modules/$src" ]; then
    echo "web-assets: node_modules/$src is missing (is the package in package.json?)" >&2
    exit 1
  fi
  mkdir -p "web/vendor/$(dirname "$dest")"
  # Copy only when changed, so that the server's ETags stay put.
  if ! cmp -s "node_modules/$src" "web/vendor/$dest"; then
    cp "node_modules/$src" "web/vendor/$dest"
    echo "web-assets: web/vendor/$dest"
  fi
done

printf '%s\n' "$DATA" | while read -r src dest; do
  [ -n "$src" ] || continue
  mkdir -p "web/vendor/$(dirname "$dest")"
  if ! cmp -s "data/$src" "web/vendor/$dest"; then
    cp "data/$src" "web/vendor/$dest"
    echo "web-assets: web/vendor/$dest"
  fi
done
