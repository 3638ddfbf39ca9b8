// The Journeys page: journey maps and personas.
//
//   #/journeys        the list of journeys, new from a template, personas
//   #/journeys/ID     the editor: stages across, lanes down, every cell
//                     editable in place; the emotion curve, touchpoint chips
//                     by channel and each stage's live figures; versions
//                     and what changed between two; exports.
//
// Saving PUTs the whole document, which makes a new immutable version on
// the server; the version the edit started from goes with it, so a save
// made meanwhile by someone else is refused rather than overwritten.

import { get, isAbort, post, put, del } from '../api.js';
import { h, replace } from '../dom.js';
import { formatDateTime, parseTime } from '../format.js';

const SVG_NS = 'http://www.w3.org/2000/svg';

/** Lanes in order, as the server lists them (journey.Lanes). */
export const LANES = [
  ['actions', 'Actions'], ['thoughts', 'Thoughts'], ['emotion', 'Emotion'], ['goals', 'Goals'],
  ['touchpoints', 'Touchpoints'], ['owners', 'Owners'], ['pain_points', 'Pain points'],
  ['opportunities', 'Opportunities'], ['kpis', 'KPIs'], ['entry', 'Entry'],
];

/** Chip colours by channel; the same as the server's exports. */
const CHANNEL_COLORS = {
  visit: '#1f77b4', phone: '#2ca02c', email: '#d62728', web: '#9467bd', social: '#e377c2',
  event: '#8c564b', ad: '#ff7f0e', referral: '#17becf', chat: '#bcbd22', sms: '#7f7f7f', other: '#5f6b7a',
};
const SPARE = ['#3b5b92', '#8a3ffc', '#007d79', '#b28600', '#a2191f', '#198038'];

/** The chip colour of a channel (unknown ones hash to a spare colour, FNV-1a as on the server). */
export function channelColor(channel) {
  if (CHANNEL_COLORS[channel]) return CHANNEL_COLORS[channel];
  let hash = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(channel)) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return SPARE[hash % SPARE.length];
}

const EMOTION_COLORS = { '-2': '#cf222e', '-1': '#e16f24', 0: '#8c959f', 1: '#7cb342', 2: '#1a7f37' };

function ensureStyles() {
  if (document.querySelector('link[data-journeys-css]')) return;
  const here = new URL(import.meta.url);
  const href = new URL('../../css/journeys.css', here).pathname;
  document.head.append(h('link', { rel: 'stylesheet', href, dataset: { journeysCss: '1' } }));
}

/**
 * Shows the journeys list or one journey's editor.
 * @param {HTMLElement} container
 * @param {{me: any, params: string[], signal: AbortSignal}} ctx
 */
export function mount(container, ctx) {
  ensureStyles();
  const role = ctx.me && ctx.me.user ? ctx.me.user.role : '';
  const canEdit = role === 'admin' || role === 'manager';
  if (ctx.params[0]) {
    mountEditor(container, ctx, Number(ctx.params[0]), canEdit);
  } else {
    mountList(container, ctx, canEdit);
  }
}

// --- List ------------------------------------------------------------------

