// The leaderboard: each rep's visits, verified visits, outcomes, leads
// created, won, win rate and estimated revenue for a period. Managers see
// every rep; a rep sees their own row. Names are text nodes, never HTML.

import { get, isAbort } from '../api.js';
import { h, replace } from '../dom.js';
import { formatNumber, formatValue } from '../format.js';

function isoDay(d) {
  return d.toISOString().slice(0, 10);
}

/**
 * @param {HTMLElement} container
 * @param {{signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  const now = new Date();
  const from = h('input', { type: 'date', id: 'lb-start', value: isoDay(new Date(now.getTime() - 30 * 864e5)) });
  const to = h('input', { type: 'date', id: 'lb-end', value: isoDay(new Date(now.getTime() + 864e5)) });
  const body = h('div', { id: 'leaderboard-body' });
  const form = h('form', { class: 'leaderboard-period' },
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'From'), from),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'To (exclusive)'), to),
    h('button', { class: 'btn', type: 'submit' }, 'Show'));
  form.addEventListener('submit', (e) => { e.preventDefault(); load(); });
  container.append(
    h('header', { class: 'page-header' }, h('h1', null, 'Leaderboard')),
    h('section', { class: 'card' }, form, body));

  async function load() {
    replace(body, h('p', { class: 'muted', role: 'status' }, 'Loading…'));
    try {
      const res = await get('/api/v1/reps/metrics', { from: from.value, to: to.value }, { signal: ctx.signal });
      const items = Array.isArray(res.items) ? res.items : [];
      if (!items.length) {
        replace(body, h('p', { class: 'muted' }, 'No reps yet.'));
        return;
      }
      const head = ['#', 'Rep', 'Visits', 'Verified', 'Outcomes', 'Leads created', 'Won', 'Win rate', 'Est. revenue'];
      replace(body, h('table', { class: 'table leaderboard', id: 'leaderboard' },
        h('thead', null, h('tr', null, head.map((t) => h('th', { scope: 'col' }, t)))),
        h('tbody', null, items.map((m, i) => h('tr', { dataset: { user: String(m.user_id) } },
          h('td', null, String(i + 1)),
          h('td', { class: 'lb-name' }, String(m.name || m.user || m.user_id)),
          h('td', { class: 'num' }, formatNumber(m.visits)),
          h('td', { class: 'num' }, formatNumber(m.verified_visits)),
          h('td', null, Object.entries(m.outcomes || {}).sort((a, b) => b[1] - a[1]).map(([k, n]) => `${k} ${formatNumber(n)}`).join(', ')),
          h('td', { class: 'num' }, formatNumber(m.leads_created)),
          h('td', { class: 'num' }, formatNumber(m.won)),
          h('td', { class: 'num' }, `${formatNumber(Math.round((m.win_rate || 0) * 100))}%`),
          h('td', { class: 'num' }, formatValue(m.estimated_revenue)))))));
    } catch (err) {
      if (!isAbort(err)) replace(body, h('p', { class: 'alert alert-error', role: 'alert' }, `The leaderboard could not be loaded: ${err.message}`));
    }
  }
  load();
}
