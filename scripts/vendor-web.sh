#!/usr/bin/env bash
# vendor-web.sh refreshes the third-party files the web UI embeds, under
# internal/web/static/vendor/, from pinned npm packages:
#
#   maplibre-gl/   MapLibre GL JS, the CSP build (no eval, no blob workers):
#                  maplibre-gl-csp.js, maplibre-gl-csp-worker.js,
#                  maplibre-gl.css, LICENSE.txt
#   pmtiles/       the PMTiles reader (IIFE build, global `pmtiles`; fflate is
#                  bundled in it), LICENSE
#   boundaries/    the offline basemap, as GeoJSON converted at vendoring time
#                  from TopoJSON (so the browser needs no TopoJSON library):
#                    land.json             world land, 1:110m (world-atlas)
#                    countries.json        country borders, 1:110m (lines)
#                    countries-50m.json    country borders, 1:50m (lines)
#                    us-states.json        US state borders, 1:10m (lines)
#                    us-counties.json      US county borders, 1:10m, simplified
#                  with LICENSE-world-atlas and LICENSE-us-atlas
#
# To update: bump a version below, run the script, update the versions in
# docs/dependencies.md, check the map page, and commit the result (the
# vendored files are part of the repository: builds need no network).
#
# Needs node and npm; reaches only the npm registry. Nothing is installed
# outside a temporary directory.
set -euo pipefail

MAPLIBRE_VERSION=5.24.1        # BSD-3-Clause
PMTILES_VERSION=4.5.0          # BSD-3-Clause (bundles fflate, MIT)
WORLD_ATLAS_VERSION=2.0.2      # ISC; data: Natural Earth, public domain
US_ATLAS_VERSION=3.0.1         # ISC; data: US Census Bureau cartographic boundaries, public domain
TOPOJSON_CLIENT_VERSION=3.1.0  # ISC; vendoring time only
TOPOJSON_SIMPLIFY_VERSION=3.0.3 # ISC; vendoring time only

root="$(cd "$(dirname "$0")/.." && pwd)"
out="$root/internal/web/static/vendor"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

cd "$tmp"
npm_q() { npm --loglevel=error --no-audit --no-fund "$@"; }

# The packages whose files are shipped: npm pack, then unpack each.
for spec in "maplibre-gl@$MAPLIBRE_VERSION" "pmtiles@$PMTILES_VERSION" \
  "world-atlas@$WORLD_ATLAS_VERSION" "us-atlas@$US_ATLAS_VERSION"; do
  name="${spec%@*}"
  tgz="$(npm_q pack --silent "$spec" | tail -n 1)"
  mkdir -p "pkg/$name"
  tar -xzf "$tgz" -C "pkg/$name" --strip-components=1
  got="$(node -p "require('./pkg/$name/package.json').version")"
  if [ "$got" != "${spec##*@}" ]; then
    echo "vendor-web: $spec unpacked as version $got" >&2
    exit 1
  fi
done

# The converter's libraries, used here only.
mkdir tools
(cd tools && npm init -y >/dev/null && npm_q install --ignore-scripts --no-save \
  "topojson-client@$TOPOJSON_CLIENT_VERSION" "topojson-simplify@$TOPOJSON_SIMPLIFY_VERSION" >/dev/null)

rm -rf "$out/maplibre-gl" "$out/pmtiles" "$out/boundaries"
mkdir -p "$out/maplibre-gl" "$out/pmtiles" "$out/boundaries"

