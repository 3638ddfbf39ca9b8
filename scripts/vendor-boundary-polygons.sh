#!/usr/bin/env bash
# vendor-boundary-polygons.sh copies the us-atlas TopoJSON polygons (states
# and counties, 1:10m, unprojected lon/lat) that the Territories page lets a
# manager click to build a territory (issue 8), into
# internal/web/static/vendor/boundaries/:
#
#   us-states-10m.topo.json    states, with FIPS ids and names
#   us-counties-10m.topo.json  counties (and states, nation), FIPS ids, names
#
# TopoJSON is kept as it is (the page decodes it itself, about 40 lines): its
# shared arcs give neighbouring counties exactly the same edge, which is what
# makes their union on the server clean. The licence is the one
# vendor-web.sh already writes (LICENSE-us-atlas).
#
# Needs npm; reaches only the npm registry.
set -euo pipefail

US_ATLAS_VERSION=3.0.1 # ISC; data: US Census Bureau cartographic boundaries, public domain

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/internal/web/static/vendor/boundaries"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
tgz="$(npm --loglevel=error --no-audit --no-fund pack --silent "us-atlas@$US_ATLAS_VERSION" | tail -n 1)"
mkdir pkg
tar -xzf "$tgz" -C pkg --strip-components=1
cp pkg/states-10m.json "$out/us-states-10m.topo.json"
cp pkg/counties-10m.json "$out/us-counties-10m.topo.json"
ls -l "$out"/*.topo.json
