// The map's styles: the basemaps (offline, raster, vector style, PMTiles)
// and how accounts are coloured, with the legend that goes with each
// colouring. No DOM here: plain data for MapLibre.

import { vendorURL } from './maplibre.js';

/** Attribution of the offline basemap's data. */
export const OFFLINE_ATTRIBUTION = 'Boundaries: Natural Earth, US Census Bureau';

/** Font stack for labels: no glyphs URL, so MapLibre draws them locally. */
export const FONT = ['system-ui', 'sans-serif'];

const WATER = '#d4e4f1';
const LAND = '#f6f5f1';
const BORDER = '#a8a39a';

/**
 * The basemap style for a map config (GET /api/v1/map/config), or for the
 * offline basemap when config is null. Returns a style object, or a URL
 * for a vector style.
 * @param {{basemap?: string, tiles_url?: string, pmtiles_url?: string, attribution?: string}|null} config
 * @param {{satellite?: boolean}} [options]
 */
export function basemapStyle(config, options = {}) {
  const kind = config && config.basemap;
  if (kind === 'raster' && (config.tiles_url || config.satellite_url)) {
    const url = options.satellite && config.satellite_url ? config.satellite_url : config.tiles_url || config.satellite_url;
    return rasterStyle(absolute(url), config.attribution || '');
  }
  if (kind === 'vector' && config.tiles_url) {
    return absolute(config.tiles_url);
  }
  if (kind === 'pmtiles' && config.pmtiles_url) {
    return pmtilesStyle(`pmtiles://${absolute(config.pmtiles_url)}`, config.attribution || '');
  }
  return offlineStyle();
}

/** Makes a same-origin path absolute (MapLibre needs absolute tile URLs). */
export function absolute(url) {
  return new URL(url, location.origin).href.replace(/%7B/gi, '{').replace(/%7D/gi, '}');
}

function emptyStyle() {
  return { version: 8, sources: {}, layers: [] };
}

/** The built-in basemap: land, borders, US states and counties. */
export function offlineStyle() {
  const style = emptyStyle();
  const geo = (file, attribution) => ({ type: 'geojson', data: vendorURL(`boundaries/${file}`), attribution, maxzoom: 8, tolerance: 0.5 });
  style.sources = {
    land: geo('land.json', OFFLINE_ATTRIBUTION),
    countries: geo('countries.json'),
    countries50: geo('countries-50m.json'),
    states: geo('us-states.json'),
    counties: geo('us-counties.json'),
  };
  style.layers = [
    { id: 'base-water', type: 'background', paint: { 'background-color': WATER } },
    { id: 'base-land', type: 'fill', source: 'land', paint: { 'fill-color': LAND, 'fill-antialias': false } },
    { id: 'base-land-edge', type: 'line', source: 'land', paint: { 'line-color': '#b7c9d8', 'line-width': 0.8 } },
    {
      id: 'base-counties', type: 'line', source: 'counties', minzoom: 6,
      paint: { 'line-color': '#d3cec5', 'line-width': ['interpolate', ['linear'], ['zoom'], 6, 0.4, 10, 1] },
    },
    {
      id: 'base-states', type: 'line', source: 'states', minzoom: 2.5,
      paint: { 'line-color': '#bdb7ad', 'line-width': ['interpolate', ['linear'], ['zoom'], 3, 0.6, 8, 1.4], 'line-dasharray': [3, 2] },
    },
    {
      id: 'base-countries', type: 'line', source: 'countries', maxzoom: 3.5,
      paint: { 'line-color': BORDER, 'line-width': 0.8 },
    },
    {
      id: 'base-countries-50m', type: 'line', source: 'countries50', minzoom: 3.5,
      paint: { 'line-color': BORDER, 'line-width': ['interpolate', ['linear'], ['zoom'], 4, 1, 10, 2] },
    },
  ];
  return style;
}

function rasterStyle(tiles, attribution) {
  const style = emptyStyle();
  style.sources.basemap = { type: 'raster', tiles: [tiles], tileSize: 256, attribution, maxzoom: 19 };
  style.layers = [
    { id: 'base-water', type: 'background', paint: { 'background-color': WATER } },
    { id: 'base-raster', type: 'raster', source: 'basemap' },
  ];
  return style;
}

/**
 * A light style for a PMTiles archive in the Protomaps basemap schema
 * (layers earth, water, landuse, roads, boundaries, places).
 */
