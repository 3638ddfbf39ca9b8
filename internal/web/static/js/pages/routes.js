// The route planning page: pick accounts (from a filtered list, "due a
// visit in my territory", or a lasso on the map), choose reps (managers),
// plan, see each rep's route on the map with numbered stops and arrival
// times, reorder (drag, or the arrow buttons), lock stops and re-optimise
// the rest, export (GPX, ICS, Google Maps and Apple Maps links), and see the
// prospects near the stops ("while you're there"), each of which can be
// added to the day.
//
// All data reaches the page as text nodes (dom.js); the map is MapLibre
// with the basemap the server configures (see pages/map.js).

import { del, get, isAbort, post, put } from '../api.js';
import { h, replace } from '../dom.js';
import { formatNumber } from '../format.js';
import { loadMapLibre, loadPMTiles } from '../map/maplibre.js';
import { basemapStyle } from '../map/style.js';

/** Colours of reps' routes, in order. */
export const ROUTE_COLORS = ['#1e88e5', '#e53935', '#43a047', '#8e24aa', '#fb8c00', '#00897b', '#6d4c41', '#3949ab'];
/** Accounts listed at once. */
const LIST_LIMIT = 200;
/** Accounts drawn on the map for the lasso. */
const MAP_LIMIT = 1000;
const TYPE_DELAY_MS = 300;
/** Prospects listed under a plan ("while you're there"). */
const NEARBY_LIMIT = 10;
/** How far from a stop a prospect may be, in metres. */
const NEARBY_RADIUS_M = 1000;

let cssLoaded = false;

/** Loads this page's stylesheet once (app.html does not know it). */
function loadCSS() {
  if (cssLoaded) return;
  cssLoaded = true;
  document.head.append(h('link', { rel: 'stylesheet', href: new URL('../../css/routes.css', import.meta.url).href }));
}

/**
 * Whether point p ([lon, lat]) is inside ring (closed or not), by ray
 * casting in lon/lat.
 * @param {number[]} p
 * @param {number[][]} ring
 */
export function insideRing(p, ring) {
  let inside = false;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    const [xi, yi] = ring[i];
    const [xj, yj] = ring[j];
    if ((yi > p[1]) !== (yj > p[1]) && p[0] < ((xj - xi) * (p[1] - yi)) / (yj - yi) + xi) inside = !inside;
  }
  return inside;
}

/**
 * Formats an RFC 3339 instant as HH:MM in a time zone.
 * @param {string} iso
 * @param {string} tz
 */
export function clockIn(iso, tz) {
  if (!iso || iso.startsWith('0001-')) return '';
  try {
    return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone: tz || 'UTC' }).format(new Date(iso));
  } catch {
    return iso.slice(11, 16);
  }
}

