// The Territories page: the hierarchy of territories (region → territory),
// and for managers the design tools over a map:
//
//   Check     overlaps (red) and gaps (orange) on the map, accounts in no
//             territory, territories without a rep, reps without a territory
//   Build     click US states or counties (the vendored us-atlas TopoJSON),
//             or the polygons of a GeoJSON boundary layer the user opens
//             (ZCTA ZIP areas, sales regions…), and save their union
//   Balance   propose K balanced territories, see them and the accounts that
//             would move, then apply
//   History   applied balances
//
// Everything the server sends is shown as text (h() / textContent), never
// as HTML.

import { get, isAbort, post } from '../api.js';
import { h, replace } from '../dom.js';
import { loadMapLibre, vendorURL } from '../map/maplibre.js';
import { basemapStyle, bbox } from '../map/style.js';
import { showNotice } from '../notice.js';

const EMPTY = { type: 'FeatureCollection', features: [] };

/** Loads this page's stylesheet once (app.html links only the shared ones). */
function loadStylesheet() {
  const href = '/static/css/territories.css';
  if (document.querySelector(`link[href="${href}"]`)) return;
  document.head.append(h('link', { rel: 'stylesheet', href }));
}

/**
 * Decodes the polygons of one TopoJSON object into GeoJSON features (id and
 * name kept). Shared arcs decode to the same coordinates on both sides,
 * which keeps neighbouring counties' edges identical.
 * @param {any} topo
 * @param {string} name
 */
export function topoFeatures(topo, name) {
  const { scale, translate } = topo.transform || { scale: [1, 1], translate: [0, 0] };
  const arcs = topo.arcs.map((arc) => {
    let x = 0;
    let y = 0;
    return arc.map((p) => {
      if (topo.transform) {
        x += p[0];
        y += p[1];
        return [x * scale[0] + translate[0], y * scale[1] + translate[1]];
      }
      return [p[0], p[1]];
    });
  });
  const ring = (ids) => {
    const out = [];
    for (const i of ids) {
      const a = i < 0 ? arcs[~i].slice().reverse() : arcs[i];
      for (let k = 0; k < a.length; k++) {
        if (k === 0 && out.length) continue; // arcs share their end points
        out.push(a[k]);
      }
    }
    return out;
  };
  const geoms = topo.objects[name].geometries;
  const features = [];
  for (const g of geoms) {
    let geometry = null;
    if (g.type === 'Polygon') geometry = { type: 'Polygon', coordinates: g.arcs.map(ring) };
    else if (g.type === 'MultiPolygon') geometry = { type: 'MultiPolygon', coordinates: g.arcs.map((p) => p.map(ring)) };
    if (!geometry) continue;
    features.push({ type: 'Feature', id: features.length + 1, properties: { bid: String(g.id ?? features.length), name: (g.properties && g.properties.name) || String(g.id ?? '') }, geometry });
  }
  return { type: 'FeatureCollection', features };
}

function fmtArea(km2) {
  if (km2 >= 100) return `${Math.round(km2).toLocaleString()} km²`;
  if (km2 >= 1) return `${km2.toFixed(1)} km²`;
  return `${km2.toFixed(3)} km²`;
}