ml="pkg/maplibre-gl/dist"
cp "$ml/maplibre-gl-csp.js" "$ml/maplibre-gl-csp-worker.js" "$ml/maplibre-gl.css" "$out/maplibre-gl/"
cp pkg/maplibre-gl/LICENSE.txt "$out/maplibre-gl/LICENSE.txt"
# The source map comments point at files not shipped: drop them so browsers
# do not ask for them.
for f in "$out"/maplibre-gl/*.js; do
  sed -i -e '/^\/\/# sourceMappingURL=/d' "$f"
done

cp pkg/pmtiles/dist/pmtiles.js "$out/pmtiles/pmtiles.js"
sed -i -e '/^\/\/# sourceMappingURL=/d' "$out/pmtiles/pmtiles.js"
# The npm package ships no licence file; this is the repository's.
cat >"$out/pmtiles/LICENSE" <<'EOF'
pmtiles (npm package, https://github.com/protomaps/PMTiles), BSD-3-Clause.
pmtiles.js bundles fflate (https://github.com/101arrowz/fflate), MIT,
Copyright (c) 2023 Arjun Barrett.

---

Copyright 2021 Protomaps LLC

Redistribution and use in source and binary forms, with or without modification, are permitted provided that the following conditions are met:

1. Redistributions of source code must retain the above copyright notice, this list of conditions and the following disclaimer.

2. Redistributions in binary form must reproduce the above copyright notice, this list of conditions and the following disclaimer in the documentation and/or other materials provided with the distribution.

3. Neither the name of the copyright holder nor the names of its contributors may be used to endorse or promote products derived from this software without specific prior written permission.

THIS SOFTWARE IS PROVIDED BY THE COPYRIGHT HOLDERS AND CONTRIBUTORS "AS IS" AND ANY EXPRESS OR IMPLIED WARRANTIES, INCLUDING, BUT NOT LIMITED TO, THE IMPLIED WARRANTIES OF MERCHANTABILITY AND FITNESS FOR A PARTICULAR PURPOSE ARE DISCLAIMED. IN NO EVENT SHALL THE COPYRIGHT HOLDER OR CONTRIBUTORS BE LIABLE FOR ANY DIRECT, INDIRECT, INCIDENTAL, SPECIAL, EXEMPLARY, OR CONSEQUENTIAL DAMAGES (INCLUDING, BUT NOT LIMITED TO, PROCUREMENT OF SUBSTITUTE GOODS OR SERVICES; LOSS OF USE, DATA, OR PROFITS; OR BUSINESS INTERRUPTION) HOWEVER CAUSED AND ON ANY THEORY OF LIABILITY, WHETHER IN CONTRACT, STRICT LIABILITY, OR TORT (INCLUDING NEGLIGENCE OR OTHERWISE) ARISING IN ANY WAY OUT OF THE USE OF THIS SOFTWARE, EVEN IF ADVISED OF THE POSSIBILITY OF SUCH DAMAGE.
EOF

{ echo "world-atlas $WORLD_ATLAS_VERSION (https://github.com/topojson/world-atlas), ISC."
  echo "Data: Natural Earth (https://www.naturalearthdata.com/), public domain."
  echo; echo "---"; echo; cat pkg/world-atlas/LICENSE; } >"$out/boundaries/LICENSE-world-atlas"
{ echo "us-atlas $US_ATLAS_VERSION (https://github.com/topojson/us-atlas), ISC."
  echo "Data: US Census Bureau cartographic boundary files, public domain."
  echo; echo "---"; echo; cat pkg/us-atlas/LICENSE; } >"$out/boundaries/LICENSE-us-atlas"

cat >convert.cjs <<'EOF'
// Converts the atlases' TopoJSON into the small GeoJSON files of the
// offline basemap. Borders are meshes (each shared edge once, as lines),
// which are smaller than polygons and what a basemap draws anyway.
const fs = require('node:fs');
const path = require('node:path');
const topojson = require('./tools/node_modules/topojson-client');
const simplify = require('./tools/node_modules/topojson-simplify');

const [out] = process.argv.slice(2);
const read = (f) => JSON.parse(fs.readFileSync(f, 'utf8'));

// Rounds every coordinate to `digits` decimals and drops repeated points.
function round(geojson, digits) {
  const f = 10 ** digits;
  const r = (c) => [Math.round(c[0] * f) / f, Math.round(c[1] * f) / f];
  const line = (cs) => {
    const outl = [];
    for (const c of cs) {
      const p = r(c);
      const last = outl[outl.length - 1];
      if (!last || last[0] !== p[0] || last[1] !== p[1]) outl.push(p);
    }
    return outl;
  };
  const geom = (g) => {
    if (!g) return g;
    switch (g.type) {
      case 'Point': return { type: g.type, coordinates: r(g.coordinates) };
      case 'LineString': return { type: g.type, coordinates: line(g.coordinates) };
      case 'MultiLineString':
      case 'Polygon':
        return { type: g.type, coordinates: g.coordinates.map(line).filter((l) => l.length > 1) };
      case 'MultiPolygon':
        return { type: g.type, coordinates: g.coordinates.map((p) => p.map(line).filter((l) => l.length > 3)).filter((p) => p.length) };
      default: return g;
    }
  };
  if (geojson.type === 'FeatureCollection') {
    return { type: 'FeatureCollection', features: geojson.features.map((f) => ({ type: 'Feature', properties: f.properties || {}, geometry: geom(f.geometry) })) };
  }
  return { type: 'FeatureCollection', features: [{ type: 'Feature', properties: {}, geometry: geom(geojson) }] };
}

function write(name, geojson, digits) {
  const file = path.join(out, name);
  fs.writeFileSync(file, JSON.stringify(round(geojson, digits)) + '\n');
  console.log(`${name}\t${fs.statSync(file).size} bytes`);
}

// Keeps the arcs' points whose area weight is at least the q-quantile.
function simplified(topo, q) {
  const pre = simplify.presimplify(topo);
  return simplify.simplify(pre, simplify.quantile(pre, q));
}

const world110 = read('pkg/world-atlas/countries-110m.json');
write('land.json', topojson.feature(world110, world110.objects.land), 3);
write('countries.json', topojson.mesh(world110, world110.objects.countries, (a, b) => a !== b), 3);

const world50 = read('pkg/world-atlas/countries-50m.json');
write('countries-50m.json', topojson.mesh(world50, world50.objects.countries, (a, b) => a !== b), 3);

const states = read('pkg/us-atlas/states-10m.json');
write('us-states.json', topojson.mesh(states, states.objects.states, (a, b) => a !== b), 3);

const counties = simplified(read('pkg/us-atlas/counties-10m.json'), 0.35);
write('us-counties.json', topojson.mesh(counties, counties.objects.counties, (a, b) => a !== b && (a.id.slice(0, 2) === b.id.slice(0, 2))), 3);
EOF
node convert.cjs "$out/boundaries"

echo
du -ab "$out" | sort -k2
echo "total: $(du -sb "$out" | cut -f1) bytes"