function mountList(container, ctx, canEdit) {
  const error = h('div', { id: 'journeys-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const tbody = h('tbody');
  const templateSelect = h('select', { id: 'journey-template', class: 'input select' });
  const createBtn = h('button', { id: 'journey-create', class: 'btn btn-primary', type: 'button' }, 'New journey');
  const personas = h('section', { id: 'personas', class: 'jm-personas' });

  container.append(
    h('header', { class: 'page-header' },
      h('div', { class: 'page-heading' }, h('h1', null, 'Journeys'),
        h('p', { class: 'page-meta' }, 'Customer journey maps bound to real interactions.'))),
    canEdit ? h('div', { class: 'toolbar' },
      h('label', { for: 'journey-template' }, 'Template '), templateSelect, createBtn) : null,
    error,
    h('div', { class: 'table-wrap' },
      h('table', { id: 'journeys-table', class: 'data-table' },
        h('thead', null, h('tr', null, ['Journey', 'Persona', 'Status', 'Version', 'Updated', 'Review'].map((c) => h('th', { scope: 'col' }, c)))),
        tbody)),
    personas,
  );

  function fail(err) {
    if (isAbort(err)) return;
    error.textContent = err.message;
    error.hidden = false;
  }

  get('/api/v1/journeys', null, { signal: ctx.signal }).then((res) => {
    if (!res.items.length) {
      tbody.append(h('tr', null, h('td', { colspan: '6', class: 'muted' }, 'No journeys yet.')));
    }
    for (const j of res.items) {
      tbody.append(h('tr', null,
        h('td', null, h('a', { href: `#/journeys/${j.id}` }, j.name)),
        h('td', null, j.persona),
        h('td', null, h('span', { class: `badge jm-status-${j.status}` }, j.status)),
        h('td', null, `v${j.version}`),
        h('td', null, formatDateTime(parseTime(j.updated_at))),
        h('td', null, j.review_due ? h('span', { class: 'badge jm-due' }, 'review due') : (j.review_due_at ? formatDateTime(parseTime(j.review_due_at)) : '—'))));
    }
  }, fail);

  if (canEdit) {
    get('/api/v1/journey-templates', null, { signal: ctx.signal }).then((res) => {
      templateSelect.append(...res.items.map((t) => h('option', { value: t.name }, t.title)));
    }, fail);
    createBtn.addEventListener('click', async () => {
      try {
        const j = await post(`/api/v1/journeys?template=${encodeURIComponent(templateSelect.value)}`);
        location.hash = `#/journeys/${j.id}`;
      } catch (err) {
        fail(err);
      }
    });
  }
  showPersonas(personas, ctx, canEdit, fail);
}

const PERSONA_TEXT = [['name', 'Name'], ['quote', 'Quote'], ['description', 'Description'], ['rule', 'Accounts covered (rule, e.g. stage=customer)']];
const PERSONA_LISTS = [['goals', 'Goals'], ['pain_points', 'Pain points']];

function showPersonas(section, ctx, canEdit, fail) {
  const list = h('ul', { class: 'jm-persona-list' });
  const form = h('form', { id: 'persona-form', class: 'jm-persona-form', hidden: true });
  section.append(h('h2', null, 'Personas'), list, form);
  let editing = null;

  function load() {
    get('/api/v1/personas', null, { signal: ctx.signal }).then((res) => {
      replace(list, res.items.map((p) => h('li', { class: 'card jm-persona' },
        h('strong', null, p.name), p.quote ? h('q', null, p.quote) : null,
        h('p', { class: 'muted' }, p.description),
        canEdit ? h('button', { class: 'btn btn-small', type: 'button', on: { click: () => edit(p) } }, 'Edit') : null)));
      if (canEdit) list.append(h('li', null, h('button', { id: 'persona-new', class: 'btn btn-small', type: 'button', on: { click: () => edit({ name: '' }) } }, 'New persona')));
    }, fail);
  }

  function edit(p) {
    editing = p;
    const fields = PERSONA_TEXT.map(([k, label]) => h('label', { class: 'field' }, label,
      h(k === 'description' ? 'textarea' : 'input', { class: 'input', name: k, value: p[k] || '' })));
    const lists = PERSONA_LISTS.map(([k, label]) => h('label', { class: 'field' }, `${label} (one per line)`,
      h('textarea', { class: 'input', name: k, value: (p[k] || []).join('\n') })));
    replace(form, fields, lists,
      h('div', { class: 'toolbar' },
        h('button', { class: 'btn btn-primary', type: 'submit' }, 'Save persona'),
        h('button', { class: 'btn', type: 'button', on: { click: () => { form.hidden = true; } } }, 'Cancel'),
        p.id ? h('button', { class: 'btn btn-ghost', type: 'button', on: { click: remove } }, 'Delete') : null));
    form.hidden = false;
  }

  async function remove() {
    try {
      await del(`/api/v1/personas/${editing.id}`);
      form.hidden = true;
      load();
    } catch (err) {
      fail(err);
    }
  }

  form.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const body = { ...editing };
    delete body.id;
    for (const [k] of PERSONA_TEXT) body[k] = form.elements[k].value;
    for (const [k] of PERSONA_LISTS) body[k] = lines(form.elements[k].value);
    try {
      if (editing.id) await put(`/api/v1/personas/${editing.id}`, body);
      else await post('/api/v1/personas', body);
      form.hidden = true;
      load();
    } catch (err) {
      fail(err);
    }
  });
  load();
}

// --- Editor ----------------------------------------------------------------

function lines(text) {
  return text.split('\n').map((s) => s.trim()).filter(Boolean);
}

/** "Name (channel)" lines ⇄ touchpoints. */
export function parseTouchpoints(text) {
  return lines(text).map((l) => {
    const m = /^(.*?)\s*\(([^()]+)\)\s*$/.exec(l);
    return m ? { name: m[1], channel: m[2].trim().toLowerCase() } : { name: l, channel: 'other' };
  });
}