function pmtilesStyle(url, attribution) {
  const style = emptyStyle();
  style.sources.basemap = { type: 'vector', url, attribution };
  const src = { source: 'basemap' };
  const kind = (...kinds) => ['in', ['get', 'kind'], ['literal', kinds]];
  style.layers = [
    { id: 'base-water-bg', type: 'background', paint: { 'background-color': WATER } },
    { id: 'base-earth', type: 'fill', ...src, 'source-layer': 'earth', paint: { 'fill-color': LAND } },
    { id: 'base-park', type: 'fill', ...src, 'source-layer': 'landuse', filter: kind('park', 'nature_reserve', 'forest', 'wood', 'golf_course', 'cemetery'), paint: { 'fill-color': '#e3eedb' } },
    { id: 'base-water', type: 'fill', ...src, 'source-layer': 'water', paint: { 'fill-color': WATER } },
    { id: 'base-boundaries', type: 'line', ...src, 'source-layer': 'boundaries', paint: { 'line-color': BORDER, 'line-width': 1, 'line-dasharray': [3, 2] } },
    { id: 'base-roads-minor', type: 'line', ...src, 'source-layer': 'roads', minzoom: 12, filter: kind('minor_road', 'other'), paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 12, 0.5, 18, 8] } },
    { id: 'base-roads-major', type: 'line', ...src, 'source-layer': 'roads', minzoom: 7, filter: kind('major_road', 'medium_road'), paint: { 'line-color': '#ffffff', 'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 7, 0.6, 18, 12] } },
    { id: 'base-roads-highway', type: 'line', ...src, 'source-layer': 'roads', filter: kind('highway'), paint: { 'line-color': '#f6d79c', 'line-width': ['interpolate', ['exponential', 1.6], ['zoom'], 5, 0.6, 18, 14] } },
    {
      id: 'base-places', type: 'symbol', ...src, 'source-layer': 'places', filter: kind('locality', 'region', 'country'),
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': ['match', ['get', 'kind'], 'country', 13, 'region', 12, 12], 'text-max-width': 8 },
      paint: { 'text-color': '#5b6573', 'text-halo-color': '#ffffff', 'text-halo-width': 1.4 },
    },
  ];
  return style;
}

// --- Colouring ---------------------------------------------------------------

/** The colour of accounts with no value for the colouring field. */
export const NO_VALUE_COLOR = '#9aa3ae';
/** The colour of values past the palette. */
export const OTHER_COLOR = '#6b7280';

/** Colours for categorical fields, in order of first sighting. */
export const PALETTE = [
  '#2451c7', '#e8590c', '#2f9e44', '#c2255c', '#7048e8', '#0c8599',
  '#f08c00', '#5c940d', '#d6336c', '#1971c2', '#9c36b5', '#495057',
];

/** The colouring choices of the "Colour by" select. */
export const COLOR_FIELDS = [
  { value: 'stage', label: 'Stage' },
  { value: 'owner', label: 'Owner' },
  { value: 'territory', label: 'Territory' },
  { value: 'days_since_visit', label: 'Days since last visit' },
  { value: 'last_visit_result', label: 'Last visit result' },
  { value: 'estimated_value', label: 'Estimated value' },
  { value: 'custom', label: 'Custom field…' },
];

/** Buckets of days since the last visit: [lower bound, colour, label]. */
export const VISIT_BUCKETS = [
  [0, '#2f9e44', 'Within a week'],
  [8, '#94d82d', '8–30 days'],
  [31, '#fab005', '31–90 days'],
  [91, '#f76707', '91–180 days'],
  [181, '#e03131', 'Over 180 days'],
];

/** Buckets of estimated value: [lower bound, colour, label]. */
export const VALUE_BUCKETS = [
  [0, '#d0ebff', 'Under 10k'],
  [10000, '#74c0fc', '10k–50k'],
  [50000, '#339af0', '50k–100k'],
  [100000, '#1c7ed6', '100k–250k'],
  [250000, '#0b4a9e', '250k and more'],
];

const hasValue = ['all', ['has', 'color'], ['!=', ['to-string', ['get', 'color']], '']];

function stepExpression(buckets) {
  const step = ['step', ['to-number', ['get', 'color'], -1], NO_VALUE_COLOR];
  for (const [bound, color] of buckets) step.push(bound, color);
  return ['case', hasValue, step, NO_VALUE_COLOR];
}

/**
 * The circle colour of single accounts, and the legend's entries, for a
 * colouring field.
 * @param {string} field 'stage', 'days_since_visit', …, or a categorical one
 * @param {{stages: {key: string, name: string, color: string}[], categories: Map<string, string>}} data
 *   stages in pipeline order; categorical values seen so far and their colours
 * @returns {{expression: any, legend: {color: string, label: string}[]}}
 */
