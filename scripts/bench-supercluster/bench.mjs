// Times supercluster (the clustering library most web maps use) on the
// points and tiles Meridian's BenchmarkTile uses, for a comparison in one
// run on one machine. Usage: see run.sh beside this file.
import { readFileSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import Supercluster from 'supercluster';

const dir = process.argv[2];
const points = readFileSync(`${dir}/points.csv`, 'utf8').trim().split('\n').map((l, i) => {
  const [lon, lat] = l.split(',').map(Number);
  return { type: 'Feature', properties: { id: i + 1 }, geometry: { type: 'Point', coordinates: [lon, lat] } };
});
const tiles = readFileSync(`${dir}/tiles.csv`, 'utf8').trim().split('\n').map((l) => l.split(',').map(Number));

const t0 = performance.now();
// Options as a map of this kind would use them: 4096-unit tiles like MVT.
const index = new Supercluster({ radius: 40, extent: 4096, maxZoom: 16 }).load(points);
const loadMs = performance.now() - t0;

const ds = [];
let features = 0;
for (const [z, x, y] of tiles) {
  const s = performance.now();
  const t = index.getTile(z, x, y);
  ds.push(performance.now() - s);
  features += t ? t.features.length : 0;
}
ds.sort((a, b) => a - b);
const q = (p) => ds[Math.min(ds.length - 1, Math.floor(ds.length * p))];
console.log(JSON.stringify({
  points: points.length, tiles: tiles.length, load_ms: +loadMs.toFixed(0),
  tile_median_ms: +q(0.5).toFixed(3), tile_p99_ms: +q(0.99).toFixed(3), tile_max_ms: +ds[ds.length - 1].toFixed(3),
  features, note: 'getTile only (no MVT encoding), unfiltered: supercluster precomputes one hierarchy and cannot filter per request',
}));
