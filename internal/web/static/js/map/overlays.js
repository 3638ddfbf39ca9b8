// Map overlays on the Map page: the list of imported GeoJSON layers (storm
// swaths, zones…) with a show/hide box each, an "only accounts inside"
// choice that filters the accounts, and for managers a file picker to
// import one. Overlay names and properties are user data: shown as text.
//
// Fixed ids, for tests: #overlay-tools, #overlay-list, #overlay-file,
// #overlay-name, #overlay-import, #overlay-error; per overlay
// #overlay-show-ID and #overlay-only-ID.

import { del, get, isAbort, post } from '../api.js';
import { h, replace } from '../dom.js';

/** The map layers of an overlay, below the accounts. */
const FILL = '#d84315';
const ACCOUNT_LAYERS = ['account-clusters', 'account-cluster-count', 'account-points', 'account-selected'];

/**
 * The overlay tools. Nothing is drawn until attach(map) is called.
 *
 * @param {object} options
 * @param {AbortSignal} options.signal the page's signal
 * @param {boolean} options.canEdit may import and delete overlays (managers)
 * @param {string} options.only the overlay id the accounts are filtered to ('' none)
 * @param {(id: string) => void} options.onFilter the "only accounts inside" choice changed ('' none)
 */
export function overlayTools(options) {
  const { signal, canEdit } = options;
  const ui = { map: null, overlays: [], shown: new Set(), only: options.only || '', data: new Map() };
  if (ui.only) ui.shown.add(ui.only);

  const list = h('ul', { id: 'overlay-list', class: 'overlay-list' });
  const error = h('p', { id: 'overlay-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const file = h('input', { id: 'overlay-file', type: 'file', accept: '.geojson,.json,application/geo+json,application/json' });
  const name = h('input', { id: 'overlay-name', class: 'input', placeholder: 'Name (optional)', maxlength: '200' });
  const importButton = h('button', { id: 'overlay-import', class: 'btn btn-small', type: 'button', on: { click: importFile } }, 'Import GeoJSON');
  const upload = canEdit ? h('div', { class: 'overlay-upload' }, file, name, importButton) : null;
  const element = h('details', { id: 'overlay-tools', class: 'overlay-tools', hidden: true, open: !!ui.only },
    h('summary', null, 'Overlays'), error, list, upload);

  function showError(message) {
    error.textContent = message;
    error.hidden = !message;
  }

  async function load() {
    try {
      const page = await get('/api/v1/overlays', null, { signal });
      ui.overlays = page.items || [];
      showError('');
    } catch (err) {
      if (isAbort(err)) return;
      showError(`Overlays could not be loaded: ${err.message}`);
    }
    element.hidden = !ui.overlays.length && !canEdit;
    render();
    for (const id of ui.shown) draw(id);
  }

  function render() {
    if (!ui.overlays.length) {
      replace(list, h('li', { class: 'inbox-empty' }, canEdit ? 'No overlays yet: import a GeoJSON file of polygons.' : 'No overlays.'));
      return;
    }
    replace(list, ui.overlays.map((o) => {
      const id = String(o.id);
      const show = h('input', { type: 'checkbox', id: `overlay-show-${id}`, checked: ui.shown.has(id), on: { change: () => toggle(id, show.checked) } });
      const only = h('input', { type: 'checkbox', id: `overlay-only-${id}`, checked: ui.only === id, on: { change: () => setOnly(only.checked ? id : '') } });
      const remove = canEdit ? h('button', { class: 'btn btn-small btn-ghost', type: 'button', title: 'Delete this overlay', 'aria-label': `Delete overlay ${o.name}`,
        on: { click: () => removeOverlay(o) } }, '×') : h('span');
      return h('li', { class: 'overlay-item', dataset: { id } },
        show, h('label', { for: `overlay-show-${id}` }, `${o.name} (${o.features})`), remove,
        h('label', { class: 'overlay-only' }, only, 'Only accounts inside'));
    }));
  }

  function setOnly(id) {
    ui.only = id;
    if (id && !ui.shown.has(id)) {
      ui.shown.add(id);
      draw(id);
    }
    render();
    options.onFilter(id);
  }

  function toggle(id, on) {
    if (on) {
      ui.shown.add(id);
      draw(id);
    } else {
      ui.shown.delete(id);
      setVisible(id, false);
    }
  }

  function setVisible(id, on) {
    const map = ui.map;
    if (!map) return;
    for (const layer of [`overlay-fill-${id}`, `overlay-line-${id}`]) {
      if (map.getLayer(layer)) map.setLayoutProperty(layer, 'visibility', on ? 'visible' : 'none');
    }
  }

  async function draw(id) {
    const map = ui.map;
    if (!map) return;
    if (map.getSource(`overlay-${id}`)) {
      setVisible(id, true);
      return;
    }
    let fc = ui.data.get(id);
    if (!fc) {
      try {
        fc = await get(`/api/v1/overlays/${encodeURIComponent(id)}`, null, { signal });
      } catch (err) {
        if (!isAbort(err)) showError(`The overlay could not be loaded: ${err.message}`);
        return;
      }
      ui.data.set(id, fc);
    }
    if (!ui.shown.has(id) || map.getSource(`overlay-${id}`)) return;
    map.addSource(`overlay-${id}`, { type: 'geojson', data: { type: 'FeatureCollection', features: fc.features || [] } });
    const below = ACCOUNT_LAYERS.find((l) => map.getLayer(l));
    // Stronger fill for a higher "severity" property, when features have one.
    const severity = ['coalesce', ['to-number', ['get', 'severity'], 1], 1];
    map.addLayer({ id: `overlay-fill-${id}`, type: 'fill', source: `overlay-${id}`,
      paint: { 'fill-color': FILL, 'fill-opacity': ['interpolate', ['linear'], severity, 0, 0.12, 5, 0.45] } }, below);
    map.addLayer({ id: `overlay-line-${id}`, type: 'line', source: `overlay-${id}`, paint: { 'line-color': FILL, 'line-width': 1.5 } }, below);
  }

  async function importFile() {
    const f = file.files && file.files[0];
    if (!f) {
      showError('Choose a GeoJSON file first.');
      return;
    }
    importButton.disabled = true;
    showError('');
    try {
      const text = await f.text();
      let body;
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`${f.name} is not JSON`);
      }
      const q = name.value.trim() ? `?name=${encodeURIComponent(name.value.trim())}` : '';
      const o = await post(`/api/v1/overlays${q}`, body);
      file.value = '';
      name.value = '';
      ui.shown.add(String(o.id));
      await load();
    } catch (err) {
      if (!isAbort(err)) showError(`Import failed: ${err.message}`);
    } finally {
      importButton.disabled = false;
    }
  }

  async function removeOverlay(o) {
    if (!confirm(`Delete the overlay "${o.name}"?`)) return;
    const id = String(o.id);
    try {
      await del(`/api/v1/overlays/${encodeURIComponent(id)}`);
    } catch (err) {
      showError(`Could not delete it: ${err.message}`);
      return;
    }
    const map = ui.map;
    if (map) {
      for (const layer of [`overlay-fill-${id}`, `overlay-line-${id}`]) if (map.getLayer(layer)) map.removeLayer(layer);
      if (map.getSource(`overlay-${id}`)) map.removeSource(`overlay-${id}`);
    }
    ui.shown.delete(id);
    ui.data.delete(id);
    if (ui.only === id) setOnly('');
    load();
  }

  return {
    element,
    /** Starts drawing on map (after its style has loaded). */
    attach(map) {
      ui.map = map;
      load();
    },
  };
}
