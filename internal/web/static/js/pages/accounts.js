// The Accounts page: search, stage filter and a list of accounts, a table on
// a desk and cards on a phone, paged with "Load more".
//
// Filters live in the address (#/accounts?q=acme&stage=lead), so reload and
// the back button keep them.

import { get, isAbort } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { NONE, formatDateTime, formatRange, formatRelativeDate, formatValue, parseTime } from '../format.js';
import { setQuery } from '../router.js';
import { getStages, safeColor, stageChip } from '../stages.js';

/** Accounts fetched per page. */
export const PAGE_SIZE = 50;
/** Milliseconds of typing pause before searching. */
export const SEARCH_DELAY_MS = 300;

const COLUMNS = [
  { key: 'name', label: 'Name' },
  { key: 'stage', label: 'Stage' },
  { key: 'city', label: 'City' },
  { key: 'owner', label: 'Owner' },
  { key: 'territory', label: 'Territory' },
  { key: 'value', label: 'Est. value', className: 'num' },
  { key: 'visit', label: 'Last visit' },
];

/**
 * Shows the accounts page.
 * @param {HTMLElement} container
 * @param {{query: URLSearchParams, signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  const state = {
    q: (ctx.query.get('q') || '').trim(),
    stage: ctx.query.get('stage') || '',
    shown: 0,
    total: 0,
    cursor: '',
    seq: 0,
    controller: null,
    timer: 0,
    /** @type {Map<string, import('../stages.js').Stage>} */
    stages: new Map(),
  };

  // --- Elements -----------------------------------------------------------

  const total = h('p', { id: 'accounts-total', class: 'page-meta', 'aria-live': 'polite' });
  const search = h('input', {
    id: 'accounts-search',
    class: 'input input-search',
    type: 'search',
    name: 'q',
    placeholder: 'Search name, city or postal code',
    autocomplete: 'off',
    spellcheck: 'false',
    enterkeyhint: 'search',
    maxlength: '200',
    value: state.q,
  });
  const stageDot = h('span', { class: 'dot select-dot', 'aria-hidden': 'true' });
  const stageSelect = h('select', { id: 'stage-filter', class: 'input select', name: 'stage' },
    h('option', { value: '' }, 'All stages'));
  const busy = h('span', { class: 'spinner spinner-small', 'aria-hidden': 'true', hidden: true });
  const warning = h('p', { id: 'stages-warning', class: 'alert alert-warning', role: 'status', hidden: true });
  const error = h('div', { id: 'accounts-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const tbody = h('tbody', { role: 'rowgroup' });
  const table = h('table', { id: 'accounts-table', class: 'data-table accounts-table', role: 'table', 'aria-describedby': 'accounts-total' },
    h('caption', { class: 'visually-hidden' }, 'Accounts'),
    h('thead', { role: 'rowgroup' },
      h('tr', { role: 'row' }, COLUMNS.map((c) => h('th', { scope: 'col', role: 'columnheader', class: c.className }, c.label)))),
    tbody);
  const status = h('div', { id: 'accounts-status', class: 'list-status', role: 'status' });
  const loadMore = h('button', { id: 'load-more', class: 'btn', type: 'button', hidden: true }, 'Load more');

  const form = h('form', { class: 'toolbar', role: 'search', 'aria-label': 'Filter accounts' },
    h('div', { class: 'toolbar-field toolbar-search' },
      h('label', { class: 'visually-hidden', for: 'accounts-search' }, 'Search accounts'),
      searchIcon(),
      search),
    h('div', { class: 'toolbar-field toolbar-stage' },
      h('label', { class: 'visually-hidden', for: 'stage-filter' }, 'Stage'),
      stageDot,
      stageSelect),
    busy);

  container.append(
    h('header', { class: 'page-header' },
      h('div', { class: 'page-heading' },
        h('h1', null, 'Accounts'),
        total)),
    form,
    warning,
    error,
    h('div', { class: 'table-wrap' }, table),
    status,
    h('div', { class: 'list-footer' }, loadMore),
  );

  // --- Behaviour ----------------------------------------------------------

  const stagesReady = getStages().then(
    (stages) => {
      fillStages(stages);
      return stages;
    },
    (err) => {
      if (!isAbort(err)) {
        warning.textContent = `Stages could not be loaded, so the stage filter is empty: ${err.message}`;
        warning.hidden = false;
      }
      fillStages([]);
      return [];
    },
  );

  function fillStages(stages) {
    state.stages = new Map(stages.map((s) => [s.key, s]));
    const options = stages.map((s) => h('option', { value: s.key },
      h('span', { class: 'dot', 'aria-hidden': 'true', vars: { '--stage-color': safeColor(s.color) } }),
      h('span', null, s.name)));
    if (state.stage && !state.stages.has(state.stage)) {
      options.push(h('option', { value: state.stage }, state.stage));
    }
    stageSelect.append(...options);
    stageSelect.value = state.stage;
    showStageDot();
  }

  function showStageDot() {
    const stage = state.stages.get(state.stage);
    stageDot.classList.toggle('dot-empty', !stage);
    stageDot.style.setProperty('--stage-color', safeColor(stage && stage.color));
  }

  function applyFilters() {
    clearTimeout(state.timer);
    const q = search.value.trim();
    const stage = stageSelect.value;
    if (q === state.q && stage === state.stage) return;
    state.q = q;
    state.stage = stage;
    setQuery({ q, stage });
    showStageDot();
    load(false);
  }

  search.addEventListener('input', () => {
    clearTimeout(state.timer);
    state.timer = setTimeout(applyFilters, SEARCH_DELAY_MS);
  });
  stageSelect.addEventListener('change', applyFilters);
  form.addEventListener('submit', (e) => {
    e.preventDefault();
    applyFilters();
  });
  loadMore.addEventListener('click', () => load(true));

  /**
   * Fetches the first page for the filters, or the next page.
   * @param {boolean} more append the next page
   */
  async function load(more) {
    const seq = ++state.seq;
    if (state.controller) state.controller.abort();
    const controller = new AbortController();
    state.controller = controller;
    const onLeave = () => controller.abort();
    ctx.signal.addEventListener('abort', onLeave, { once: true });

    error.hidden = true;
    setLoading(more, true);
    try {
      const [, page] = await Promise.all([
        stagesReady,
        get('/api/v1/accounts', {
          limit: PAGE_SIZE,
          cursor: more ? state.cursor : '',
          q: state.q,
          stage: state.stage,
        }, { signal: controller.signal }),
      ]);
      if (seq !== state.seq) return;
      const items = Array.isArray(page.items) ? page.items : [];
      const rows = items.map(row);
      if (more) {
        tbody.append(...rows);
        state.shown += items.length;
      } else {
        tbody.replaceChildren(...rows);
        state.shown = items.length;
      }
      state.total = Number.isFinite(page.total) ? page.total : state.shown;
      state.cursor = page.next_cursor || '';
      showCounts();
      if (more && rows.length && !state.cursor) {
        // The button is going away: keep the keyboard user's place.
        const first = rows[0].querySelector('.account-name');
        if (first) first.focus({ preventScroll: true });
      }
    } catch (err) {
      if (isAbort(err) || seq !== state.seq || err.redirecting) return;
      showError(err, more);
    } finally {
      ctx.signal.removeEventListener('abort', onLeave);
      if (seq === state.seq) setLoading(more, false);
    }
  }

  function setLoading(more, on) {
    table.setAttribute('aria-busy', String(on));
    busy.hidden = !on;
    if (more) {
      loadMore.disabled = on;
      loadMore.textContent = on ? 'Loading…' : 'Load more';
      return;
    }
    table.classList.toggle('is-stale', on && state.shown > 0);
    if (on && state.shown === 0) {
      table.hidden = true;
      loadMore.hidden = true;
      replace(status, h('span', { class: 'spinner', 'aria-hidden': 'true' }), 'Loading accounts…');
    } else if (on) {
      loadMore.disabled = true;
    } else {
      loadMore.disabled = false;
    }
  }

  function showCounts() {
    const filtered = state.q !== '' || state.stage !== '';
    table.hidden = state.shown === 0;
    loadMore.hidden = !state.cursor;
    if (state.shown === 0) {
      total.textContent = filtered ? 'No matching accounts' : 'No accounts';
      replace(status, h('div', { class: 'empty-state' },
        h('p', null, filtered ? 'No accounts match these filters.' : 'There are no accounts yet.'),
        filtered ? h('button', { class: 'btn', type: 'button', on: { click: clearFilters } }, 'Clear filters') : null));
    } else {
      total.textContent = formatRange(state.shown, state.total);
      status.replaceChildren();
    }
  }

  function showError(err, more) {
    replace(error,
      h('p', null, more ? `More accounts could not be loaded: ${err.message}` : `Accounts could not be loaded: ${err.message}`),
      h('button', { class: 'btn btn-small', type: 'button', on: { click: () => load(more) } }, 'Try again'));
    error.hidden = false;
    if (!more) {
      status.replaceChildren();
      table.hidden = state.shown === 0;
      if (state.shown === 0) total.textContent = '';
    }
  }

  function clearFilters() {
    search.value = '';
    stageSelect.value = '';
    applyFilters();
    search.focus();
  }

  /** Builds the row (or, on a phone, the card) of an account. */
  function row(a) {
    const visit = parseTime(a.last_visit_at);
    const place = [a.city, a.region].filter(Boolean).join(', ');
    const value = formatValue(a.estimated_value);
    return h('tr', { role: 'row', dataset: { id: String(a.id) } },
      h('td', { role: 'cell', class: 'cell-name', 'data-label': 'Name' },
        h('span', { class: 'account-name', tabindex: '-1' }, a.name || 'Unnamed account')),
      h('td', { role: 'cell', class: 'cell-stage', 'data-label': 'Stage' }, stageChip(state.stages, a.stage)),
      h('td', { role: 'cell', class: 'cell-city', 'data-label': 'City' }, place || none('No city')),
      h('td', { role: 'cell', class: 'cell-owner', 'data-label': 'Owner' }, a.owner || none('No owner')),
      h('td', { role: 'cell', class: 'cell-territory', 'data-label': 'Territory' }, a.territory || none('No territory')),
      h('td', { role: 'cell', class: 'cell-value num', 'data-label': 'Est. value' }, value || none('No value')),
      h('td', { role: 'cell', class: 'cell-visit', 'data-label': 'Last visit' },
        visit
          ? h('time', { datetime: visit.toISOString(), title: formatDateTime(visit) }, formatRelativeDate(visit))
          : h('span', { class: 'muted' }, 'Never')));
  }

  load(false);

  return () => {
    clearTimeout(state.timer);
    if (state.controller) state.controller.abort();
  };
}

/** A muted dash for a missing value; screen readers hear label instead. */
function none(label) {
  return h('span', { class: 'muted' },
    h('span', { 'aria-hidden': 'true' }, NONE),
    h('span', { class: 'visually-hidden' }, label));
}

function searchIcon() {
  const svg = icon('M11 4a7 7 0 1 0 0 14a7 7 0 1 0 0-14zM20 20l-3.5-3.5');
  svg.setAttribute('class', 'input-icon');
  return svg;
}