function localZone() {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

function today() {
  const d = new Date();
  return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`;
}

function km(m) {
  return `${formatNumber(Math.round((m || 0) / 100) / 10)} km`;
}

/** A short distance: metres below a kilometre, else kilometres. */
export function distance(m) {
  const v = m || 0;
  return v < 1000 ? `${formatNumber(Math.round(v))} m` : km(v);
}

function hours(sec) {
  const min = Math.round((sec || 0) / 60);
  return `${Math.floor(min / 60)} h ${String(min % 60).padStart(2, '0')}`;
}

/**
 * Shows the route planning page.
 * @param {HTMLElement} container
 * @param {{me: any, query: URLSearchParams, signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  loadCSS();
  const me = ctx.me && ctx.me.user ? ctx.me.user : { id: 0, role: 'rep' };
  const isManager = me.role === 'manager' || me.role === 'admin';
  const state = {
    /** @type {Map<number, any>} selected accounts by id */
    selected: new Map(),
    /** accounts listed (the filter's answer) */
    listed: [],
    /** accounts on the map, for the lasso */
    onMap: [],
    plan: null,
    lib: null,
    map: null,
    markers: [],
    lasso: null,
    typeTimer: 0,
    destroyed: false,
  };

  // --- Elements -------------------------------------------------------------

  const status = h('p', { class: 'routes-status', id: 'routes-status', role: 'status', hidden: true });
  const day = h('input', { id: 'plan-day', class: 'input', type: 'date', value: ctx.query.get('day') || today(), required: true });
  const tz = h('input', { id: 'plan-tz', class: 'input', type: 'text', value: localZone(), spellcheck: 'false', maxlength: '64' });
  const shiftStart = h('input', { id: 'plan-shift-start', class: 'input', type: 'time', value: '08:00' });
  const shiftEnd = h('input', { id: 'plan-shift-end', class: 'input', type: 'time', value: '18:00' });
  const visitMin = h('input', { id: 'plan-visit', class: 'input', type: 'number', min: '1', max: '720', value: '30' });
  const lunchOn = h('input', { id: 'plan-lunch', type: 'checkbox' });
  const lunchFrom = h('input', { id: 'plan-lunch-earliest', class: 'input', type: 'time', value: '12:00' });
  const lunchTo = h('input', { id: 'plan-lunch-latest', class: 'input', type: 'time', value: '13:30' });
  const lunchMin = h('input', { id: 'plan-lunch-minutes', class: 'input', type: 'number', min: '5', max: '240', value: '45' });
  const dueOn = h('input', { id: 'plan-due', type: 'checkbox' });
  const dueDays = h('input', { id: 'plan-due-days', class: 'input', type: 'number', min: '1', max: '3650', value: '30' });
  const repBox = h('fieldset', { id: 'plan-reps', class: 'routes-reps' }, h('legend', null, 'Reps'));
  const filter = h('input', { id: 'plan-filter', class: 'input input-search', type: 'search', placeholder: 'Filter accounts by name, city, postal code', autocomplete: 'off', maxlength: '200' });
  const accountList = h('ul', { id: 'plan-accounts', class: 'routes-accounts' });
  const selectedCount = h('span', { id: 'plan-selected-count', class: 'routes-count' }, '0 selected');
  const lassoBtn = h('button', { id: 'plan-lasso', class: 'btn btn-small', type: 'button', 'aria-pressed': 'false', on: { click: toggleLasso } }, 'Lasso on map');
  const clearBtn = h('button', { class: 'btn btn-small btn-ghost', type: 'button', on: { click: () => { state.selected.clear(); renderAccounts(); drawCandidates(); } } }, 'Clear');
  const planBtn = h('button', { id: 'plan-submit', class: 'btn btn-primary', type: 'submit' }, 'Plan route');
  const savedSelect = h('select', { id: 'plan-saved', class: 'input select select-plain', on: { change: () => { if (savedSelect.value) openPlan(Number(savedSelect.value)); } } },
    h('option', { value: '' }, 'Saved plans…'));
  const result = h('section', { id: 'plan-result', class: 'routes-result', 'aria-live': 'polite' });
  const mapEl = h('div', { id: 'routes-map', class: 'routes-map' });

  const form = h('form', { class: 'routes-form card', on: { submit: (e) => { e.preventDefault(); planDay(); } } },
    h('div', { class: 'routes-row' },
      h('label', null, 'Day', day), h('label', null, 'Time zone', tz)),
    h('div', { class: 'routes-row' },
      h('label', null, 'Shift start', shiftStart), h('label', null, 'Shift end', shiftEnd), h('label', null, 'Visit (min)', visitMin)),
    h('div', { class: 'routes-row' },
      h('label', { class: 'routes-check' }, lunchOn, 'Lunch'), h('label', null, 'Earliest', lunchFrom), h('label', null, 'Latest', lunchTo), h('label', null, 'min', lunchMin)),
    isManager ? repBox : null,
    h('div', { class: 'routes-row' },
      h('label', { class: 'routes-check' }, dueOn, 'Due a visit in my territory: not visited in'), dueDays, h('span', null, 'days')),
    h('div', { class: 'routes-row' }, filter),
    h('div', { class: 'routes-row routes-tools' }, selectedCount, lassoBtn, clearBtn),
    accountList,
    h('div', { class: 'routes-row' }, planBtn, savedSelect),
  );

  replace(container,
    h('div', { class: 'routes-page' },
      h('header', { class: 'page-header' }, h('h1', null, 'Routes')),
      status,
      h('div', { class: 'routes-layout' },
        h('div', { class: 'routes-side' }, form, result),
        mapEl)));

  function showStatus(message, kind = 'error') {
    status.textContent = message || '';
    status.dataset.kind = kind;
    status.hidden = !message;
  }

  // --- Reps and accounts ----------------------------------------------------

  async function loadReps() {
    if (!isManager) return;
    try {
      const users = await get('/api/v1/users', null, { signal: ctx.signal });
      const items = (users && users.items) || [];
      for (const u of items) {
        if (u.disabled) continue;
        const box = h('input', { type: 'checkbox', value: String(u.id), name: 'rep', checked: u.role === 'rep' && items.filter((x) => x.role === 'rep').length === 1 });
        repBox.append(h('label', { class: 'routes-check' }, box, `${u.name} (${u.role})`, u.home_lon == null ? h('span', { class: 'routes-muted' }, ' no home set') : null));
      }
    } catch (err) {
      if (!isAbort(err)) showStatus(`Reps could not be loaded: ${err.message}`);
    }
  }

  async function loadAccounts() {
    try {
      const res = await get('/api/v1/accounts', { q: filter.value.trim(), limit: LIST_LIMIT }, { signal: ctx.signal });
      state.listed = ((res && res.items) || []).filter((a) => a.lon != null && a.lat != null);
      renderAccounts();
    } catch (err) {
      if (!isAbort(err)) showStatus(`Accounts could not be loaded: ${err.message}`);
    }
  }

  function renderAccounts() {
    const items = [...state.selected.values()].filter((a) => !state.listed.some((l) => l.id === a.id)).concat(state.listed);
    replace(accountList, items.map((a) => h('li', null,
      h('label', { class: 'routes-check' },
        h('input', { type: 'checkbox', value: String(a.id), checked: state.selected.has(a.id), dataset: { account: String(a.id) },
          on: { change: (e) => { if (e.target.checked) state.selected.set(a.id, a); else state.selected.delete(a.id); updateCount(); drawCandidates(); } } }),
        h('span', { class: 'routes-name' }, a.name),
        h('span', { class: 'routes-muted' }, [a.city, a.stage].filter(Boolean).join(' · '))))));
    updateCount();
  }

  function updateCount() {
    selectedCount.textContent = `${state.selected.size} selected`;
  }

  filter.addEventListener('input', () => {
    clearTimeout(state.typeTimer);
    state.typeTimer = setTimeout(loadAccounts, TYPE_DELAY_MS);
  });

  // --- Planning -------------------------------------------------------------

  function request() {
    const req = {
      day: day.value, time_zone: tz.value.trim() || 'UTC', shift_start: shiftStart.value, shift_end: shiftEnd.value,
      visit_minutes: Number(visitMin.value) || 30, account_ids: [...state.selected.keys()],
    };
    if (isManager) req.rep_ids = [...repBox.querySelectorAll('input[name=rep]:checked')].map((b) => Number(b.value));
    if (lunchOn.checked) req.lunch = { earliest: lunchFrom.value, latest: lunchTo.value, minutes: Number(lunchMin.value) || 45 };
    if (dueOn.checked) req.due_days = Number(dueDays.value) || 30;
    return req;
  }

  async function planDay() {
    showStatus('');
    planBtn.disabled = true;
    planBtn.textContent = 'Planning…';
    try {
      const p = await post('/api/v1/routes/plan', request(), { signal: ctx.signal, timeout: 120000 });
      showPlan(p);
      loadSaved();
    } catch (err) {
      if (!isAbort(err)) showStatus(err.message);
    } finally {
      planBtn.disabled = false;
      planBtn.textContent = 'Plan route';
    }
  }

  async function openPlan(id) {
    try {
      showPlan(await get(`/api/v1/routes/${id}`, null, { signal: ctx.signal }));
    } catch (err) {
      if (!isAbort(err)) showStatus(err.message);
    }
  }

  async function loadSaved() {
    try {
      const res = await get('/api/v1/routes', { limit: 50 }, { signal: ctx.signal });
      replace(savedSelect, h('option', { value: '' }, 'Saved plans…'),
        ((res && res.items) || []).map((p) => h('option', { value: String(p.id) }, `${p.name} · ${p.stops} stops`)));
    } catch (err) {
      if (!isAbort(err)) showStatus(`Saved plans could not be loaded: ${err.message}`, 'warning');
    }
  }

  /**
   * Re-plans p's day with accountId added: the same reps and settings, the
   * plan's stops (including those left out) and the new one. The answer is
   * a new plan; the old one stays in the saved list.
   */
  async function addToPlan(p, accountId, button) {
    const ids = [];
    for (const r of p.routes || []) for (const st of r.stops || []) ids.push(st.account_id);
    for (const st of p.unassigned || []) ids.push(st.account_id);
    ids.push(accountId);
    const req = { ...p.request, name: p.name, account_ids: [...new Set(ids)] };
    delete req.due_days; // the due accounts chosen then are among the stops now
    showStatus('');
    button.disabled = true;
    button.textContent = 'Adding…';
    try {
      const np = await post('/api/v1/routes/plan', req, { signal: ctx.signal, timeout: 120000 });
      showPlan(np);
      loadSaved();
      const added = (np.unassigned || []).some((st) => st.account_id === accountId);
      if (added) showStatus('Added, but the day cannot hold it: it is listed under “Left out”.', 'warning');
    } catch (err) {
      if (!isAbort(err)) showStatus(err.message);
      button.disabled = false;
      button.textContent = 'Add to route';
    }
  }

  /** Fills the "while you're there" list of plan p (async; ignores a stale answer). */
  async function loadNearby(p, section) {
    const list = section.querySelector('.route-nearby-list');
    try {
      const res = await get(`/api/v1/routes/${p.id}/nearby`, { limit: NEARBY_LIMIT, radius_m: NEARBY_RADIUS_M }, { signal: ctx.signal });
      if (state.plan !== p) return;
      const items = (res && res.items) || [];
      section.dataset.state = 'loaded';
      if (!items.length) {
        replace(list, h('li', { class: 'routes-muted route-nearby-empty' }, `No prospects within ${distance(NEARBY_RADIUS_M)} of a stop.`));
        return;
      }
      replace(list, items.map((a) => {
        const add = h('button', { class: 'btn btn-small route-nearby-add', type: 'button', dataset: { account: String(a.id) }, 'aria-label': `Add ${a.name} to the route` }, 'Add to route');
        add.addEventListener('click', () => addToPlan(p, a.id, add));
        const stop = a.near_stop || {};
        return h('li', { class: 'route-nearby-item', dataset: { account: String(a.id) } },
          h('span', { class: 'route-nearby-main' },
            h('span', { class: 'routes-name' }, a.name),
            h('span', { class: 'routes-muted' },
              h('span', { class: 'route-nearby-distance' }, distance(a.distance_m)),
              stop.position ? ` · near stop ${stop.position}: ` : ' · near ', h('span', { class: 'route-nearby-stop' }, stop.name || ''),
              a.stage ? ` · ${a.stage}` : '')),
          add);
      }));
    } catch (err) {
      if (isAbort(err) || state.plan !== p) return;
      section.dataset.state = 'error';
      replace(list, h('li', { class: 'routes-muted' }, `Prospects nearby could not be loaded: ${err.message}`));
    }
  }

  /** The change to send: each route's stops as listed, locked ones first. */
  function change(optimize) {
    const routes = [...result.querySelectorAll('.route-card')].map((card) => {
      const rows = [...card.querySelectorAll('.route-stop')];
      const stops = rows.map((r) => Number(r.dataset.account));
      const locked = rows.filter((r) => r.querySelector('.route-lock').checked).map((r) => Number(r.dataset.account));
      // Locked stops open the day in the order shown.
      const rest = stops.filter((id) => !locked.includes(id));
      return { rep_id: Number(card.dataset.rep), stops: [...locked, ...rest], locked };
    });
    return { routes, optimize };
  }

  async function update(optimize) {
    if (!state.plan) return;
    showStatus('');
    try {
      const p = await put(`/api/v1/routes/${state.plan.id}`, change(optimize), { signal: ctx.signal, timeout: 120000 });
      showPlan(p);
    } catch (err) {
      if (!isAbort(err)) showStatus(err.message);
    }
  }

  async function remove() {
    if (!state.plan || !confirm('Delete this plan?')) return;
    try {
      await del(`/api/v1/routes/${state.plan.id}`, { signal: ctx.signal });
      state.plan = null;
      replace(result);
      drawPlan();
      loadSaved();
    } catch (err) {
      if (!isAbort(err)) showStatus(err.message);
    }
  }

  function moveRow(row, dir) {
    const sib = dir < 0 ? row.previousElementSibling : row.nextElementSibling;
    if (!sib) return;
    if (dir < 0) sib.before(row);
    else sib.after(row);
    renumber(row.parentElement);
  }

  function renumber(list) {
    [...list.children].forEach((row, i) => {
      const n = row.querySelector('.route-num');
      if (n) n.textContent = String(i + 1);
    });
    result.querySelector('#plan-save-order')?.removeAttribute('disabled');
  }

  function stopRow(st, i, timeZone) {
    const row = h('li', { class: 'route-stop', draggable: 'true', dataset: { account: String(st.account_id) } },
      h('span', { class: 'route-num', title: 'Stop number' }, String(i + 1)),
      h('span', { class: 'route-stop-main' },
        h('span', { class: 'routes-name' }, st.name),
        h('span', { class: 'route-time' }, `arrive ${clockIn(st.arrival, timeZone)}`,
          st.start !== st.arrival ? ` · start ${clockIn(st.start, timeZone)}` : '', ` · leave ${clockIn(st.depart, timeZone)}`),
        st.window_start || st.window_end ? h('span', { class: 'routes-muted' }, `window ${st.window_start || '…'}–${st.window_end || '…'}`) : null),
      h('label', { class: 'routes-check route-lock-label', title: 'Keep this stop in place when re-optimising' },
        h('input', { class: 'route-lock', type: 'checkbox', checked: !!st.locked }), 'Lock'),
      h('button', { class: 'btn btn-small btn-ghost route-up', type: 'button', 'aria-label': `Move ${st.name} up`, on: { click: () => moveRow(row, -1) } }, '↑'),
      h('button', { class: 'btn btn-small btn-ghost route-down', type: 'button', 'aria-label': `Move ${st.name} down`, on: { click: () => moveRow(row, 1) } }, '↓'));
    row.addEventListener('dragstart', (e) => {
      row.classList.add('dragging');
      if (e.dataTransfer) e.dataTransfer.effectAllowed = 'move';
    });
    row.addEventListener('dragend', () => {
      row.classList.remove('dragging');
      renumber(row.parentElement);
    });
    return row;
  }

  function dropZone(list) {
    list.addEventListener('dragover', (e) => {
      const dragging = result.querySelector('.route-stop.dragging');
      if (!dragging) return;
      e.preventDefault();
      const after = [...list.querySelectorAll('.route-stop:not(.dragging)')].find((r) => {
        const box = r.getBoundingClientRect();
        return e.clientY < box.top + box.height / 2;
      });
      if (after) after.before(dragging);
      else list.append(dragging);
    });
    return list;
  }

  function showPlan(p) {
    state.plan = p;
    const timeZone = p.time_zone || 'UTC';
    const cards = (p.routes || []).map((r, i) => {
      const color = ROUTE_COLORS[i % ROUTE_COLORS.length];
      const list = dropZone(h('ol', { class: 'route-stops' }, (r.stops || []).map((st, k) => stopRow(st, k, timeZone))));
      const google = (r.links && r.links.google) || [];
      const apple = (r.links && r.links.apple) || [];
      return h('article', { class: 'route-card card', dataset: { rep: String(r.rep_id) }, vars: { '--route-color': color } },
        h('h2', { class: 'route-title' }, h('span', { class: 'route-swatch' }), r.rep_name || `Rep ${r.rep_id}`),
        h('p', { class: 'routes-muted route-summary' },
          `${(r.stops || []).length} stops · ${km(r.distance_meters)} · ${hours(r.duration_seconds)} · leave ${clockIn(r.depart, timeZone)}, back ${clockIn(r.return, timeZone)}`,
          r.break ? ` · lunch ${clockIn(r.break.start, timeZone)}` : ''),
        list,
        h('p', { class: 'route-links' },
          google.map((l, k) => h('a', { class: 'btn btn-small', href: l.url, target: '_blank', rel: 'noopener noreferrer' }, google.length > 1 ? `Google Maps ${k + 1}/${google.length}` : 'Google Maps')),
          apple.length ? h('a', { class: 'btn btn-small', href: apple[0].url, target: '_blank', rel: 'noopener noreferrer', title: 'Apple Maps takes one leg at a time: this opens the first' }, 'Apple Maps (first leg)') : null),
        apple.length > 1 ? h('details', { class: 'route-apple' }, h('summary', null, 'Apple Maps, leg by leg'),
          h('ol', null, apple.map((l) => h('li', null, h('a', { href: l.url, target: '_blank', rel: 'noopener noreferrer' }, `${l.from === 0 ? 'Home' : `Stop ${l.from}`} → ${l.to === (r.stops || []).length + 1 ? 'Home' : `Stop ${l.to}`}`))))) : null);
    });
    const unassigned = p.unassigned || [];
    const nearby = h('section', { class: 'card route-nearby', id: 'plan-nearby', dataset: { state: 'loading' } },
      h('h3', null, 'While you’re there'),
      h('p', { class: 'routes-muted route-nearby-hint' }, `Prospects within ${distance(NEARBY_RADIUS_M)} of a stop, nearest first.`),
      h('ul', { class: 'route-nearby-list' }, h('li', { class: 'routes-muted' }, 'Looking…')));
    replace(result,
      h('header', { class: 'routes-result-head' },
        h('h2', { id: 'plan-name' }, p.name),
        h('p', { class: 'routes-muted' }, `${km(p.distance_meters)} in all · travel from ${p.matrix}`)),
      (p.warnings || []).map((w) => h('p', { class: 'routes-warning' }, w)),
      cards,
      unassigned.length ? h('section', { class: 'card routes-unassigned', id: 'plan-unassigned' },
        h('h3', null, `Left out (${unassigned.length})`),
        h('ul', null, unassigned.map((s) => h('li', null, s.name)))) : null,
      nearby,
      h('div', { class: 'routes-row routes-actions' },
        h('button', { id: 'plan-save-order', class: 'btn', type: 'button', disabled: true, on: { click: () => update(false) } }, 'Keep this order'),
        h('button', { id: 'plan-reoptimize', class: 'btn btn-primary', type: 'button', on: { click: () => update(true) } }, 'Re-optimise unlocked stops'),
        h('a', { id: 'plan-gpx', class: 'btn', href: p.links.gpx, download: `route-${p.id}.gpx` }, 'GPX'),
        h('a', { id: 'plan-ics', class: 'btn', href: p.links.ics, download: `route-${p.id}.ics` }, 'Calendar (ICS)'),
        h('button', { class: 'btn btn-ghost', type: 'button', on: { click: remove } }, 'Delete')));
    drawPlan();
    loadNearby(p, nearby);
  }

  result.addEventListener('change', (e) => {
    if (e.target instanceof HTMLElement && e.target.classList.contains('route-lock')) result.querySelector('#plan-save-order')?.removeAttribute('disabled');
  });

  // --- Map ------------------------------------------------------------------

  async function startMap() {
    let lib;
    try {
      lib = await loadMapLibre();
    } catch (err) {
      showStatus(`The map could not be loaded: ${err.message}`, 'warning');
      return;
    }
    const config = await get('/api/v1/map/config', null, { signal: ctx.signal }).catch(() => null);
    if (state.destroyed) return;
    if (config && config.basemap === 'pmtiles') {
      try {
        await loadPMTiles(lib);
      } catch {
        config.basemap = 'offline';
      }
    }
    let map;
    try {
      map = new lib.Map({ container: mapEl, style: basemapStyle(config), center: [0, 20], zoom: 1.5, dragRotate: false, attributionControl: { compact: true } });
    } catch (err) {
      showStatus(`The map could not start: ${err.message}`, 'warning');
      return;
    }
    state.lib = lib;
    state.map = map;
    try {
      if (localStorage.getItem('meridianTest') === '1') window.__meridianRoutesMap = map;
    } catch {
      // no test hook
    }
    map.addControl(new lib.NavigationControl({ showCompass: false }), 'top-right');
    map.on('load', () => {
      if (state.destroyed) return;
      map.addSource('route-candidates', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'route-candidates', type: 'circle', source: 'route-candidates',
        paint: { 'circle-radius': ['case', ['get', 'selected'], 6, 4], 'circle-color': ['case', ['get', 'selected'], '#ff6f00', '#607d8b'], 'circle-stroke-color': '#fff', 'circle-stroke-width': 1 } });
      map.addSource('route-lines', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'route-lines', type: 'line', source: 'route-lines', paint: { 'line-color': ['get', 'color'], 'line-width': 3, 'line-opacity': 0.85 } });
      map.addSource('route-lasso', { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
      map.addLayer({ id: 'route-lasso', type: 'line', source: 'route-lasso', paint: { 'line-color': '#ff6f00', 'line-width': 2, 'line-dasharray': [2, 1] } });
      map.on('click', 'route-candidates', (e) => {
        const f = e.features && e.features[0];
        if (!f || state.lasso) return;
        const id = Number(f.properties.id);
        const a = state.onMap.find((x) => x.id === id);
        if (!a) return;
        if (state.selected.has(id)) state.selected.delete(id);
        else state.selected.set(id, a);
        renderAccounts();
        drawCandidates();
      });
      loadMapAccounts(true);
      if (state.plan) drawPlan();
    });
    map.on('moveend', () => loadMapAccounts(false));
  }

  async function loadMapAccounts(fit) {
    const map = state.map;
    if (!map) return;
    const b = map.getBounds();
    const bbox = fit ? undefined : [b.getWest(), b.getSouth(), b.getEast(), b.getNorth()].map((v, i) => Math.max(i % 2 ? -90 : -180, Math.min(i % 2 ? 90 : 180, v)).toFixed(5)).join(',');
    try {
      const res = await get('/api/v1/accounts', { bbox, limit: MAP_LIMIT }, { signal: ctx.signal });
      state.onMap = ((res && res.items) || []).filter((a) => a.lon != null && a.lat != null);
      drawCandidates();
      if (fit && state.onMap.length && !state.plan) fitTo(state.onMap.map((a) => [a.lon, a.lat]));
    } catch (err) {
      if (!isAbort(err)) showStatus(`Accounts for the map could not be loaded: ${err.message}`, 'warning');
    }
  }

  function fitTo(coords) {
    if (!state.map || !coords.length) return;
    const lons = coords.map((c) => c[0]);
    const lats = coords.map((c) => c[1]);
    state.map.fitBounds([[Math.min(...lons), Math.min(...lats)], [Math.max(...lons), Math.max(...lats)]], { padding: 50, maxZoom: 14, duration: 0 });
  }

  function drawCandidates() {
    const src = state.map && state.map.getSource('route-candidates');
    if (!src) return;
    const all = new Map(state.onMap.map((a) => [a.id, a]));
    for (const [id, a] of state.selected) all.set(id, a);
    src.setData({ type: 'FeatureCollection', features: [...all.values()].map((a) => ({
      type: 'Feature', geometry: { type: 'Point', coordinates: [a.lon, a.lat] }, properties: { id: a.id, selected: state.selected.has(a.id) },
    })) });
  }

  function drawPlan() {
    for (const m of state.markers) m.remove();
    state.markers = [];
    const src = state.map && state.map.getSource('route-lines');
    if (!src) return;
    const p = state.plan;
    const features = [];
    const coords = [];
    const tzName = (p && p.time_zone) || 'UTC';
    ((p && p.routes) || []).forEach((r, i) => {
      const color = ROUTE_COLORS[i % ROUTE_COLORS.length];
      const line = [[r.start.lon, r.start.lat], ...(r.stops || []).map((s) => [s.location.lon, s.location.lat]), [r.end.lon, r.end.lat]];
      coords.push(...line);
      if ((r.stops || []).length) features.push({ type: 'Feature', geometry: { type: 'LineString', coordinates: line }, properties: { color } });
      const home = h('div', { class: 'route-marker route-marker-home', vars: { '--route-color': color }, title: `${r.rep_name}: home` }, '⌂');
      state.markers.push(new state.lib.Marker({ element: home }).setLngLat(line[0]).addTo(state.map));
      (r.stops || []).forEach((s, k) => {
        const el = h('div', { class: 'route-marker', vars: { '--route-color': color }, title: `${k + 1}. ${s.name}, arrive ${clockIn(s.arrival, tzName)}` },
          h('span', { class: 'route-marker-num' }, String(k + 1)),
          h('span', { class: 'route-marker-time' }, clockIn(s.arrival, tzName)));
        state.markers.push(new state.lib.Marker({ element: el }).setLngLat([s.location.lon, s.location.lat]).addTo(state.map));
      });
    });
    src.setData({ type: 'FeatureCollection', features });
    if (coords.length) fitTo(coords);
  }

  // The lasso: press and drag on the map to draw a loop; accounts inside it
  // are added to the selection.
  function toggleLasso() {
    const map = state.map;
    if (!map) return;
    if (state.lasso) {
      endLasso();
      return;
    }
    const canvas = map.getCanvasContainer();
    const ring = [];
    const lngLat = (e) => {
      const r = canvas.getBoundingClientRect();
      const ll = map.unproject([e.clientX - r.left, e.clientY - r.top]);
      return [ll.lng, ll.lat];
    };
    const draw = () => map.getSource('route-lasso')?.setData({ type: 'FeatureCollection', features: ring.length > 1 ? [{ type: 'Feature', geometry: { type: 'LineString', coordinates: [...ring, ring[0]] }, properties: {} }] : [] });
    const down = (e) => {
      ring.length = 0;
      ring.push(lngLat(e));
      canvas.setPointerCapture?.(e.pointerId);
      state.lasso.drawing = true;
    };
    const move = (e) => {
      if (!state.lasso || !state.lasso.drawing) return;
      ring.push(lngLat(e));
      draw();
    };
    const up = () => {
      if (!state.lasso || !state.lasso.drawing) return;
      state.lasso.drawing = false;
      if (ring.length >= 3) {
        let n = 0;
        for (const a of state.onMap) {
          if (insideRing([a.lon, a.lat], ring) && !state.selected.has(a.id)) {
            state.selected.set(a.id, a);
            n++;
          }
        }
        showStatus(`${n} accounts added from the lasso.`, 'info');
        renderAccounts();
        drawCandidates();
      }
      endLasso();
    };
    canvas.addEventListener('pointerdown', down);
    canvas.addEventListener('pointermove', move);
    canvas.addEventListener('pointerup', up);
    map.dragPan.disable();
    state.lasso = { down, move, up, drawing: false };
    lassoBtn.setAttribute('aria-pressed', 'true');
    lassoBtn.classList.add('active');
    mapEl.classList.add('lasso-mode');
  }

  function endLasso() {
    const map = state.map;
    if (!map || !state.lasso) return;
    const canvas = map.getCanvasContainer();
    canvas.removeEventListener('pointerdown', state.lasso.down);
    canvas.removeEventListener('pointermove', state.lasso.move);
    canvas.removeEventListener('pointerup', state.lasso.up);
    map.dragPan.enable();
    map.getSource('route-lasso')?.setData({ type: 'FeatureCollection', features: [] });
    state.lasso = null;
    lassoBtn.setAttribute('aria-pressed', 'false');
    lassoBtn.classList.remove('active');
    mapEl.classList.remove('lasso-mode');
  }

  // --- Start ----------------------------------------------------------------

  loadReps();
  loadAccounts();
  loadSaved();
  startMap();
  const open = Number(ctx.query.get('plan'));
  if (open > 0) openPlan(open);

  return () => {
    state.destroyed = true;
    clearTimeout(state.typeTimer);
    for (const m of state.markers) m.remove();
    if (state.map) state.map.remove();
  };
}