/** "Name: target unit" lines ⇄ KPIs. */
export function parseKPIs(text) {
  return lines(text).map((l) => {
    const m = /^(.*?):\s*(-?[\d.]+)\s*(.*)$/.exec(l);
    return m ? { name: m[1].trim(), target: Number(m[2]), unit: m[3].trim() } : { name: l, target: 0, unit: '' };
  });
}

function cellText(stage, lane) {
  switch (lane) {
    case 'touchpoints': return stage.touchpoints.map((t) => `${t.name} (${t.channel})`).join('\n');
    case 'kpis': return stage.kpis.map((k) => `${k.name}: ${k.target}${k.unit ? ` ${k.unit}` : ''}`).join('\n');
    case 'entry': return stage.entry;
    default: return (stage[lane] || []).join('\n');
  }
}

function setCell(stage, lane, text) {
  switch (lane) {
    case 'touchpoints': stage.touchpoints = parseTouchpoints(text); break;
    case 'kpis': stage.kpis = parseKPIs(text); break;
    case 'entry': stage.entry = text.trim(); break;
    case 'emotion': stage.emotion = Number(text); break;
    default: stage[lane] = lines(text);
  }
}

function emptyStage(name) {
  return { name, actions: [], thoughts: [], emotion: 0, goals: [], touchpoints: [], owners: [], pain_points: [], opportunities: [], kpis: [], entry: '' };
}

function duration(sec) {
  if (sec >= 86400) return `${(sec / 86400).toFixed(1).replace(/\.0$/, '')} d`;
  if (sec >= 3600) return `${(sec / 3600).toFixed(1).replace(/\.0$/, '')} h`;
  if (sec >= 60) return `${Math.round(sec / 60)} min`;
  return `${Math.round(sec)} s`;
}

