// The trail layer: a rep's GPS pings for one day, drawn as a line with a
// dot per ping. Managers pick any user; reps see only their own trail.

import { get, isAbort } from '../api.js';
import { h } from '../dom.js';

const SOURCE = 'trail';

/**
 * The trail control: who, which day, show or hide.
 * @param {{signal: AbortSignal, map: () => any, me: {id: number, role: string}}} opts
 * @returns {HTMLElement}
 */
export function trailControl(opts) {
  const manager = opts.me.role === 'manager' || opts.me.role === 'admin';
  const who = h('select', { id: 'trail-user', 'aria-label': 'Whose trail' }, h('option', { value: String(opts.me.id) }, 'My trail'));
  const day = h('input', { id: 'trail-date', type: 'date', 'aria-label': 'Day', value: new Date().toISOString().slice(0, 10) });
  const show = h('button', { class: 'btn btn-small', type: 'button', id: 'trail-show' }, 'Show trail');
  const hide = h('button', { class: 'btn btn-small btn-ghost', type: 'button', id: 'trail-hide', hidden: true }, 'Hide');
  const status = h('span', { class: 'trail-status muted', id: 'trail-status', role: 'status' });
  // Collapsed to one line until opened, so it never covers the map.
  const el = h('details', { class: 'trail-control', id: 'trail-control' },
    h('summary', null, 'GPS trail'),
    h('div', { class: 'trail-body' }, manager ? who : null, day, show, hide, status));
  if (manager) {
    get('/api/v1/users', null, { signal: opts.signal }).then((res) => {
      const users = Array.isArray(res.items) ? res.items : Array.isArray(res) ? res : [];
      for (const u of users) {
        if (u.id === opts.me.id) continue;
        who.append(h('option', { value: String(u.id) }, `${u.name || u.email}${u.role ? ` (${u.role})` : ''}`));
      }
    }).catch(() => {});
  }

  function clear() {
    const map = opts.map();
    if (!map) return;
    for (const id of ['trail-points', 'trail-line']) if (map.getLayer(id)) map.removeLayer(id);
    if (map.getSource(SOURCE)) map.removeSource(SOURCE);
  }

  show.addEventListener('click', async () => {
    const map = opts.map();
    if (!map) return;
    show.disabled = true;
    status.textContent = 'Loading…';
    try {
      const res = await get(`/api/v1/users/${encodeURIComponent(who.value)}/trail`, { date: day.value }, { signal: opts.signal });
      const pings = Array.isArray(res.items) ? res.items : [];
      clear();
      const coords = pings.map((p) => [p.lon, p.lat]);
      const data = {
        type: 'FeatureCollection',
        features: [
          ...(coords.length > 1 ? [{ type: 'Feature', geometry: { type: 'LineString', coordinates: coords }, properties: {} }] : []),
          ...pings.map((p) => ({ type: 'Feature', geometry: { type: 'Point', coordinates: [p.lon, p.lat] }, properties: { at: p.at } })),
        ],
      };
      map.addSource(SOURCE, { type: 'geojson', data });
      map.addLayer({ id: 'trail-line', type: 'line', source: SOURCE, filter: ['==', ['geometry-type'], 'LineString'], paint: { 'line-color': '#2451c7', 'line-width': 3, 'line-opacity': 0.8 } });
      map.addLayer({ id: 'trail-points', type: 'circle', source: SOURCE, filter: ['==', ['geometry-type'], 'Point'], paint: { 'circle-radius': 3, 'circle-color': '#2451c7', 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
      status.textContent = pings.length ? `${pings.length} pings` : 'No pings that day';
      hide.hidden = false;
      if (coords.length) {
        const lons = coords.map((c) => c[0]);
        const lats = coords.map((c) => c[1]);
        map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 60, maxZoom: 16 });
      }
    } catch (err) {
      if (!isAbort(err)) status.textContent = `Trail could not be loaded: ${err.message}`;
    } finally {
      show.disabled = false;
    }
  });
  hide.addEventListener('click', () => {
    clear();
    hide.hidden = true;
    status.textContent = '';
  });
  return el;
}