export function colorScheme(field, { stages, categories }) {
  if (field === 'stage') {
    const legend = stages.map((s) => ({ color: s.color, label: s.name || s.key }));
    if (!stages.length) return { expression: NO_VALUE_COLOR, legend: [{ color: NO_VALUE_COLOR, label: 'Account' }] };
    const match = ['match', ['get', 'stage']];
    for (const s of stages) match.push(s.key, s.color);
    match.push(NO_VALUE_COLOR);
    return { expression: match, legend };
  }
  if (field === 'days_since_visit') {
    return {
      expression: stepExpression(VISIT_BUCKETS),
      legend: [...VISIT_BUCKETS.map(([, color, label]) => ({ color, label })), { color: NO_VALUE_COLOR, label: 'Never visited' }],
    };
  }
  if (field === 'estimated_value') {
    return {
      expression: stepExpression(VALUE_BUCKETS),
      legend: [...VALUE_BUCKETS.map(([, color, label]) => ({ color, label })), { color: NO_VALUE_COLOR, label: 'No value' }],
    };
  }
  const legend = [];
  if (categories.size === 0) {
    return { expression: NO_VALUE_COLOR, legend: [{ color: NO_VALUE_COLOR, label: 'No values in view yet' }] };
  }
  const match = ['match', ['to-string', ['get', 'color']]];
  for (const [value, color] of categories) {
    match.push(value, color);
    legend.push({ color, label: value });
  }
  match.push('', NO_VALUE_COLOR);
  match.push(OTHER_COLOR);
  legend.push({ color: NO_VALUE_COLOR, label: 'None' });
  if (categories.size >= PALETTE.length) legend.push({ color: OTHER_COLOR, label: 'Other' });
  return { expression: match, legend };
}

/**
 * The legend of a selection's groups (a funnel's furthest steps, segments),
 * in their order, with each group's count; categories must hold their
 * colours (addCategories with the labels in order).
 * @param {{label: string, accounts: number}[]} groups
 * @param {Map<string, string>} categories
 * @param {(n: number) => string} formatCount
 * @returns {{color: string, label: string}[]}
 */
export function groupLegend(groups, categories, formatCount) {
  const legend = groups.map((g) => ({
    color: categories.get(g.label) || OTHER_COLOR,
    label: `${g.label} (${formatCount(Number(g.accounts) || 0)})`,
  }));
  return legend.length ? legend : [{ color: NO_VALUE_COLOR, label: 'No groups' }];
}

/**
 * Adds the values of new categories to categories, giving each the next
 * colour of the palette while there is one. Returns whether any was added.
 * @param {Map<string, string>} categories
 * @param {Iterable<string>} values
 */
export function addCategories(categories, values) {
  let added = false;
  for (const v of values) {
    if (v === '' || v == null || categories.has(v) || categories.size >= PALETTE.length) continue;
    categories.set(v, PALETTE[categories.size]);
    added = true;
  }
  return added;
}

/**
 * The colour of clusters: their most common stage's when colouring by
 * stage, the accent colour otherwise.
 */
export function clusterColor(field, stages) {
  if (field !== 'stage' || !stages.length) return '#2451c7';
  const match = ['match', ['get', 'stage']];
  for (const s of stages) match.push(s.key, s.color);
  match.push('#2451c7');
  return match;
}

/** A cluster's count as shown: 950, 1.2k, 12k. */
export const CLUSTER_LABEL = [
  'case',
  ['>=', ['get', 'point_count'], 10000], ['concat', ['to-string', ['round', ['/', ['get', 'point_count'], 1000]]], 'k'],
  ['>=', ['get', 'point_count'], 1000], ['concat', ['to-string', ['/', ['round', ['/', ['get', 'point_count'], 100]], 10]], 'k'],
  ['to-string', ['get', 'point_count']],
];

/** A cluster's radius in pixels, growing with its count. */
export const CLUSTER_RADIUS = ['step', ['get', 'point_count'], 14, 10, 17, 100, 21, 1000, 26, 10000, 32];

/**
 * The bounding box [minLon, minLat, maxLon, maxLat] of a GeoJSON object, or
 * null when it has no coordinates.
 */
export function bbox(geojson) {
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const walk = (c) => {
    if (!Array.isArray(c)) return;
    if (typeof c[0] === 'number' && typeof c[1] === 'number') {
      if (c[0] < minX) minX = c[0];
      if (c[0] > maxX) maxX = c[0];
      if (c[1] < minY) minY = c[1];
      if (c[1] > maxY) maxY = c[1];
      return;
    }
    for (const x of c) walk(x);
  };
  const visit = (g) => {
    if (!g) return;
    if (g.type === 'FeatureCollection') (g.features || []).forEach(visit);
    else if (g.type === 'Feature') visit(g.geometry);
    else if (g.type === 'GeometryCollection') (g.geometries || []).forEach(visit);
    else walk(g.coordinates);
  };
  visit(geojson);
  return Number.isFinite(minX) ? [minX, minY, maxX, maxY] : null;
}