/**
 * @param {HTMLElement} container
 * @param {{me: any, signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  loadStylesheet();
  const role = ctx.me && ctx.me.user ? ctx.me.user.role : '';
  const manager = role === 'manager' || role === 'admin';
  /** @type {any} */
  let map = null;
  let territories = EMPTY;
  /** @type {Map<string, any>} */
  const selected = new Map(); // bid → feature
  let boundaryLayer = EMPTY;
  let proposal = null;

  const tree = h('ul', { id: 'territory-tree', class: 'territory-tree' });
  const panel = h('div', { id: 'design-panel', class: 'design-panel', 'aria-live': 'polite' });
  const mapEl = h('div', { id: 'territory-map', class: 'territory-map' });
  const tabs = h('div', { class: 'design-tabs', role: 'tablist' });
  const tabNames = manager ? ['Territories', 'Check', 'Build', 'Balance', 'History'] : ['Territories'];
  const tabButtons = new Map();
  for (const name of tabNames) {
    const b = h('button', { type: 'button', class: 'btn btn-small', id: `design-tab-${name.toLowerCase()}`, role: 'tab', on: { click: () => show(name) } }, name);
    tabButtons.set(name, b);
    tabs.append(b);
  }
  const exports = h('div', { class: 'design-exports' },
    h('a', { class: 'btn btn-small btn-ghost', href: '/api/v1/exports/territories?format=geojson', download: 'territories.geojson' }, 'GeoJSON'),
    h('a', { class: 'btn btn-small btn-ghost', id: 'export-kml', href: '/api/v1/exports/territories?format=kml', download: 'territories.kml' }, 'KML'));
  replace(container, h('div', { class: 'territories-page' },
    h('div', { class: 'design-side' }, h('div', { class: 'design-head' }, h('h1', {}, 'Territories'), exports), tabs, panel),
    mapEl));

  // --- Map ----------------------------------------------------------------

  function setData(id, data) {
    if (map && map.getSource(id)) map.getSource(id).setData(data);
  }

  async function startMap() {
    const config = await get('/api/v1/map/config', null, { signal: ctx.signal }).catch(() => null);
    const lib = await loadMapLibre();
    if (ctx.signal.aborted) return;
    map = new lib.Map({ container: mapEl, style: basemapStyle(config), center: [-98.5, 39.8], zoom: 3, attributionControl: { compact: true } });
    map.on('load', () => {
      const src = (id, data) => map.addSource(id, { type: 'geojson', data });
      src('territories', territories);
      src('boundaries', boundaryLayer);
      src('selected', EMPTY);
      src('overlaps', EMPTY);
      src('gaps', EMPTY);
      src('proposal', EMPTY);
      map.addLayer({ id: 'territories-fill', type: 'fill', source: 'territories', paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.18 } });
      map.addLayer({ id: 'territories-line', type: 'line', source: 'territories', paint: { 'line-color': ['get', 'color'], 'line-width': 2 } });
      map.addLayer({ id: 'boundaries-fill', type: 'fill', source: 'boundaries', paint: { 'fill-color': '#3b82f6', 'fill-opacity': 0.04 } });
      map.addLayer({ id: 'boundaries-line', type: 'line', source: 'boundaries', paint: { 'line-color': '#64748b', 'line-width': 0.6 } });
      map.addLayer({ id: 'selected-fill', type: 'fill', source: 'selected', paint: { 'fill-color': '#2563eb', 'fill-opacity': 0.45 } });
      map.addLayer({ id: 'gaps-fill', type: 'fill', source: 'gaps', paint: { 'fill-color': '#f59e0b', 'fill-opacity': 0.55 } });
      map.addLayer({ id: 'overlaps-fill', type: 'fill', source: 'overlaps', paint: { 'fill-color': '#dc2626', 'fill-opacity': 0.6 } });
      map.addLayer({ id: 'proposal-fill', type: 'fill', source: 'proposal', paint: { 'fill-color': ['get', 'color'], 'fill-opacity': 0.35 } });
      map.addLayer({ id: 'proposal-line', type: 'line', source: 'proposal', paint: { 'line-color': '#111827', 'line-width': 2 } });
      map.on('click', 'boundaries-fill', (e) => {
        const f = e.features && e.features[0];
        if (!f) return;
        toggleBoundary(String(f.properties.bid));
      });
      mapEl.dataset.ready = 'true';
      fit(territories);
    });
  }

  function fit(fc) {
    if (!map || !fc.features.length) return;
    const b = bbox(fc);
    if (b) map.fitBounds(b, { padding: 30, maxZoom: 11, duration: 0 });
  }

  // --- Territories and hierarchy ----------------------------------------------

  async function loadTerritories() {
    territories = await get('/api/v1/territories', null, { signal: ctx.signal });
    for (const f of territories.features) f.properties.color = f.properties.color || '#888888';
    setData('territories', territories);
    renderTree();
  }

  function renderTree() {
    const byParent = new Map();
    for (const f of territories.features) {
      const p = f.properties.parent_id || 0;
      if (!byParent.has(p)) byParent.set(p, []);
      byParent.get(p).push(f);
    }
    const ids = new Set(territories.features.map((f) => f.properties.id));
    const node = (f) => {
      const p = f.properties;
      const kids = byParent.get(p.id) || [];
      return h('li', { class: 'territory-node', dataset: { id: String(p.id) } },
        h('button', { type: 'button', class: 'territory-item', on: { click: () => fit({ type: 'FeatureCollection', features: [f] }) } },
          h('span', { class: 'swatch', vars: { '--swatch': p.color } }),
          h('span', { class: 'territory-name' }, p.name),
          h('span', { class: 'territory-meta' }, `${fmtArea(p.area_km2 || 0)} · ${p.reps.length ? p.reps.join(', ') : 'no rep'}`)),
        kids.length ? h('ul', {}, kids.map(node)) : null);
    };
    const roots = territories.features.filter((f) => !f.properties.parent_id || !ids.has(f.properties.parent_id));
    replace(tree, roots.length ? roots.map(node) : h('li', { class: 'empty' }, 'No territories yet.'));
  }

  // --- Tabs -------------------------------------------------------------------

  function clearOverlays() {
    setData('overlaps', EMPTY);
    setData('gaps', EMPTY);
    setData('proposal', EMPTY);
  }

  function show(name) {
    for (const [n, b] of tabButtons) b.setAttribute('aria-selected', n === name ? 'true' : 'false');
    clearOverlays();
    if (name !== 'Build') {
      boundaryLayer = EMPTY;
      setData('boundaries', EMPTY);
      setData('selected', EMPTY);
    }
    if (name === 'Territories') replace(panel, h('p', { class: 'page-meta' }, 'Regions hold their territories; click one to show it.'), tree);
    if (name === 'Check') showCheck();
    if (name === 'Build') showBuild();
    if (name === 'Balance') showBalance();
    if (name === 'History') showHistory();
  }

  function fc(items) {
    return { type: 'FeatureCollection', features: items.filter((x) => x.geometry).map((x, i) => ({ type: 'Feature', id: i + 1, properties: {}, geometry: x.geometry })) };
  }

  async function showCheck() {
    replace(panel, h('p', {}, 'Checking…'));
    try {
      const r = await get('/api/v1/territories/check', null, { signal: ctx.signal });
      setData('overlaps', fc(r.overlaps));
      setData('gaps', fc(r.gaps));
      const list = (items, fmt) => (items.length ? h('ul', { class: 'check-list' }, items.map((x) => h('li', {}, fmt(x)))) : h('p', { class: 'page-meta' }, 'None.'));
      replace(panel,
        h('section', { id: 'check-overlaps' }, h('h2', {}, `Overlaps (${r.overlaps.length})`, h('span', { class: 'key key-overlap' })),
          list(r.overlaps, (o) => `${o.a} × ${o.b}: ${fmtArea(o.area_km2)}, ${o.accounts} accounts`)),
        h('section', { id: 'check-gaps' }, h('h2', {}, `Gaps (${r.gaps.length})`, h('span', { class: 'key key-gap' })),
          h('p', { class: 'page-meta' }, `Within the ${r.boundary}.`),
          list(r.gaps, (g) => `${fmtArea(g.area_km2)}, ${g.accounts} accounts`)),
        h('p', { id: 'check-unassigned' }, `Accounts in no territory: ${r.unassigned_accounts}`),
        h('section', {}, h('h2', {}, 'Territories without a rep'), list(r.territories_without_rep, (n) => n.name)),
        h('section', {}, h('h2', {}, 'Reps without a territory'), list(r.reps_without_territory, (n) => n.name)));
    } catch (err) {
      if (!isAbort(err)) replace(panel, h('p', { class: 'error' }, err.message));
    }
  }

  // --- Build from boundaries ------------------------------------------------------

  function toggleBoundary(bid) {
    if (selected.has(bid)) selected.delete(bid);
    else {
      const f = boundaryLayer.features.find((x) => String(x.properties.bid) === bid);
      if (f) selected.set(bid, f);
    }
    setData('selected', { type: 'FeatureCollection', features: [...selected.values()] });
    const count = document.getElementById('build-count');
    if (count) count.textContent = `${selected.size} selected: ${[...selected.values()].map((f) => f.properties.name).slice(0, 12).join(', ')}${selected.size > 12 ? '…' : ''}`;
  }

  async function useLayer(kind, file) {
    selected.clear();
    setData('selected', EMPTY);
    try {
      if (kind === 'file') {
        const data = JSON.parse(await file.text());
        const feats = (data.type === 'FeatureCollection' ? data.features : [data]).filter((f) => f && f.geometry && /Polygon$/.test(f.geometry.type));
        boundaryLayer = { type: 'FeatureCollection', features: feats.map((f, i) => {
          const p = f.properties || {};
          const label = p.name ?? p.NAME ?? p.ZCTA5CE20 ?? p.ZCTA5CE10 ?? p.GEOID ?? p.zip ?? String(i + 1);
          return { type: 'Feature', id: i + 1, properties: { bid: `f${i}`, name: String(label) }, geometry: f.geometry };
        }) };
      } else {
        const file = kind === 'states' ? 'us-states-10m.topo.json' : 'us-counties-10m.topo.json';
        const res = await fetch(vendorURL(`boundaries/${file}`), { signal: ctx.signal });
        if (!res.ok) throw new Error(`boundaries: ${res.status}`);
        boundaryLayer = topoFeatures(await res.json(), kind);
      }
      setData('boundaries', boundaryLayer);
      const count = document.getElementById('build-count');
      if (count) count.textContent = `${boundaryLayer.features.length} areas loaded; click them on the map.`;
    } catch (err) {
      if (!isAbort(err)) showNotice(`Could not load the boundaries: ${err.message}`);
    }
  }

  function parentOptions() {
    return [h('option', { value: '' }, '(top level)'), ...territories.features.map((f) => h('option', { value: f.properties.name }, f.properties.name))];
  }

  function showBuild() {
    const layer = h('select', { id: 'build-layer', class: 'input' },
      h('option', { value: 'states' }, 'US states'), h('option', { value: 'counties' }, 'US counties'), h('option', { value: 'file' }, 'A GeoJSON file (e.g. ZCTA ZIP areas)…'));
    const file = h('input', { id: 'build-file', type: 'file', accept: '.json,.geojson,application/geo+json', class: 'input', hidden: true });
    const name = h('input', { id: 'build-name', class: 'input', placeholder: 'Territory name', maxlength: '200' });
    const parent = h('select', { id: 'build-parent', class: 'input' }, parentOptions());
    const save = h('button', { id: 'build-save', type: 'button', class: 'btn btn-primary' }, 'Save as territory');
    layer.addEventListener('change', () => {
      file.hidden = layer.value !== 'file';
      if (layer.value !== 'file') useLayer(layer.value);
    });
    file.addEventListener('change', () => { if (file.files && file.files[0]) useLayer('file', file.files[0]); });
    save.addEventListener('click', async () => {
      if (!selected.size) { showNotice('Click at least one area on the map.'); return; }
      save.disabled = true;
      try {
        const body = { geometries: [...selected.values()].map((f) => f.geometry), save: { name: name.value, parent: parent.value } };
        const r = await post('/api/v1/territories/union', body, { signal: ctx.signal });
        showNotice(`Saved ${r.territory.properties.name} (${fmtArea(r.area_km2)}).`, { kind: 'info' });
        selected.clear();
        setData('selected', EMPTY);
        await loadTerritories();
      } catch (err) {
        if (!isAbort(err)) showNotice(err.message);
      } finally {
        save.disabled = false;
      }
    });
    replace(panel,
      h('label', { class: 'field' }, 'Boundaries', layer), file,
      h('p', { id: 'build-count', class: 'page-meta' }, 'Loading…'),
      h('label', { class: 'field' }, 'Name', name),
      h('label', { class: 'field' }, 'Inside region', parent),
      save);
    useLayer('states');
  }

  // --- Balance ------------------------------------------------------------------

  function showBalance() {
    const k = h('input', { id: 'balance-k', class: 'input', type: 'number', min: '1', max: '500', value: '4' });
    const by = h('select', { id: 'balance-by', class: 'input' }, ['accounts', 'value', 'workload'].map((v) => h('option', { value: v }, v)));
    const centres = h('input', { id: 'balance-centres', type: 'checkbox' });
    const parent = h('select', { id: 'balance-parent', class: 'input' }, parentOptions());
    const locks = h('div', { class: 'balance-locks' }, territories.features.map((f) =>
      h('label', {}, h('input', { type: 'checkbox', value: f.properties.name, class: 'balance-lock' }), ' ', f.properties.name)));
    const result = h('div', { id: 'balance-result' });
    const request = (apply) => ({
      k: Number(k.value) || 0, by: by.value, centres: centres.checked ? 'reps' : '', parent: parent.value,
      lock: [...locks.querySelectorAll('input:checked')].map((i) => i.value), apply,
    });
    const propose = h('button', { id: 'balance-propose', type: 'button', class: 'btn btn-primary' }, 'Propose');
    const run = async (apply) => {
      propose.disabled = true;
      try {
        proposal = await post('/api/v1/territories/balance', request(apply), { signal: ctx.signal });
        renderProposal(result, proposal, () => run(true));
        if (apply) await loadTerritories();
      } catch (err) {
        if (!isAbort(err)) replace(result, h('p', { class: 'error' }, err.message));
      } finally {
        propose.disabled = false;
      }
    };
    propose.addEventListener('click', () => run(false));
    replace(panel,
      h('div', { class: 'balance-form' },
        h('label', { class: 'field' }, 'Territories (k)', k),
        h('label', { class: 'field' }, 'Balance by', by),
        h('label', { class: 'field field-inline' }, centres, ' Around the reps\u2019 homes'),
        h('label', { class: 'field' }, 'Inside region', parent),
        h('fieldset', {}, h('legend', {}, 'Keep as they are'), locks),
        propose),
      result);
  }

  function renderProposal(el, p, apply) {
    const feats = p.territories.map((t, i) => ({ type: 'Feature', id: i + 1, properties: { color: t.color || '#6b7280', name: t.name }, geometry: t.geometry }));
    setData('proposal', { type: 'FeatureCollection', features: feats });
    fit({ type: 'FeatureCollection', features: feats });
    const rows = p.territories.map((t) => h('tr', {},
      h('td', {}, h('span', { class: 'swatch', vars: { '--swatch': t.color || '#6b7280' } }), ' ', t.name),
      h('td', {}, t.action), h('td', { class: 'num' }, String(t.accounts)), h('td', { class: 'num' }, t.total.toFixed(1)),
      h('td', { class: 'num' }, t.polsby_popper.toFixed(2)), h('td', {}, t.reps.join(', '))));
    const sample = p.changes.sample.slice(0, 10).map((c) => h('li', {}, `${c.name}: ${c.from_territory || 'none'} → ${c.to_territory || 'none'}${c.from_rep !== c.to_rep ? ` (rep ${c.from_rep || 'none'} → ${c.to_rep || 'none'})` : ''}`));
    const applyBtn = h('button', { id: 'balance-apply', type: 'button', class: 'btn btn-primary' }, 'Apply');
    applyBtn.addEventListener('click', () => {
      if (window.confirm(`Save ${p.k} territories and move ${p.changes.territory} accounts?`)) apply();
    });
    replace(el,
      h('p', { id: 'balance-summary' }, p.applied ? `Applied (history #${p.history_id}). ` : 'Proposal. ',
        `Largest/smallest ${p.max_min_ratio.toFixed(3)}, mean Polsby–Popper ${p.mean_polsby_popper.toFixed(2)}; ${p.changes.territory} accounts change territory, ${p.changes.rep} change rep.`),
      h('table', { class: 'table balance-table' }, h('thead', {}, h('tr', {}, ['Territory', 'Action', 'Accounts', 'Total', 'PP', 'Reps'].map((c) => h('th', {}, c)))), h('tbody', {}, rows)),
      p.deleted.length ? h('p', {}, `Removed: ${p.deleted.join(', ')}`) : null,
      sample.length ? h('details', {}, h('summary', {}, 'Accounts that would move'), h('ul', {}, sample)) : null,
      p.applied ? null : applyBtn);
  }

  // --- History ------------------------------------------------------------------

  async function showHistory() {
    try {
      const r = await get('/api/v1/territories/history', { limit: 50 }, { signal: ctx.signal });
      replace(panel, r.items.length ? h('ul', { id: 'history-list', class: 'check-list' }, r.items.map((x) =>
        h('li', {}, `#${x.id} ${x.at} by ${x.actor}: ${x.action} k=${x.summary.k} by ${x.summary.by}, ${x.summary.accounts_moved} accounts moved`)))
        : h('p', { class: 'page-meta' }, 'No balance applied yet.'));
    } catch (err) {
      if (!isAbort(err)) replace(panel, h('p', { class: 'error' }, err.message));
    }
  }

  // --- Start ------------------------------------------------------------------------

  document.body.classList.add('map-mode');
  show('Territories');
  loadTerritories().then(() => {
    fit(territories);
  }).catch((err) => { if (!isAbort(err)) showNotice(err.message); });
  startMap().catch((err) => { if (!isAbort(err)) showNotice(`The map could not start: ${err.message}`); });
  return () => {
    document.body.classList.remove('map-mode');
    if (map) map.remove();
  };
}
