// The Rules page (managers): re-engagement rules, a form to add one, "Run
// now" with what it notified, and the map overlays. Names, messages and
// URLs are shown as text through h(), never as HTML.
//
// Fixed ids, for tests: #rule-form, #rule-name, #rule-kind, #rule-days,
// #rule-stage, #rule-webhook, #rule-inbox, #rule-email, #rule-save,
// #rule-error, #rules-table, #rules-run, #rules-run-result.

import { del, get, isAbort, post, put } from '../api.js';
import { h, replace } from '../dom.js';
import { formatDateTime, parseTime } from '../format.js';
import { getStages } from '../stages.js';

const KINDS = [
  { value: 'not_visited', label: 'Not visited in N days' },
  { value: 'follow_up_due', label: 'Follow-up due (N days notice)' },
  { value: 'stage_stalled', label: 'Stalled in a stage for N days' },
];

/**
 * Shows the rules page.
 * @param {HTMLElement} container
 * @param {{signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  const name = h('input', { id: 'rule-name', class: 'input', required: true, maxlength: '200', placeholder: 'Lapsed customers' });
  const kind = h('select', { id: 'rule-kind', class: 'input' }, KINDS.map((k) => h('option', { value: k.value }, k.label)));
  const days = h('input', { id: 'rule-days', class: 'input', type: 'number', min: '0', max: '3650', value: '30' });
  const stage = h('select', { id: 'rule-stage', class: 'input' }, h('option', { value: '' }, 'Any stage'));
  const webhook = h('input', { id: 'rule-webhook', class: 'input', type: 'url', placeholder: 'https://hooks.example.com/…' });
  const inbox = h('input', { id: 'rule-inbox', type: 'checkbox', checked: true });
  const email = h('input', { id: 'rule-email', type: 'checkbox' });
  const save = h('button', { id: 'rule-save', class: 'btn btn-primary', type: 'submit' }, 'Add rule');
  const error = h('p', { id: 'rule-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const form = h('form', { id: 'rule-form', class: 'rules-form', on: { submit: onSubmit } },
    field('Name', name), field('Kind', kind), field('Days', days), field('Stage', stage), field('Webhook URL', webhook),
    h('label', { class: 'check' }, inbox, 'In-app inbox'), h('label', { class: 'check' }, email, 'Daily email digest'), save);
  const tbody = h('tbody');
  const table = h('table', { id: 'rules-table', class: 'rules-table' },
    h('thead', null, h('tr', null, ['Name', 'Kind', 'Days', 'Stage', 'Notify', 'On', ''].map((c) => h('th', { scope: 'col' }, c)))), tbody);
  const runButton = h('button', { id: 'rules-run', class: 'btn', type: 'button', on: { click: run } }, 'Run now');
  const runResult = h('p', { id: 'rules-run-result', class: 'rules-run-result', role: 'status' });
  const listError = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });

  container.append(h('div', { class: 'rules-page' },
    h('header', { class: 'page-header' }, h('h1', null, 'Re-engagement rules')),
    h('p', { class: 'page-meta' }, 'Rules run every few minutes on the server; each account is notified at most once per rule and day.'),
    h('section', { 'aria-labelledby': 'rules-new' }, h('h2', { id: 'rules-new', class: 'panel-title' }, 'New rule'), form, error),
    h('section', { 'aria-labelledby': 'rules-list' },
      h('div', { class: 'panel-head' }, h('h2', { id: 'rules-list', class: 'panel-title' }, 'Rules'), runButton),
      listError, table, runResult)));

  getStages().then((stages) => {
    stage.append(...stages.map((s) => h('option', { value: s.key }, s.name || s.key)));
  }).catch(() => {});
  load();

  async function load() {
    try {
      const page = await get('/api/v1/rules', null, { signal: ctx.signal });
      listError.hidden = true;
      const items = page.items || [];
      replace(tbody, items.length ? items.map(row) : h('tr', null, h('td', { colspan: '7' }, 'No rules yet.')));
    } catch (err) {
      if (isAbort(err)) return;
      listError.textContent = `Rules could not be loaded: ${err.message}`;
      listError.hidden = false;
    }
  }

  function row(r) {
    const via = [r.notify.inbox && 'inbox', r.notify.email && 'email', r.notify.webhook && `webhook ${r.notify.webhook}`].filter(Boolean).join(', ');
    const on = h('input', { type: 'checkbox', checked: !!r.enabled, 'aria-label': `Rule ${r.name} enabled`,
      on: { change: () => put(`/api/v1/rules/${r.id}`, { enabled: on.checked }).catch((err) => showError(err)) } });
    const remove = h('button', { class: 'btn btn-small btn-ghost', type: 'button', on: { click: async () => {
      if (!confirm(`Delete the rule "${r.name}"?`)) return;
      try {
        await del(`/api/v1/rules/${r.id}`);
        load();
      } catch (err) {
        showError(err);
      }
    } } }, 'Delete');
    const updated = parseTime(r.updated_at);
    return h('tr', { dataset: { id: String(r.id) } },
      h('td', { title: updated ? `Changed ${formatDateTime(updated)}` : null }, r.name),
      h('td', null, r.kind), h('td', null, String(r.days)), h('td', null, r.stage || 'any'), h('td', null, via), h('td', null, on), h('td', null, remove));
  }

  function showError(err) {
    error.textContent = err.message;
    error.hidden = false;
  }

  async function onSubmit(e) {
    e.preventDefault();
    error.hidden = true;
    save.disabled = true;
    const body = {
      name: name.value.trim(), kind: kind.value, days: Number(days.value), stage: stage.value,
      notify: { webhook: webhook.value.trim(), inbox: inbox.checked, email: email.checked },
    };
    try {
      await post('/api/v1/rules', body);
      form.reset();
      days.value = '30';
      inbox.checked = true;
      load();
    } catch (err) {
      if (!isAbort(err)) showError(err);
    } finally {
      save.disabled = false;
    }
  }

  async function run() {
    runButton.disabled = true;
    runResult.textContent = 'Running…';
    try {
      const res = await post('/api/v1/rules/run');
      const lines = [`${res.notified} new notification(s) on ${res.day}.`];
      for (const r of res.rules || []) {
        lines.push(`${r.rule}: ${r.matched} matched, ${r.accounts.length} new${r.accounts.length ? ` (${r.accounts.slice(0, 20).join(', ')}${r.accounts.length > 20 ? ', …' : ''})` : ''}`);
        for (const d of r.deliveries || []) if (!d.ok) lines.push(`  webhook failed after ${d.attempts} attempt(s): ${d.error}`);
      }
      runResult.textContent = lines.join('\n');
    } catch (err) {
      runResult.textContent = `The rules could not run: ${err.message}`;
    } finally {
      runButton.disabled = false;
    }
  }
}

function field(label, input) {
  return h('label', { class: 'field' }, h('span', null, label), input);
}