function mountEditor(container, ctx, id, canEdit) {
  const state = { doc: null, metrics: null, dirty: false };
  const title = h('h1', { id: 'journey-title' });
  const meta = h('p', { id: 'journey-meta', class: 'page-meta' });
  const error = h('div', { id: 'journey-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const status = h('span', { id: 'journey-status', class: 'muted', 'aria-live': 'polite' });
  const saveBtn = h('button', { id: 'journey-save', class: 'btn btn-primary', type: 'button', disabled: true, hidden: !canEdit }, 'Save');
  const addBtn = h('button', { id: 'journey-add-stage', class: 'btn', type: 'button', hidden: !canEdit }, 'Add stage');
  const reviewBtn = h('button', { id: 'journey-review', class: 'btn btn-ghost', type: 'button' }, 'Mark reviewed');
  const grid = h('div', { id: 'journey-grid', class: 'jm-grid-wrap' });
  const versions = h('ol', { id: 'journey-versions', class: 'jm-versions' });
  const fromSel = h('select', { id: 'diff-base', class: 'input select' });
  const toSel = h('select', { id: 'diff-to', class: 'input select' });
  const changes = h('ul', { id: 'journey-changes', class: 'jm-changes' });
  const exportLinks = ['svg', 'png', 'pdf', 'json'].map((f) => h('a', { class: 'btn btn-small', href: `/api/v1/journeys/${id}/export.${f}`, download: `journey-${id}.${f}` }, f.toUpperCase()));

  container.append(
    h('header', { class: 'page-header' },
      h('div', { class: 'page-heading' }, h('p', null, h('a', { href: '#/journeys' }, '← Journeys')), title, meta)),
    h('div', { class: 'toolbar jm-toolbar' }, saveBtn, addBtn, reviewBtn, status, h('span', { class: 'jm-spacer' }), 'Export ', exportLinks),
    error,
    grid,
    h('section', { class: 'jm-history' },
      h('h2', null, 'Versions'), versions,
      h('div', { class: 'toolbar' }, 'Compare ', fromSel, ' with ', toSel,
        h('button', { id: 'diff-show', class: 'btn btn-small', type: 'button', on: { click: showDiff } }, 'Show changes')),
      changes),
  );

  function fail(err) {
    if (isAbort(err)) return;
    error.textContent = err.message;
    error.hidden = false;
  }

  function markDirty() {
    state.dirty = true;
    saveBtn.disabled = false;
    status.textContent = 'Unsaved changes';
  }

  async function load() {
    try {
      const [doc, metrics] = await Promise.all([
        get(`/api/v1/journeys/${id}`, null, { signal: ctx.signal }),
        get(`/api/v1/journeys/${id}/metrics`, null, { signal: ctx.signal }).catch((err) => { fail(err); return null; }),
      ]);
      state.doc = doc;
      state.metrics = metrics;
      render();
      loadVersions();
    } catch (err) {
      fail(err);
    }
  }

  async function loadVersions() {
    try {
      const res = await get(`/api/v1/journeys/${id}/versions`, null, { signal: ctx.signal });
      replace(versions, res.items.map((v) => h('li', { class: 'jm-version', dataset: { version: String(v.version) } },
        h('strong', null, `v${v.version}`), ` ${formatDateTime(parseTime(v.created_at))}`, v.author ? ` · ${v.author}` : '')));
      const opts = () => res.items.map((v) => h('option', { value: String(v.version) }, `v${v.version}`));
      replace(fromSel, opts());
      replace(toSel, opts());
      if (res.items.length > 1) fromSel.value = String(res.items[1].version);
    } catch (err) {
      fail(err);
    }
  }

  async function showDiff() {
    try {
      const res = await get(`/api/v1/journeys/${id}/diff`, { from: fromSel.value, to: toSel.value }, { signal: ctx.signal });
      replace(changes, res.changes.length ? res.changes.map((c) => h('li', { class: `jm-change jm-change-${c.kind}` }, c.text)) : h('li', { class: 'muted' }, 'No changes.'));
    } catch (err) {
      fail(err);
    }
  }

  function render() {
    const d = state.doc;
    title.textContent = d.name;
    meta.textContent = [`v${d.version}`, d.status, d.persona.name ? `persona ${d.persona.name}` : '', d.owner ? `owner ${d.owner}` : '',
      d.review_every_days ? `review every ${d.review_every_days} days` : ''].filter(Boolean).join(' · ');
    const n = d.stages.length;
    const table = h('table', { class: 'jm-grid', vars: { '--jm-stages': String(n) } });
    const head = h('tr', null, h('th', { class: 'jm-lane-head', scope: 'col' }, 'Stage'));
    d.stages.forEach((s, i) => {
      const m = state.metrics && state.metrics.stages[i];
      const name = h('input', { class: 'jm-stage-name', value: s.name, 'aria-label': `Stage ${i + 1} name`, readonly: !canEdit });
      name.addEventListener('input', () => { s.name = name.value; markDirty(); });
      head.append(h('th', { scope: 'col', class: 'jm-stage', dataset: { stage: String(i) } },
        name,
        canEdit ? h('div', { class: 'jm-stage-tools' },
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', title: 'Move left', 'aria-label': `Move ${s.name} left`, disabled: i === 0, on: { click: () => move(i, -1) } }, '←'),
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', title: 'Move right', 'aria-label': `Move ${s.name} right`, disabled: i === n - 1, on: { click: () => move(i, 1) } }, '→'),
          h('button', { class: 'btn btn-small btn-ghost', type: 'button', title: 'Remove stage', 'aria-label': `Remove ${s.name}`, disabled: n === 1, on: { click: () => removeStage(i) } }, '×')) : null,
        figures(m)));
    });
    const body = h('tbody');
    for (const [lane, label] of LANES) {
      const row = h('tr', { dataset: { lane } }, h('th', { scope: 'row', class: 'jm-lane-head' }, label));
      if (lane === 'emotion') {
        row.append(h('td', { colspan: String(n), class: 'jm-emotion' }, emotionCurve(d.stages), h('div', { class: 'jm-emotion-inputs' },
          d.stages.map((s, i) => {
            const sel = h('select', { class: 'input select', 'aria-label': `Emotion of ${s.name}`, disabled: !canEdit },
              [2, 1, 0, -1, -2].map((v) => h('option', { value: String(v), selected: v === s.emotion }, v > 0 ? `+${v}` : String(v))));
            sel.addEventListener('change', () => { setCell(s, 'emotion', sel.value); markDirty(); render(); });
            return h('div', null, sel);
          }))));
      } else {
        d.stages.forEach((s, i) => row.append(cell(s, i, lane)));
      }
      body.append(row);
    }
    table.append(h('thead', null, head), body);
    replace(grid, table);
  }

  function figures(m) {
    if (!m) return null;
    if (!m.measured) return h('div', { class: 'jm-figures muted' }, 'not measured');
    const parts = [h('span', { class: 'jm-accounts' }, `${m.accounts} accounts`)];
    if (m.conversion != null) parts.push(h('span', null, `${Math.round(m.conversion * 1000) / 10}% from previous`));
    if (m.median_seconds_from_previous != null) parts.push(h('span', null, `median ${duration(m.median_seconds_from_previous)}`));
    return h('div', { class: 'jm-figures' }, parts);
  }

  function cell(stage, i, lane) {
    const td = h('td', { class: `jm-cell jm-${lane}`, dataset: { stage: String(i) } });
    const ta = h('textarea', { class: 'jm-input', rows: '3', value: cellText(stage, lane), readonly: !canEdit,
      'aria-label': `${stage.name}: ${lane.replace('_', ' ')}` });
    ta.addEventListener('input', () => { setCell(stage, lane, ta.value); markDirty(); });
    if (lane === 'touchpoints') {
      const chips = h('div', { class: 'jm-chips' });
      const draw = () => replace(chips, stage.touchpoints.map((t) => h('span', { class: 'chip jm-chip', title: t.channel, vars: { '--chip-color': channelColor(t.channel) } }, t.name)));
      draw();
      ta.addEventListener('change', draw);
      td.append(chips);
    }
    if (lane === 'kpis' && state.metrics) {
      const m = state.metrics.stages[i];
      if (m) {
        td.append(h('ul', { class: 'jm-kpi-actuals' }, m.kpis.filter((k) => k.actual != null).map((k) => h('li', { class: k.met ? 'jm-met' : 'jm-missed' },
          `${k.name}: ${Math.round(k.actual * 10) / 10} ${k.unit} (${k.met ? 'met' : 'not met'})`))));
      }
    }
    td.prepend(ta);
    return td;
  }

  function emotionCurve(stages) {
    const w = 100 * stages.length;
    const svg = document.createElementNS(SVG_NS, 'svg');
    svg.setAttribute('viewBox', `0 0 ${w} 80`);
    svg.setAttribute('preserveAspectRatio', 'none');
    svg.setAttribute('class', 'jm-curve');
    svg.setAttribute('role', 'img');
    svg.setAttribute('aria-label', `Emotion: ${stages.map((s) => `${s.name} ${s.emotion > 0 ? '+' : ''}${s.emotion}`).join(', ')}`);
    const y = (e) => 40 - e * 16;
    const zero = document.createElementNS(SVG_NS, 'line');
    for (const [k, v] of Object.entries({ x1: 0, x2: w, y1: 40, y2: 40, class: 'jm-curve-zero' })) zero.setAttribute(k, String(v));
    svg.append(zero);
    const line = document.createElementNS(SVG_NS, 'polyline');
    line.setAttribute('points', stages.map((s, i) => `${i * 100 + 50},${y(s.emotion)}`).join(' '));
    line.setAttribute('class', 'jm-curve-line');
    line.setAttribute('vector-effect', 'non-scaling-stroke');
    svg.append(line);
    stages.forEach((s, i) => {
      const c = document.createElementNS(SVG_NS, 'circle');
      c.setAttribute('cx', String(i * 100 + 50));
      c.setAttribute('cy', String(y(s.emotion)));
      c.setAttribute('r', '5');
      c.setAttribute('fill', EMOTION_COLORS[String(s.emotion)] || '#8c959f');
      svg.append(c);
    });
    return svg;
  }

  function move(i, by) {
    const st = state.doc.stages;
    [st[i], st[i + by]] = [st[i + by], st[i]];
    markDirty();
    render();
  }

  function removeStage(i) {
    state.doc.stages.splice(i, 1);
    markDirty();
    render();
  }

  addBtn.addEventListener('click', () => {
    state.doc.stages.push(emptyStage(`Stage ${state.doc.stages.length + 1}`));
    markDirty();
    render();
  });

  saveBtn.addEventListener('click', async () => {
    saveBtn.disabled = true;
    status.textContent = 'Saving…';
    try {
      const saved = await put(`/api/v1/journeys/${id}`, state.doc);
      state.doc = saved;
      state.dirty = false;
      status.textContent = `Saved as version ${saved.version}`;
      error.hidden = true;
      render();
      loadVersions();
    } catch (err) {
      saveBtn.disabled = false;
      status.textContent = '';
      fail(err);
    }
  });

  reviewBtn.addEventListener('click', async () => {
    try {
      await post(`/api/v1/journeys/${id}/review`);
      status.textContent = 'Marked reviewed';
    } catch (err) {
      fail(err);
    }
  });

  const onLeave = (ev) => {
    if (state.dirty) ev.preventDefault();
  };
  window.addEventListener('beforeunload', onLeave);
  load();
  return () => window.removeEventListener('beforeunload', onLeave);
}
