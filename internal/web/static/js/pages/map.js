// The Map page: every account on a map (MapLibre, vector tiles from the
// API, clustered by the server), territories drawn over it, a filter bar, a
// "colour by" choice with its legend, the accounts in view, the metrics of
// the area in view (or of a territory clicked), an account drawer with the
// interaction timeline and an edit form, and "where am I" on a phone.
//
// Filters, colouring and the view live in the address
// (#/map?stage=lead,won&color=owner&at=39.74,-104.99,10), so reload and the
// back button keep them. With selection=ID (saved by the analytics page)
// only that selection's accounts show, and color=selection colours them by
// its groups (a funnel's furthest step, a segment).
//
// Managers and admins also draw and edit territories here (map/territories.js,
// map/draw.js): the "Draw territory" button, and "Edit shape" / "Delete" on a
// territory clicked.
//
// Fixed ids, for tests: #map, #map-legend, #metrics-panel, #metrics-accounts,
// #view-list, #account-drawer, #color-by, #filter-stage (a fieldset of one
// checkbox per stage), #filter-text, #locate-me; the territory tools' ids are
// listed in map/territories.js.
//
// Test hook: when localStorage.meridianTest is '1' (set by the browser tests
// before the page loads), the MapLibre map is window.__meridianMap, so that a
// test can read the view and find clusters on screen. Nothing else is exposed.

import { get, isAbort, patch, post } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { NONE, formatDateTime, formatNumber, formatRelativeDate, formatValue, parseTime } from '../format.js';
import { DRAW_LAYERS } from '../map/draw.js';
import { loadMapLibre, loadPMTiles } from '../map/maplibre.js';
import {
  CLUSTER_LABEL, CLUSTER_RADIUS, COLOR_FIELDS, FONT, NO_VALUE_COLOR,
  absolute, addCategories, basemapStyle, bbox, clusterColor, colorScheme, groupLegend,
} from '../map/style.js';
import { overlayTools } from '../map/overlays.js';
import { territoryTools } from '../map/territories.js';
import { trailControl } from '../map/trail.js';
import { checkInForm, visitFacts } from '../field/checkin.js';
import { setQuery } from '../router.js';
import { getStages, safeColor, stageChip } from '../stages.js';

/** Accounts per page of the "in view" list. */
export const LIST_PAGE_SIZE = 50;
/** Milliseconds after the map stops moving before the list and metrics follow. */
export const MOVE_DELAY_MS = 350;
/** Milliseconds of typing pause before a text filter applies. */
export const TYPE_DELAY_MS = 400;
/** The contiguous United States: the view when there is nothing to fit. */
export const US_BOUNDS = [-125, 24.4, -66.9, 49.4];

/** The last-visit filter's choices and the query parameters they send. */
const VISIT_FILTERS = [
  { value: '', label: 'Any last visit' },
  { value: 'lt7', label: 'Visited in the last 7 days', after: 7 },
  { value: 'lt30', label: 'Visited in the last 30 days', after: 30 },
  { value: 'lt90', label: 'Visited in the last 90 days', after: 90 },
  { value: 'gt30', label: 'Last visit over 30 days ago', before: 30 },
  { value: 'gt90', label: 'Last visit over 90 days ago', before: 90 },
  { value: 'never', label: 'Never visited', never: true },
];

const TILE_PATH = '/api/v1/tiles/accounts/{z}/{x}/{y}.mvt';
/** The colouring by the groups of the address's selection (a funnel's steps, segments). */
const SELECTION_COLOR = { value: 'selection', label: 'Selection groups' };
const ACCOUNT_LAYERS = ['account-clusters', 'account-points'];
const PHONE = window.matchMedia('(max-width: 600px)');

/**
 * Shows the map page.
 * @param {HTMLElement} container
 * @param {{query: URLSearchParams, signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  const q = ctx.query;
  const state = {
    stages: splitList(q.get('stage')),
    owner: (q.get('owner') || '').trim(),
    territory: (q.get('territory') || '').trim(),
    q: (q.get('q') || '').trim(),
    visit: VISIT_FILTERS.some((v) => v.value === q.get('visit')) ? q.get('visit') : '',
    color: q.get('color') || 'stage',
    overlay: (q.get('overlay') || '').trim(),
    /** Filters the page has no control for, carried from the address (tag, custom.*). */
    extra: Object.fromEntries([...q.entries()].filter(([k]) => k === 'tag' || k === 'selection' || k.startsWith('custom.'))),
    field: (q.get('field') || '').trim(),
    /** @type {import('../stages.js').Stage[]} */
    stageList: [],
    /** @type {Map<string, import('../stages.js').Stage>} */
    stageByKey: new Map(),
    /** Categorical colours, by value, for the current colouring field. */
    categories: new Map(),
    /** The address's selection when it has groups: {label, groups: [{label, accounts}]}. */
    selection: null,
    territories: null,
    /** The territory whose metrics are shown instead of the view's. */
    metricsTerritory: null,
    selectedId: null,
    list: { seq: 0, cursor: '', shown: 0, controller: null },
    metrics: { seq: 0, controller: null },
    drawer: { seq: 0, controller: null, account: null, returnFocus: null },
    moveTimer: 0,
    typeTimer: 0,
    lib: null,
    map: null,
    meMarker: null,
    /** The territory tools (managers and admins), or null. */
    tools: null,
    destroyed: false,
  };
  const role = ctx.me && ctx.me.user ? ctx.me.user.role : '';
  const canEditTerritories = role === 'manager' || role === 'admin';
  const colorFields = state.extra.selection ? [...COLOR_FIELDS, SELECTION_COLOR] : COLOR_FIELDS;
  if (state.color === 'custom' || (!colorFields.some((f) => f.value === state.color) && !state.color.startsWith('custom.'))) {
    state.color = 'stage';
  }

  document.body.classList.add('map-mode');

  // --- Elements -----------------------------------------------------------

  const stageSummary = h('summary', { class: 'input select stage-summary', id: 'filter-stage-summary' }, 'All stages');
  const stageFieldset = h('fieldset', { id: 'filter-stage', class: 'stage-options' },
    h('legend', { class: 'visually-hidden' }, 'Stages to show'));
  const stageMenu = h('details', { class: 'stage-menu', id: 'filter-stage-menu' }, stageSummary,
    h('div', { class: 'stage-popover' }, stageFieldset,
      h('div', { class: 'stage-actions' },
        h('button', { class: 'btn btn-small btn-ghost', type: 'button', on: { click: () => setAllStages(false) } }, 'All stages'))));

  const text = h('input', {
    id: 'filter-text', class: 'input input-search', type: 'search', name: 'q', value: state.q,
    placeholder: 'Search name, city, postal code', autocomplete: 'off', spellcheck: 'false', enterkeyhint: 'search', maxlength: '200',
  });
  // Tags and custom fields: "vip" (a tag), "Industry=Retail" (a custom
  // field's value), several separated by ";".
  const field = h('input', {
    id: 'filter-field', class: 'input', type: 'text', name: 'field', value: state.field,
    placeholder: 'Tag or Field=value', title: 'A tag (vip), or a custom field and its value (Industry=Retail); several separated by ;',
    autocomplete: 'off', spellcheck: 'false', maxlength: '200',
  });
  const owner = h('input', {
    id: 'filter-owner', class: 'input', type: 'text', name: 'owner', value: state.owner, list: 'filter-owner-options',
    placeholder: 'Owner: email or “me”', autocomplete: 'off', spellcheck: 'false', maxlength: '200',
  });
  const ownerOptions = h('datalist', { id: 'filter-owner-options' }, h('option', { value: 'me' }, 'My accounts'));
  const territory = h('select', { id: 'filter-territory', class: 'input select select-plain', name: 'territory' },
    h('option', { value: '' }, 'All territories'),
    h('option', { value: 'none' }, 'No territory'));
  if (state.territory && state.territory !== 'none') territory.append(h('option', { value: state.territory }, state.territory));
  territory.value = state.territory;
  const visit = h('select', { id: 'filter-visit', class: 'input select select-plain', name: 'visit' },
    VISIT_FILTERS.map((v) => h('option', { value: v.value }, v.label)));
  visit.value = state.visit;

  const colorBy = h('select', { id: 'color-by', class: 'input select select-plain', name: 'color' },
    colorFields.map((f) => h('option', { value: f.value }, f.label)));
  const customField = h('input', {
    id: 'color-custom', class: 'input', type: 'text', name: 'color_custom', placeholder: 'Custom field name',
    autocomplete: 'off', spellcheck: 'false', maxlength: '100',
    value: state.color.startsWith('custom.') ? state.color.slice('custom.'.length) : '',
  });
  colorBy.value = state.color.startsWith('custom.') ? 'custom' : state.color;
  customField.hidden = colorBy.value !== 'custom';

  const clear = h('button', { class: 'btn btn-ghost btn-small', type: 'button', id: 'filter-clear', on: { click: clearFilters } }, 'Clear');
  const filterCount = h('span', { class: 'badge', hidden: true });
  const filtersToggle = h('button', {
    class: 'btn btn-small map-filters-toggle', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'map-filters-body',
  }, icon('M4 6h16M7 12h10M10 18h4'), 'Filters', filterCount);

  const filters = h('form', { class: 'map-filters', id: 'map-filters', role: 'search', 'aria-label': 'Filter the map' },
    filtersToggle,
    h('div', { class: 'map-filters-body', id: 'map-filters-body' },
      h('div', { class: 'map-field map-field-text' },
        h('label', { class: 'visually-hidden', for: 'filter-text' }, 'Search accounts'),
        searchIcon(), text),
      h('div', { class: 'map-field map-field-stage' }, stageMenu),
      h('div', { class: 'map-field' },
        h('label', { class: 'visually-hidden', for: 'filter-owner' }, 'Owner'), owner, ownerOptions),
      h('div', { class: 'map-field' },
        h('label', { class: 'visually-hidden', for: 'filter-territory' }, 'Territory'), territory),
      h('div', { class: 'map-field' },
        h('label', { class: 'visually-hidden', for: 'filter-visit' }, 'Last visit'), visit),
      h('div', { class: 'map-field' },
        h('label', { class: 'visually-hidden', for: 'filter-field' }, 'Tag or custom field'), field),
      h('div', { class: 'map-field map-field-color' },
        h('label', { class: 'map-field-label', for: 'color-by' }, 'Colour by'), colorBy,
        h('label', { class: 'visually-hidden', for: 'color-custom' }, 'Custom field to colour by'), customField),
      clear));

  const mapEl = h('div', { id: 'map', class: 'map-canvas', role: 'region', 'aria-label': 'Map of accounts' });
  const legendBody = h('div', { class: 'map-legend-body' });
  const legendTitle = h('span', { class: 'map-legend-title' }, 'Stage');
  const legendToggle = h('button', { class: 'map-legend-toggle', type: 'button', 'aria-expanded': 'true', 'aria-controls': 'map-legend-body' },
    legendTitle);
  legendBody.id = 'map-legend-body';
  const legend = h('div', { id: 'map-legend', class: 'map-legend', 'aria-label': 'Legend' }, legendToggle, legendBody);
  const locate = h('button', { id: 'locate-me', class: 'map-locate', type: 'button', title: 'Show where I am', 'aria-label': 'Show where I am' },
    icon('M12 2v3M12 19v3M2 12h3M19 12h3M12 7a5 5 0 1 0 0 10a5 5 0 1 0 0-10z', 20));
  // Satellite imagery over the basemap, when the server has a source for it.
  const satellite = h('button', { id: 'toggle-satellite', class: 'map-satellite', type: 'button', hidden: true, 'aria-pressed': 'false',
    on: { click: toggleSatellite } }, 'Satellite');
  const mapStatus = h('p', { id: 'map-status', class: 'map-status', role: 'status', hidden: true });
  const loading = h('div', { class: 'map-loading', role: 'status' },
    h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading the map…');

  const metricsScope = h('p', { class: 'metrics-scope' }, 'In view');
  const metricsBack = h('button', { class: 'btn btn-small btn-ghost', type: 'button', hidden: true, on: { click: backToView } }, 'Back to view');
  const metricsAccounts = h('span', { id: 'metrics-accounts', class: 'metric-value' }, NONE);
  const metricsLeads = h('span', { class: 'metric-value', id: 'metrics-leads' }, NONE);
  const metricsWon = h('span', { class: 'metric-value', id: 'metrics-won' }, NONE);
  const metricsRate = h('span', { class: 'metric-value', id: 'metrics-win-rate' }, NONE);
  const metricsRevenue = h('span', { class: 'metric-value', id: 'metrics-revenue' }, NONE);
  const metricsStages = h('ul', { class: 'metric-stages', id: 'metrics-by-stage' });
  const metricsError = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const metricsPanel = h('section', { id: 'metrics-panel', class: 'map-metrics', 'aria-labelledby': 'metrics-heading', 'aria-busy': 'false' },
    h('div', { class: 'panel-head' },
      h('h2', { id: 'metrics-heading', class: 'panel-title' }, 'Area metrics'), metricsBack),
    metricsScope,
    h('dl', { class: 'metric-grid' },
      metric('Accounts', metricsAccounts),
      metric('Leads created', metricsLeads),
      metric('Won', metricsWon),
      metric('Win rate', metricsRate),
      metric('Est. revenue', metricsRevenue)),
    metricsStages,
    metricsError);

  const listCount = h('span', { class: 'panel-meta', id: 'view-list-count', 'aria-live': 'polite' });
  const list = h('ul', { id: 'view-list', class: 'view-list', 'aria-labelledby': 'view-list-heading' });
  const listStatus = h('div', { class: 'list-status', role: 'status' });
  const listError = h('div', { class: 'alert alert-error', role: 'alert', hidden: true });
  const listMore = h('button', { class: 'btn btn-small', type: 'button', hidden: true, id: 'view-list-more', on: { click: () => loadList(true) } }, 'Load more');
  const listPanel = h('section', { class: 'map-list', 'aria-labelledby': 'view-list-heading' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'view-list-heading', class: 'panel-title' }, 'Accounts in view'), listCount),
    listError, list, listStatus, h('div', { class: 'list-footer' }, listMore));

  const tabList = h('button', { class: 'map-tab', type: 'button', role: 'tab', id: 'tab-list', 'aria-controls': 'map-side-body', 'aria-selected': 'true' }, 'In view');
  const tabMetrics = h('button', { class: 'map-tab', type: 'button', role: 'tab', id: 'tab-metrics', 'aria-controls': 'map-side-body', 'aria-selected': 'false' }, 'Area');
  const side = h('aside', { class: 'map-side', id: 'map-side', 'aria-label': 'Accounts and metrics', dataset: { tab: 'list', open: 'false' } },
    h('div', { class: 'map-tabs', role: 'tablist', 'aria-label': 'Panels' }, tabList, tabMetrics),
    h('div', { class: 'map-side-body', id: 'map-side-body' }, metricsPanel, listPanel));

  const drawerBody = h('div', { class: 'drawer-body' });
  const drawerClose = h('button', { class: 'drawer-close', type: 'button', 'aria-label': 'Close', on: { click: closeDrawer } }, '×');
  const drawer = h('aside', { id: 'account-drawer', class: 'account-drawer', 'aria-label': 'Account', hidden: true, tabindex: '-1' },
    drawerClose, drawerBody);

  if (canEditTerritories) {
    state.tools = territoryTools({
      signal: ctx.signal,
      territories: () => (state.territories ? state.territories.features : []),
      onSaved: reloadTerritories,
      onMetrics: showPolygonMetrics,
      onEditing: hideTerritory,
      onSelect: (f) => { if (!f) selectTerritory(null); },
    });
  }

  const overlays = overlayTools({ signal: ctx.signal, canEdit: canEditTerritories, only: state.overlay,
    onFilter: (id) => { state.overlay = id; setQuery({ overlay: id }); refreshAccounts(); } });

  container.append(
    h('div', { class: 'map-page' },
      h('h1', { class: 'visually-hidden' }, 'Map'),
      filters,
      h('div', { class: 'map-body' },
        h('div', { class: 'map-stage' }, mapEl, loading, legend, locate, satellite, mapStatus, state.tools && state.tools.element,
          h('div', { class: 'map-layers' }, overlays.element,
            trailControl({ signal: ctx.signal, map: () => state.map, me: (ctx.me && ctx.me.user) || { id: 0, role: 'rep' } })), drawer),
        side)),
  );

  // --- Filters --------------------------------------------------------------

  /** The filters as API query parameters (shared by tiles, list and metrics). */
  /** The query parameters of the tag / custom-field box. */
  function fieldParams(text) {
    const p = {};
    const tags = [];
    for (const term of text.split(';').map((t) => t.trim()).filter(Boolean)) {
      const eq = term.indexOf('=');
      if (eq > 0) p[`custom.${term.slice(0, eq).trim()}`] = term.slice(eq + 1).trim();
      else tags.push(term);
    }
    if (tags.length) p.tag = tags.join(',');
    return p;
  }

  function filterParams() {
    const p = { ...state.extra, ...fieldParams(state.field) };
    if (state.stages.length) p.stage = state.stages.join(',');
    if (state.owner) p.owner = state.owner;
    if (state.territory) p.territory = state.territory;
    if (state.q) p.q = state.q;
    if (state.overlay) p.overlay = state.overlay;
    const v = VISIT_FILTERS.find((f) => f.value === state.visit);
    if (v && v.after) p.last_visit_after = daysAgo(v.after);
    if (v && v.before) p.last_visit_before = daysAgo(v.before);
    if (v && v.never) p.last_visit = 'never';
    return p;
  }

  function tileURL() {
    const params = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...filterParams(), color: state.color })) {
      if (v != null && v !== '') params.set(k, String(v));
    }
    return `${absolute(TILE_PATH)}?${params.toString()}`;
  }

  function fillStages(stages) {
    state.stageList = stages.map((s) => ({ ...s, color: safeColor(s.color) }));
    state.stageByKey = new Map(state.stageList.map((s) => [s.key, s]));
    const keys = [...state.stageList.map((s) => s.key), ...state.stages.filter((k) => !state.stageByKey.has(k))];
    stageFieldset.append(...keys.map((key) => {
      const s = state.stageByKey.get(key);
      return h('label', { class: 'stage-option' },
        h('input', { type: 'checkbox', name: 'stage', value: key, checked: state.stages.includes(key) }),
        h('span', { class: 'dot', 'aria-hidden': 'true', vars: { '--stage-color': safeColor(s && s.color) } }),
        h('span', null, s ? s.name : key));
    }));
    showStageSummary();
  }

  function showStageSummary() {
    const n = state.stages.length;
    const names = state.stages.map((k) => (state.stageByKey.get(k) || { name: k }).name);
    stageSummary.textContent = n === 0 ? 'All stages' : n <= 2 ? names.join(', ') : `${n} stages`;
    let count = 0;
    if (state.stages.length) count++;
    if (state.owner) count++;
    if (state.territory) count++;
    if (state.q) count++;
    if (state.visit) count++;
    if (state.field) count++;
    filterCount.textContent = String(count);
    filterCount.hidden = count === 0;
  }

  function setAllStages(on) {
    for (const box of stageFieldset.querySelectorAll('input[type="checkbox"]')) box.checked = on;
    applyFilters();
  }

  function applyFilters() {
    clearTimeout(state.typeTimer);
    const next = {
      stages: [...stageFieldset.querySelectorAll('input[type="checkbox"]:checked')].map((b) => b.value),
      owner: owner.value.trim(),
      territory: territory.value,
      q: text.value.trim(),
      visit: visit.value,
      field: field.value.trim(),
    };
    const same = next.stages.join(',') === state.stages.join(',') && next.owner === state.owner &&
      next.territory === state.territory && next.q === state.q && next.visit === state.visit && next.field === state.field;
    if (same) return;
    Object.assign(state, next);
    setQuery({ stage: state.stages.join(','), owner: state.owner, territory: state.territory, q: state.q, visit: state.visit, field: state.field });
    showStageSummary();
    refreshAccounts();
  }

  function applyColor() {
    let color = colorBy.value;
    customField.hidden = color !== 'custom';
    if (color === 'custom') {
      const name = customField.value.trim();
      if (!name) {
        customField.focus();
        return;
      }
      color = `custom.${name}`;
    }
    if (color === state.color) return;
    state.color = color;
    resetCategories();
    setQuery({ color: color === 'stage' ? '' : color });
    if (state.map && state.map.getSource('accounts')) {
      addAccountLayers();
    } else {
      paintAccounts();
    }
  }

  function clearFilters() {
    text.value = '';
    owner.value = '';
    field.value = '';
    territory.value = '';
    visit.value = '';
    for (const box of stageFieldset.querySelectorAll('input[type="checkbox"]')) box.checked = false;
    applyFilters();
  }

  stageFieldset.addEventListener('change', applyFilters);
  territory.addEventListener('change', applyFilters);
  visit.addEventListener('change', applyFilters);
  field.addEventListener('change', applyFilters);
  for (const input of [text, owner, field]) {
    input.addEventListener('input', () => {
      clearTimeout(state.typeTimer);
      state.typeTimer = setTimeout(applyFilters, TYPE_DELAY_MS);
    });
  }
  owner.addEventListener('change', applyFilters);
  colorBy.addEventListener('change', applyColor);
  customField.addEventListener('change', applyColor);
  customField.addEventListener('keydown', (e) => {
    if (e.key === 'Enter') {
      e.preventDefault();
      applyColor();
    }
  });
  filters.addEventListener('submit', (e) => {
    e.preventDefault();
    applyFilters();
    applyColor();
  });
  filtersToggle.addEventListener('click', () => {
    const open = !filters.classList.contains('is-open');
    filters.classList.toggle('is-open', open);
    filtersToggle.setAttribute('aria-expanded', String(open));
  });
  document.addEventListener('click', closeStageMenu);
  function closeStageMenu(e) {
    if (stageMenu.open && !stageMenu.contains(/** @type {Node} */ (e.target))) stageMenu.open = false;
  }

  // --- Side panel (tabs on a phone) ------------------------------------------

  function showTab(tab) {
    const same = side.dataset.tab === tab;
    side.dataset.tab = tab;
    tabList.setAttribute('aria-selected', String(tab === 'list'));
    tabMetrics.setAttribute('aria-selected', String(tab === 'metrics'));
    // On a phone the sheet opens on a tab, and closes on the open tab.
    side.dataset.open = same && side.dataset.open === 'true' ? 'false' : 'true';
  }
  tabList.addEventListener('click', () => showTab('list'));
  tabMetrics.addEventListener('click', () => showTab('metrics'));

  legendToggle.addEventListener('click', () => {
    const collapsed = legend.classList.toggle('is-collapsed');
    legendToggle.setAttribute('aria-expanded', String(!collapsed));
  });
  if (PHONE.matches) {
    legend.classList.add('is-collapsed');
    legendToggle.setAttribute('aria-expanded', 'false');
  }

  // --- The map ----------------------------------------------------------------

  function showMapStatus(message, kind = 'error') {
    mapStatus.textContent = message;
    mapStatus.dataset.kind = kind;
    mapStatus.hidden = !message;
  }

  async function start() {
    const stagesP = getStages().catch((err) => {
      if (!isAbort(err)) showMapStatus(`Stages could not be loaded, so stage colours are missing: ${err.message}`, 'warning');
      return [];
    });
    const configP = get('/api/v1/map/config', null, { signal: ctx.signal }).catch(() => null);
    const territoriesP = get('/api/v1/territories', null, { signal: ctx.signal }).catch((err) => {
      if (!isAbort(err)) showMapStatus(`Territories could not be loaded: ${err.message}`, 'warning');
      return null;
    });
    const selectionP = !state.extra.selection ? null
      : get(`/api/v1/analytics/selections/${encodeURIComponent(state.extra.selection)}`, { ids: 'false' }, { signal: ctx.signal }).catch((err) => {
        if (!isAbort(err)) showMapStatus(`The selection could not be loaded: ${err.message}`, 'warning');
        return null;
      });
    let lib;
    try {
      lib = await loadMapLibre();
    } catch (err) {
      loading.hidden = true;
      showMapStatus(`The map could not be loaded: ${err.message}. Reload the page to try again.`);
      return;
    }
    const [stages, config, territories, selection] = await Promise.all([stagesP, configP, territoriesP, selectionP]);
    if (state.destroyed) return;
    useSelection(selection);
    state.config = config;
    fillStages(stages);
    state.territories = territories && Array.isArray(territories.features) ? territories : null;
    fillTerritories();
    const view = await initialView();
    if (state.destroyed) return;
    if (config && config.basemap === 'pmtiles') {
      try {
        await loadPMTiles(lib);
      } catch (err) {
        showMapStatus(`The basemap could not be loaded (${err.message}); showing the built-in one.`, 'warning');
        config.basemap = 'offline';
      }
    }
    state.lib = lib;
    const options = {
      container: mapEl,
      style: basemapStyle(config),
      attributionControl: { compact: true },
      dragRotate: false,
      pitchWithRotate: false,
      touchPitch: false,
      maxZoom: 19,
      cooperativeGestures: false,
    };
    if (view.bounds) {
      options.bounds = view.bounds;
      options.fitBoundsOptions = { padding: 40, maxZoom: 13 };
    } else {
      options.center = view.center;
      options.zoom = view.zoom;
    }
    let map;
    try {
      map = new lib.Map(options);
    } catch (err) {
      loading.hidden = true;
      showMapStatus(`The map could not start: ${err.message}. Your browser may not support WebGL.`);
      return;
    }
    state.map = map;
    exposeForTests(map);
    map.touchZoomRotate.disableRotation();
    map.addControl(new lib.NavigationControl({ showCompass: false }), 'top-right');
    map.addControl(new lib.ScaleControl({ maxWidth: 100 }), 'bottom-right');
    map.on('load', () => {
      if (state.destroyed) return;
      loading.hidden = true;
      addOverlays();
      overlays.attach(map);
      if (state.tools) state.tools.attach(map);
      onMoved();
    });
    map.on('moveend', () => {
      clearTimeout(state.moveTimer);
      state.moveTimer = setTimeout(onMoved, MOVE_DELAY_MS);
    });
    map.on('error', (e) => {
      const err = e && e.error;
      if (e && e.sourceId === 'accounts') {
        showMapStatus(`Accounts could not be drawn on the map: ${(err && err.message) || 'tile error'}`);
      } else if (err) {
        console.warn('map:', err.message || err);
      }
    });
    map.on('idle', collectCategories);
    new ResizeObserver(() => map.resize()).observe(mapEl);
  }

  function toggleSatellite() {
    const map = state.map;
    if (!map || !map.getLayer('satellite')) return;
    const on = map.getLayoutProperty('satellite', 'visibility') !== 'visible';
    map.setLayoutProperty('satellite', 'visibility', on ? 'visible' : 'none');
    satellite.setAttribute('aria-pressed', String(on));
    satellite.classList.toggle('is-on', on);
  }

  /** The first view: the address's, else the territories', else the first account's, else the US. */
  async function initialView() {
    const at = (q.get('at') || '').split(',').map(Number);
    if (at.length === 3 && at.every(Number.isFinite) && Math.abs(at[0]) <= 90 && Math.abs(at[1]) <= 180) {
      return { center: [at[1], at[0]], zoom: Math.min(Math.max(at[2], 0), 19) };
    }
    const tb = state.territories ? bbox(state.territories) : null;
    if (tb && tb[2] - tb[0] > 1e-6) return { bounds: tb };
    try {
      const page = await get('/api/v1/accounts', { limit: 1, ...filterParams() }, { signal: ctx.signal });
      const a = page && Array.isArray(page.items) ? page.items[0] : null;
      if (a && Number.isFinite(a.lon) && Number.isFinite(a.lat)) return { center: [a.lon, a.lat], zoom: 9 };
    } catch (err) {
      if (isAbort(err)) return { bounds: US_BOUNDS };
    }
    return { bounds: US_BOUNDS };
  }

  function addOverlays() {
    const map = state.map;
    const sat = state.config && state.config.satellite_url;
    if (sat && (state.config.basemap !== 'raster' || state.config.tiles_url)) {
      // Under every overlay, above the basemap; hidden until asked for.
      map.addSource('satellite', { type: 'raster', tiles: [absolute(sat)], tileSize: 256, attribution: state.config.attribution || '' });
      map.addLayer({ id: 'satellite', type: 'raster', source: 'satellite', layout: { visibility: 'none' } });
      satellite.hidden = false;
    }
    // Always there (empty when there are none yet), so that a territory drawn
    // now can be shown.
    const fc = state.territories || { type: 'FeatureCollection', features: [] };
    map.addSource('territories', { type: 'geojson', data: fc });
    map.addSource('territory-labels', { type: 'geojson', data: labelPoints(fc) });
    const tColor = ['case', ['has', 'color'], ['to-color', ['get', 'color'], '#2451c7'], '#2451c7'];
    map.addLayer({ id: 'territory-fill', type: 'fill', source: 'territories', paint: { 'fill-color': tColor, 'fill-opacity': 0.08 } });
    map.addLayer({
      id: 'territory-selected', type: 'line', source: 'territories', filter: ['==', ['get', 'id'], -1],
      paint: { 'line-color': tColor, 'line-width': 4, 'line-opacity': 0.55 },
    });
    map.addLayer({ id: 'territory-line', type: 'line', source: 'territories', paint: { 'line-color': tColor, 'line-width': 1.6, 'line-opacity': 0.8 } });
    map.addLayer({
      id: 'territory-label', type: 'symbol', source: 'territory-labels', minzoom: 5,
      layout: { 'text-field': ['get', 'name'], 'text-font': FONT, 'text-size': 13, 'text-max-width': 10, 'text-allow-overlap': false },
      paint: { 'text-color': '#1f2a44', 'text-halo-color': 'rgba(255,255,255,0.9)', 'text-halo-width': 1.6, 'text-opacity': 0.85 },
    });
    addAccountLayers();

    for (const layer of ACCOUNT_LAYERS) {
      map.on('mouseenter', layer, () => { map.getCanvas().style.cursor = 'pointer'; });
      map.on('mouseleave', layer, () => { map.getCanvas().style.cursor = ''; });
    }
    map.on('click', (e) => {
      // Drawing or reshaping a territory: the clicks are the editor's.
      if (state.tools && state.tools.active()) return;
      const hits = map.queryRenderedFeatures(e.point, { layers: ACCOUNT_LAYERS });
      const cluster = hits.find((f) => f.layer.id === 'account-clusters');
      const point = hits.find((f) => f.layer.id === 'account-points');
      if (point && point.properties.id != null) {
        openDrawer(Number(point.properties.id), null);
        return;
      }
      if (cluster) {
        const [lon, lat] = cluster.geometry.coordinates;
        map.easeTo({ center: [lon, lat], zoom: Math.min(map.getZoom() + 2, map.getMaxZoom()) });
        return;
      }
      if (!state.territories) return;
      // Territories nest: the smallest one under the click is the one meant
      // (as an account belongs to the smallest containing territory).
      const t = map.queryRenderedFeatures(e.point, { layers: ['territory-fill'] })
        .reduce((best, f) => (!best || Number(f.properties.area_km2) < Number(best.properties.area_km2) ? f : best), null);
      const feature = selectTerritory(t ? t.properties.id : null);
      if (state.tools) state.tools.select(feature);
    });
  }

  /**
   * Adds (again) the accounts' tile source and layers. Changing the
   * colouring replaces the source rather than reloading its tiles in place,
   * so that no tile coloured by the previous field is ever read for the
   * legend.
   */
  function addAccountLayers() {
    const map = state.map;
    for (const id of ['account-selected', 'account-points', 'account-cluster-count', 'account-clusters']) {
      if (map.getLayer(id)) map.removeLayer(id);
    }
    if (map.getSource('accounts')) map.removeSource('accounts');
    map.addSource('accounts', {
      type: 'vector',
      tiles: [tileURL()],
      minzoom: 0,
      maxzoom: 16,
      attribution: '',
    });
    const isCluster = ['has', 'point_count'];
    // Below the territory editor's layers, when they are there.
    const below = DRAW_LAYERS.find((id) => map.getLayer(id));
    const addLayer = (layer) => map.addLayer(layer, below);
    addLayer({
      id: 'account-clusters', type: 'circle', source: 'accounts', 'source-layer': 'accounts', filter: isCluster,
      paint: {
        'circle-color': clusterColor(state.color, state.stageList),
        'circle-radius': CLUSTER_RADIUS,
        'circle-opacity': 0.85,
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 2,
      },
    });
    addLayer({
      id: 'account-cluster-count', type: 'symbol', source: 'accounts', 'source-layer': 'accounts', filter: isCluster,
      layout: { 'text-field': CLUSTER_LABEL, 'text-font': FONT, 'text-size': 12, 'text-allow-overlap': true, 'text-ignore-placement': true },
      paint: { 'text-color': '#ffffff', 'text-halo-color': 'rgba(0,0,0,0.35)', 'text-halo-width': 0.8 },
    });
    addLayer({
      id: 'account-points', type: 'circle', source: 'accounts', 'source-layer': 'accounts', filter: ['!', isCluster],
      paint: {
        'circle-color': NO_VALUE_COLOR,
        'circle-radius': ['interpolate', ['linear'], ['zoom'], 4, 4, 12, 6, 16, 8],
        'circle-stroke-color': '#ffffff',
        'circle-stroke-width': 1.5,
      },
    });
    addLayer({
      id: 'account-selected', type: 'circle', source: 'accounts', 'source-layer': 'accounts',
      filter: ['all', ['!', isCluster], ['==', ['get', 'id'], -1]],
      paint: { 'circle-color': 'rgba(0,0,0,0)', 'circle-radius': 13, 'circle-stroke-color': '#18202b', 'circle-stroke-width': 3 },
    });
    markSelected(state.selectedId);
    paintAccounts();
  }

  /**
   * Keeps the groups of the address's selection for colouring by them, or,
   * when it has none, takes the choice away.
   */
  function useSelection(sel) {
    const groups = sel && Array.isArray(sel.groups) ? sel.groups : [];
    state.selection = groups.length ? { label: String(sel.label || ''), groups } : null;
    if (!state.selection) {
      const option = colorBy.querySelector(`option[value="${SELECTION_COLOR.value}"]`);
      if (option) option.remove();
      if (state.color === SELECTION_COLOR.value) {
        state.color = 'stage';
        colorBy.value = 'stage';
        setQuery({ color: '' });
      }
    }
    resetCategories();
  }

  /** Forgets the categorical colours; a selection's groups keep theirs, in order. */
  function resetCategories() {
    state.categories = new Map();
    if (state.color === SELECTION_COLOR.value && state.selection) {
      addCategories(state.categories, state.selection.groups.map((g) => String(g.label)));
    }
  }

  /** Sets the accounts' colours, the clusters' and the legend for state.color. */
  function paintAccounts() {
    const map = state.map;
    const field = state.color;
    const scheme = colorScheme(field, { stages: state.stageList, categories: state.categories });
    if (map && map.getLayer('account-points')) {
      map.setPaintProperty('account-points', 'circle-color', scheme.expression);
      map.setPaintProperty('account-clusters', 'circle-color', clusterColor(field, state.stageList));
    }
    const bySelection = field === SELECTION_COLOR.value && state.selection;
    const label = bySelection ? state.selection.label || SELECTION_COLOR.label : field.startsWith('custom.')
      ? field.slice('custom.'.length)
      : (colorFields.find((f) => f.value === field) || { label: field }).label;
    legendTitle.textContent = `Colour: ${label}`;
    const items = bySelection ? groupLegend(state.selection.groups, state.categories, formatNumber) : scheme.legend;
    replace(legendBody,
      h('ul', { class: 'legend-list' }, items.map((item) => h('li', { class: 'legend-item' },
        h('span', { class: 'dot', 'aria-hidden': 'true', vars: { '--stage-color': safeColor(item.color) } }),
        h('span', null, item.label)))),
      h('p', { class: 'legend-note' },
        h('span', { class: 'legend-cluster', 'aria-hidden': 'true' }, '12'),
        field === 'stage' ? 'Groups, in their most common stage’s colour' : 'Groups of accounts'));
  }

  /** For a categorical colouring, gives the values newly on the map a colour. */
  function collectCategories() {
    const map = state.map;
    const field = state.color;
    if (!map || field === 'stage' || field === 'days_since_visit' || field === 'estimated_value') return;
    if (!map.getSource('accounts') || !map.isSourceLoaded('accounts')) return;
    const values = new Set();
    for (const f of map.querySourceFeatures('accounts', { sourceLayer: 'accounts' })) {
      if (f.properties.point_count != null) continue;
      const v = f.properties.color;
      if (v != null && v !== '') values.add(String(v));
    }
    if (addCategories(state.categories, [...values].sort())) paintAccounts();
  }

  function setTiles() {
    const source = state.map && state.map.getSource('accounts');
    if (source) source.setTiles([tileURL()]);
  }

  /** After a filter change or an edit: tiles, list and metrics again. */
  function refreshAccounts() {
    if (!state.map) return;
    setTiles();
    loadList(false);
    loadMetrics();
  }

  function onMoved() {
    const map = state.map;
    if (!map || state.destroyed) return;
    const c = map.getCenter();
    setQuery({ at: `${c.lat.toFixed(5)},${c.lng.toFixed(5)},${map.getZoom().toFixed(2)}` });
    loadList(false);
    if (!state.metricsTerritory) loadMetrics();
  }

  function viewBBox() {
    const b = state.map.getBounds();
    const clamp = (v, lo, hi) => Math.min(Math.max(v, lo), hi);
    return [
      clamp(b.getWest(), -180, 180), clamp(b.getSouth(), -85.06, 85.06),
      clamp(b.getEast(), -180, 180), clamp(b.getNorth(), -85.06, 85.06),
    ].map((v) => v.toFixed(5)).join(',');
  }

  // --- Territories ------------------------------------------------------------

  function fillTerritories() {
    if (!state.territories) return;
    const known = new Set([...territory.options].map((o) => o.value));
    const named = state.territories.features
      .map((f) => f.properties || {})
      .filter((p) => p.id != null)
      .sort((a, b) => String(a.name || '').localeCompare(String(b.name || '')));
    for (const p of named) {
      const value = String(p.id);
      const existing = [...territory.options].find((o) => o.value === value || (o.value === state.territory && o.value === p.name));
      if (existing) {
        existing.textContent = p.name || `Territory ${p.id}`;
        continue;
      }
      if (!known.has(value)) territory.append(h('option', { value }, p.name || `Territory ${p.id}`));
    }
    territory.value = state.territory;
  }

  function selectTerritory(id) {
    const feature = id == null || !state.territories ? null
      : state.territories.features.find((f) => f.properties && String(f.properties.id) === String(id));
    state.metricsTerritory = feature || null;
    if (state.map && state.map.getLayer('territory-selected')) {
      state.map.setFilter('territory-selected', ['==', ['get', 'id'], feature ? feature.properties.id : -1]);
    }
    metricsBack.hidden = !feature;
    if (feature && PHONE.matches) showTab('metrics');
    loadMetrics();
    return feature;
  }

  function backToView() {
    selectTerritory(null);
    if (state.tools) state.tools.select(null);
  }

  /** Shows the figures of a polygon being drawn (null: the view's again). */
  function showPolygonMetrics(geometry) {
    state.metricsTerritory = geometry ? { properties: { id: null, name: 'the polygon drawn' }, geometry, drawn: true } : null;
    if (state.map && state.map.getLayer('territory-selected')) state.map.setFilter('territory-selected', ['==', ['get', 'id'], -1]);
    metricsBack.hidden = !geometry;
    if (geometry && PHONE.matches) showTab('metrics');
    loadMetrics();
  }

  /** Hides a territory from the map while its shape is edited (null: shows all). */
  function hideTerritory(id) {
    const map = state.map;
    if (!map) return;
    const filter = id == null ? null : ['!=', ['get', 'id'], id];
    for (const layer of ['territory-fill', 'territory-line', 'territory-label']) {
      if (map.getLayer(layer)) map.setFilter(layer, filter);
    }
    if (map.getLayer('territory-selected')) {
      const t = state.metricsTerritory;
      const selected = id == null && t && !t.drawn ? t.properties.id : -1;
      map.setFilter('territory-selected', ['==', ['get', 'id'], selected]);
    }
  }

  /** After a territory is saved or deleted: the layer, the filter, tiles, list and metrics again. */
  async function reloadTerritories() {
    let fc;
    try {
      fc = await get('/api/v1/territories', null, { signal: ctx.signal });
    } catch (err) {
      if (!isAbort(err) && !err.redirecting) showMapStatus(`Territories could not be reloaded: ${err.message}`, 'warning');
      return;
    }
    if (state.destroyed || !fc || !Array.isArray(fc.features)) return;
    state.territories = fc;
    const map = state.map;
    if (map && map.getSource('territories')) {
      map.getSource('territories').setData(fc);
      map.getSource('territory-labels').setData(labelPoints(fc));
    }
    const ids = new Set(fc.features.map((f) => String(f.properties && f.properties.id)));
    for (const o of [...territory.options]) {
      if (/^[0-9]+$/.test(o.value) && !ids.has(o.value) && o.value !== state.territory) o.remove();
    }
    fillTerritories();
    const t = state.metricsTerritory;
    if (t && !t.drawn) {
      const again = fc.features.find((f) => f.properties && t.properties && f.properties.id === t.properties.id) || null;
      selectTerritory(again ? again.properties.id : null);
    }
    if (state.tools) state.tools.refresh(fc.features);
    // Accounts change territory with the shapes: colours, list and figures.
    resetCategories();
    paintAccounts();
    refreshAccounts();
  }

  // --- Accounts in view -------------------------------------------------------

  async function loadList(more) {
    if (!state.map) return;
    const L = state.list;
    const seq = ++L.seq;
    if (L.controller) L.controller.abort();
    const controller = new AbortController();
    L.controller = controller;
    listError.hidden = true;
    list.setAttribute('aria-busy', 'true');
    if (more) {
      listMore.disabled = true;
      listMore.textContent = 'Loading…';
    } else {
      list.classList.add('is-stale');
    }
    try {
      const page = await get('/api/v1/accounts', {
        bbox: viewBBox(), limit: LIST_PAGE_SIZE, cursor: more ? L.cursor : '', ...filterParams(),
      }, { signal: anySignal(controller.signal, ctx.signal) });
      if (seq !== L.seq) return;
      const items = Array.isArray(page.items) ? page.items : [];
      const rows = items.map(listItem);
      if (more) {
        list.append(...rows);
        L.shown += items.length;
      } else {
        list.replaceChildren(...rows);
        L.shown = items.length;
        list.scrollTop = 0;
      }
      L.cursor = page.next_cursor || '';
      const total = Number.isFinite(page.total) ? page.total : L.shown;
      listCount.textContent = L.shown === 0 ? '' : `${formatNumber(L.shown)} of ${formatNumber(Math.max(total, L.shown))}`;
      tabList.textContent = `In view (${formatNumber(total)})`;
      listMore.hidden = !L.cursor;
      if (L.shown === 0) {
        replace(listStatus, h('p', { class: 'muted' }, 'No accounts in this part of the map. Zoom out or change the filters.'));
      } else {
        listStatus.replaceChildren();
      }
    } catch (err) {
      if (isAbort(err) || seq !== L.seq || err.redirecting) return;
      replace(listError, h('p', null, `Accounts could not be loaded: ${err.message}`),
        h('button', { class: 'btn btn-small', type: 'button', on: { click: () => loadList(more) } }, 'Try again'));
      listError.hidden = false;
    } finally {
      if (seq === L.seq) {
        list.removeAttribute('aria-busy');
        list.classList.remove('is-stale');
        listMore.disabled = false;
        listMore.textContent = 'Load more';
      }
    }
  }

  function listItem(a) {
    const place = [a.city, a.region].filter(Boolean).join(', ');
    const visitAt = parseTime(a.last_visit_at);
    const button = h('button', {
      class: 'view-item', type: 'button', dataset: { id: String(a.id) },
      'aria-current': String(a.id) === String(state.selectedId) ? 'true' : null,
    },
    h('span', { class: 'view-item-name' }, a.name || 'Unnamed account'),
    h('span', { class: 'view-item-meta' },
      stageChip(state.stageByKey, a.stage),
      place ? h('span', null, place) : null),
    h('span', { class: 'view-item-meta muted' },
      a.owner_name || a.owner || 'No owner',
      ' · ',
      visitAt ? `visited ${formatRelativeDate(visitAt)}` : 'never visited'));
    button.addEventListener('click', () => openDrawer(a.id, button));
    return h('li', null, button);
  }

  // --- Area metrics -----------------------------------------------------------

  async function loadMetrics() {
    if (!state.map) return;
    const M = state.metrics;
    const seq = ++M.seq;
    if (M.controller) M.controller.abort();
    const controller = new AbortController();
    M.controller = controller;
    const signal = anySignal(controller.signal, ctx.signal);
    metricsPanel.setAttribute('aria-busy', 'true');
    metricsPanel.classList.add('is-stale');
    metricsError.hidden = true;
    const t = state.metricsTerritory;
    metricsScope.textContent = !t ? 'In view' : t.drawn ? 'Inside the polygon drawn' : `Territory: ${t.properties.name || t.properties.id}`;
    try {
      const m = t
        ? await post('/api/v1/metrics/area', { polygon: t.geometry, ...filterParams() }, { signal })
        : await get('/api/v1/metrics/area', { bbox: viewBBox(), ...filterParams() }, { signal });
      if (seq !== M.seq) return;
      showMetrics(m || {});
    } catch (err) {
      if (isAbort(err) || seq !== M.seq || err.redirecting) return;
      metricsError.textContent = `Metrics could not be loaded: ${err.message}`;
      metricsError.hidden = false;
    } finally {
      if (seq === M.seq) {
        metricsPanel.setAttribute('aria-busy', 'false');
        metricsPanel.classList.remove('is-stale');
      }
    }
  }

  function showMetrics(m) {
    const num = (v) => (Number.isFinite(v) ? formatNumber(v) : NONE);
    metricsAccounts.textContent = num(m.accounts);
    metricsLeads.textContent = num(m.leads_created);
    metricsWon.textContent = num(m.won);
    metricsRate.textContent = Number.isFinite(m.win_rate) ? `${Math.round(m.win_rate * 100)}%` : NONE;
    metricsRevenue.textContent = Number.isFinite(m.estimated_revenue) ? formatValue(m.estimated_revenue) : NONE;
    const by = m.by_stage && typeof m.by_stage === 'object' ? m.by_stage : {};
    const max = Math.max(1, ...Object.values(by).map(Number).filter(Number.isFinite));
    const keys = [...state.stageList.map((s) => s.key).filter((k) => k in by), ...Object.keys(by).filter((k) => !state.stageByKey.has(k))];
    replace(metricsStages, keys.map((k) => {
      const s = state.stageByKey.get(k);
      const n = Number(by[k]) || 0;
      return h('li', { class: 'metric-stage' },
        h('span', { class: 'metric-stage-name' }, s ? s.name : k),
        h('span', { class: 'metric-bar', 'aria-hidden': 'true' },
          h('span', { class: 'metric-bar-fill', vars: { '--stage-color': safeColor(s && s.color), '--w': `${(n / max) * 100}%` } })),
        h('span', { class: 'metric-stage-count' }, formatNumber(n)));
    }));
  }

  // --- Account drawer -----------------------------------------------------------

  function markSelected(id) {
    state.selectedId = id;
    if (state.map && state.map.getLayer('account-selected')) {
      state.map.setFilter('account-selected', ['all', ['!', ['has', 'point_count']], ['==', ['get', 'id'], id == null ? -1 : Number(id)]]);
    }
    for (const el of list.querySelectorAll('.view-item')) {
      if (el.dataset.id === String(id)) el.setAttribute('aria-current', 'true');
      else el.removeAttribute('aria-current');
    }
  }

  async function openDrawer(id, returnFocus) {
    const D = state.drawer;
    const seq = ++D.seq;
    if (D.controller) D.controller.abort();
    const controller = new AbortController();
    D.controller = controller;
    D.returnFocus = returnFocus;
    markSelected(id);
    drawer.hidden = false;
    replace(drawerBody, h('div', { class: 'drawer-loading', role: 'status' }, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading the account…'));
    drawer.focus({ preventScroll: true });
    const signal = anySignal(controller.signal, ctx.signal);
    try {
      const [account, interactions] = await Promise.all([
        get(`/api/v1/accounts/${encodeURIComponent(id)}`, null, { signal }),
        get(`/api/v1/accounts/${encodeURIComponent(id)}/interactions`, { limit: 20 }, { signal }).catch((err) => {
          if (isAbort(err)) throw err;
          return { error: err };
        }),
      ]);
      if (seq !== D.seq) return;
      D.account = account;
      renderDrawer(account, interactions);
    } catch (err) {
      if (isAbort(err) || seq !== D.seq || err.redirecting) return;
      replace(drawerBody, h('p', { class: 'alert alert-error', role: 'alert' }, `The account could not be loaded: ${err.message}`),
        h('button', { class: 'btn btn-small', type: 'button', on: { click: () => openDrawer(id, returnFocus) } }, 'Try again'));
    }
  }

  function closeDrawer() {
    const D = state.drawer;
    D.seq++;
    if (D.controller) D.controller.abort();
    drawer.hidden = true;
    drawerBody.replaceChildren();
    markSelected(null);
    const back = D.returnFocus;
    D.returnFocus = null;
    if (back && back.isConnected) back.focus();
  }

  function onKey(e) {
    if (e.key === 'Escape' && !drawer.hidden && !e.defaultPrevented) {
      if (stageMenu.open) return;
      closeDrawer();
    }
  }
  document.addEventListener('keydown', onKey);

  function renderDrawer(a, interactions) {
    const visitAt = parseTime(a.last_visit_at);
    const address = [a.street, [a.postal_code, a.city].filter(Boolean).join(' '), a.region, a.country].filter(Boolean).join(', ');
    const rows = [
      ['Address', address],
      ['Owner', a.owner_name ? `${a.owner_name}${a.owner && a.owner !== a.owner_name ? ` (${a.owner})` : ''}` : a.owner],
      ['Territory', a.territory],
      ['Est. value', formatValue(a.estimated_value)],
      ['Last visit', visitAt ? formatDateTime(visitAt) : 'Never'],
      ['Source', a.source_channel],
      ['External ID', a.external_id],
      ['Tags', Array.isArray(a.tags) ? a.tags.join(', ') : a.tags],
    ];
    const custom = a.custom && typeof a.custom === 'object' ? Object.entries(a.custom) : [];
    for (const [k, v] of custom) rows.push([k, v == null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v)]);
    const editBtn = h('button', { class: 'btn btn-small', type: 'button', id: 'account-edit' }, 'Edit');
    const details = h('dl', { class: 'drawer-details' }, rows.filter(([, v]) => v != null && v !== '').map(([k, v]) =>
      h('div', { class: 'drawer-row' }, h('dt', null, k), h('dd', null, String(v)))));
    const form = editForm(a);
    form.hidden = true;
    editBtn.addEventListener('click', () => {
      form.hidden = !form.hidden;
      details.hidden = !form.hidden;
      editBtn.textContent = form.hidden ? 'Edit' : 'Cancel';
      if (!form.hidden) form.querySelector('input').focus();
    });
    replace(drawerBody,
      h('header', { class: 'drawer-head' },
        h('h2', { class: 'drawer-title', id: 'account-drawer-title' }, a.name || 'Unnamed account'),
        h('div', { class: 'drawer-sub' }, stageChip(state.stageByKey, a.stage), editBtn)),
      details,
      form,
      checkInForm(a, { signal: ctx.signal, onSaved: () => openDrawer(a.id, state.drawer.returnFocus) }),
      h('section', { class: 'timeline-section', 'aria-labelledby': 'timeline-heading' },
        h('h3', { id: 'timeline-heading', class: 'panel-title' }, 'Activity'),
        timeline(interactions, a.id)));
    drawer.setAttribute('aria-labelledby', 'account-drawer-title');
  }

  function timeline(res, accountId) {
    if (res && res.error) return h('p', { class: 'alert alert-error' }, `Activity could not be loaded: ${res.error.message}`);
    const items = res && Array.isArray(res.items) ? res.items : [];
    if (!items.length) return h('p', { class: 'muted' }, 'No interactions yet.');
    const ol = h('ol', { class: 'timeline', id: 'account-timeline' }, items.map(timelineItem));
    const wrap = h('div', null, ol);
    let cursor = res.next_cursor || '';
    const total = Number.isFinite(res.total) ? res.total : items.length;
    if (total > items.length) wrap.append(h('p', { class: 'muted timeline-more' }, `Showing the latest ${formatNumber(items.length)} of ${formatNumber(total)}.`));
    if (cursor) {
      const more = h('button', { class: 'btn btn-small', type: 'button' }, 'Older');
      more.addEventListener('click', async () => {
        more.disabled = true;
        try {
          const page = await get(`/api/v1/accounts/${encodeURIComponent(accountId)}/interactions`, { limit: 20, cursor }, { signal: ctx.signal });
          ol.append(...(Array.isArray(page.items) ? page.items : []).map(timelineItem));
          cursor = page.next_cursor || '';
          more.hidden = !cursor;
        } catch (err) {
          if (!isAbort(err)) more.textContent = `Could not load: ${err.message}`;
        } finally {
          more.disabled = false;
        }
      });
      wrap.append(more);
    }
    return wrap;
  }

  function timelineItem(it) {
    const at = parseTime(it.at);
    const what = [it.channel, it.type].filter(Boolean).join(' · ');
    return h('li', { class: 'timeline-item', dataset: { channel: String(it.channel || '') } },
      h('div', { class: 'timeline-head' },
        h('span', { class: 'timeline-what' }, what || 'Interaction'),
        at ? h('time', { datetime: at.toISOString(), title: formatDateTime(at) }, formatRelativeDate(at)) : null),
      it.outcome ? h('p', { class: 'timeline-outcome' }, String(it.outcome)) : null,
      it.notes ? h('p', { class: 'timeline-notes' }, String(it.notes)) : null,
      visitFacts(it),
      it.user ? h('p', { class: 'timeline-user muted' }, typeof it.user === 'object' ? (it.user.name || it.user.email || '') : String(it.user)) : null);
  }

  const EDIT_FIELDS = [
    { key: 'name', label: 'Name', required: true, autocomplete: 'organization' },
    { key: 'stage', label: 'Stage', select: true },
    { key: 'owner', label: 'Owner (email)', type: 'email', autocomplete: 'off' },
    { key: 'street', label: 'Street', autocomplete: 'street-address' },
    { key: 'city', label: 'City', autocomplete: 'address-level2' },
    { key: 'region', label: 'Region', autocomplete: 'address-level1' },
    { key: 'postal_code', label: 'Postal code', autocomplete: 'postal-code' },
    { key: 'country', label: 'Country', autocomplete: 'country' },
  ];

  function editForm(a) {
    const inputs = new Map();
    const error = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
    const save = h('button', { class: 'btn btn-primary btn-small', type: 'submit' }, 'Save');
    const fields = EDIT_FIELDS.map((f) => {
      const id = `account-edit-${f.key}`;
      let input;
      if (f.select) {
        const keys = state.stageList.map((s) => s.key);
        if (a.stage && !keys.includes(a.stage)) keys.push(a.stage);
        input = h('select', { id, class: 'input select select-plain', name: f.key },
          keys.map((k) => h('option', { value: k }, (state.stageByKey.get(k) || { name: k }).name)));
        input.value = a.stage || '';
      } else {
        input = h('input', {
          id, class: 'input', name: f.key, type: f.type || 'text', value: a[f.key] == null ? '' : String(a[f.key]),
          required: f.required || null, autocomplete: f.autocomplete, maxlength: '300',
        });
      }
      inputs.set(f.key, input);
      return h('div', { class: 'field' }, h('label', { for: id }, f.label), input);
    });
    const form = h('form', { class: 'form drawer-form', id: 'account-form', novalidate: true }, fields, error,
      h('div', { class: 'drawer-actions' }, save));
    form.addEventListener('submit', async (e) => {
      e.preventDefault();
      const changes = {};
      for (const [key, input] of inputs) {
        const v = input.value.trim();
        const before = a[key] == null ? '' : String(a[key]);
        if (v !== before) changes[key] = v;
      }
      if ('name' in changes && !changes.name) {
        error.textContent = 'An account needs a name.';
        error.hidden = false;
        inputs.get('name').focus();
        return;
      }
      if (!Object.keys(changes).length) {
        error.textContent = 'Nothing has changed.';
        error.hidden = false;
        return;
      }
      error.hidden = true;
      save.disabled = true;
      save.textContent = 'Saving…';
      try {
        await patch(`/api/v1/accounts/${encodeURIComponent(a.id)}`, changes, { signal: ctx.signal });
        refreshAccounts();
        await openDrawer(a.id, state.drawer.returnFocus);
      } catch (err) {
        if (isAbort(err) || err.redirecting) return;
        error.textContent = `Not saved: ${err.message}`;
        error.hidden = false;
        save.disabled = false;
        save.textContent = 'Save';
      }
    });
    return form;
  }

  // --- Where am I -----------------------------------------------------------------

  locate.addEventListener('click', () => {
    if (!('geolocation' in navigator)) {
      showMapStatus('This browser cannot tell where you are.');
      return;
    }
    locate.disabled = true;
    locate.classList.add('is-busy');
    navigator.geolocation.getCurrentPosition((pos) => {
      locate.disabled = false;
      locate.classList.remove('is-busy');
      if (state.destroyed || !state.map) return;
      const lngLat = [pos.coords.longitude, pos.coords.latitude];
      if (!state.meMarker) {
        const el = h('div', { class: 'me-dot', role: 'img', 'aria-label': 'You are here' });
        state.meMarker = new state.lib.Marker({ element: el }).setLngLat(lngLat).addTo(state.map);
      } else {
        state.meMarker.setLngLat(lngLat);
      }
      state.map.flyTo({ center: lngLat, zoom: Math.max(state.map.getZoom(), 13) });
      showMapStatus('');
    }, (err) => {
      locate.disabled = false;
      locate.classList.remove('is-busy');
      showMapStatus(err.code === 1 ? 'Allow location access in your browser to see where you are.' : 'Your position could not be found. Try again.');
    }, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  });

  start().catch((err) => {
    if (isAbort(err) || state.destroyed) return;
    console.error(err);
    loading.hidden = true;
    showMapStatus(`The map could not be shown: ${err.message}`);
  });

  return () => {
    state.destroyed = true;
    clearTimeout(state.moveTimer);
    clearTimeout(state.typeTimer);
    for (const c of [state.list.controller, state.metrics.controller, state.drawer.controller]) if (c) c.abort();
    document.removeEventListener('keydown', onKey);
    document.removeEventListener('click', closeStageMenu);
    document.body.classList.remove('map-mode');
    if (state.tools) state.tools.destroy();
    if (window.__meridianMap === state.map) delete window.__meridianMap;
    if (state.map) state.map.remove();
    state.map = null;
  };
}

// --- Helpers ----------------------------------------------------------------------

/** The test hook: see the comment at the top. */
function exposeForTests(map) {
  try {
    if (localStorage.getItem('meridianTest') === '1') window.__meridianMap = map;
  } catch {
    // Storage off: no hook.
  }
}

function metric(label, value) {
  return h('div', { class: 'metric' }, h('dt', null, label), h('dd', null, value));
}

function splitList(s) {
  return (s || '').split(',').map((x) => x.trim()).filter(Boolean);
}

/** The date n days ago, YYYY-MM-DD in local time. */
function daysAgo(n) {
  const d = new Date();
  d.setDate(d.getDate() - n);
  const pad = (x) => String(x).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;
}

/** A signal aborted when either is. */
function anySignal(a, b) {
  if (typeof AbortSignal.any === 'function') return AbortSignal.any([a, b]);
  const c = new AbortController();
  const abort = () => c.abort();
  if (a.aborted || b.aborted) c.abort();
  a.addEventListener('abort', abort, { once: true });
  b.addEventListener('abort', abort, { once: true });
  return c.signal;
}

/** One label point per territory: the centroid of its largest ring, or its box's centre. */
export function labelPoints(fc) {
  const features = [];
  for (const f of fc.features || []) {
    const g = f.geometry;
    if (!g) continue;
    const polys = g.type === 'Polygon' ? [g.coordinates] : g.type === 'MultiPolygon' ? g.coordinates : [];
    let best = null;
    let bestArea = 0;
    for (const poly of polys) {
      const ring = poly && poly[0];
      if (!ring || ring.length < 3) continue;
      let a = 0;
      let cx = 0;
      let cy = 0;
      for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
        const cross = ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
        a += cross;
        cx += (ring[j][0] + ring[i][0]) * cross;
        cy += (ring[j][1] + ring[i][1]) * cross;
      }
      if (Math.abs(a) > bestArea && a !== 0) {
        bestArea = Math.abs(a);
        best = [cx / (3 * a), cy / (3 * a)];
      }
    }
    if (!best) {
      const b = bbox(g);
      if (!b) continue;
      best = [(b[0] + b[2]) / 2, (b[1] + b[3]) / 2];
    }
    features.push({ type: 'Feature', properties: { id: f.properties && f.properties.id, name: (f.properties && f.properties.name) || '' }, geometry: { type: 'Point', coordinates: best } });
  }
  return { type: 'FeatureCollection', features };
}

function searchIcon() {
  const svg = icon('M11 4a7 7 0 1 0 0 14a7 7 0 1 0 0-14zM20 20l-3.5-3.5');
  svg.setAttribute('class', 'input-icon');
  return svg;
}
