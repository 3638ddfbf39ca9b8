// Journey analytics: a funnel with its drop-offs (a click on a drop-off
// opens those accounts on the map; "Show on map by step" opens every account
// that entered it, coloured by its furthest step), the time to convert, paths as a Sankey
// diagram, attribution, A/B variants and behavioural segments. Everything is
// computed on the server (POST /api/v1/analytics/*); this page draws it with
// plain SVG and text nodes, never markup built from data. Segments, too, open
// on the map coloured by segment.

import { h, replace } from '../dom.js';
import { post, isAbort } from '../api.js';
import { formatNumber } from '../format.js';
import { showNotice } from '../notice.js';

const SVG = 'http://www.w3.org/2000/svg';

/** Creates an SVG element with attributes (numbers and trusted names only) and text children. */
function s(tag, attrs = {}, ...children) {
  const el = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) if (v != null) el.setAttribute(k, String(v));
  for (const c of children) if (c != null) el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  return el;
}

const pct = (x) => `${(100 * (x || 0)).toFixed(1)}%`;

/** A duration in seconds as "3.2 days", "5.0 h" or "40 s". */
function dur(sec) {
  if (!sec) return '—';
  if (sec >= 86400) return `${(sec / 86400).toFixed(1)} days`;
  if (sec >= 3600) return `${(sec / 3600).toFixed(1)} h`;
  if (sec >= 60) return `${(sec / 60).toFixed(0)} min`;
  return `${sec.toFixed(0)} s`;
}

// The demo's journey stages make a sensible first funnel.
const DEFAULT_STEPS = ['stage=first_contact', 'stage=research', 'stage=demo', 'stage=quote', 'stage=sale'];

function ensureStylesheet() {
  if (document.querySelector('link[data-analytics-css]')) return;
  document.head.append(h('link', { rel: 'stylesheet', href: '/static/css/analytics.css', 'data-analytics-css': 'true' }));
}

function field(label, input) {
  return h('label', { class: 'an-field' }, h('span', null, label), input);
}

function table(head, rows) {
  return h('table', { class: 'an-table' },
    h('thead', null, h('tr', null, head.map((c) => h('th', null, c)))),
    h('tbody', null, rows.map((r) => h('tr', null, r.map((c) => h('td', null, c))))));
}

/**
 * Shows the analytics page.
 * @param {HTMLElement} container
 * @param {{signal: AbortSignal, query: URLSearchParams}} ctx
 */
export function mount(container, ctx) {
  ensureStylesheet();
  const opt = { signal: ctx.signal };
  let lastFunnel = null;

  // --- Funnel -------------------------------------------------------------
  const stepInputs = h('div', { class: 'an-steps', id: 'funnel-steps' });
  const addStep = (v = '') => {
    const input = h('input', { class: 'input an-step', type: 'text', value: v, 'aria-label': 'Step filter', spellcheck: 'false' });
    const row = h('div', { class: 'an-step-row' }, input,
      h('button', { class: 'btn btn-small btn-ghost', type: 'button', 'aria-label': 'Remove step', on: { click: () => row.remove() } }, '×'));
    stepInputs.append(row);
  };
  (ctx.query.getAll('step').length ? ctx.query.getAll('step') : DEFAULT_STEPS).forEach((v) => addStep(v));
  const windowInput = h('input', { class: 'input an-short', id: 'funnel-window', value: ctx.query.get('window') || '90d' });
  const modeInput = h('input', { class: 'input', id: 'funnel-mode', value: ctx.query.get('mode') || '', placeholder: 'strict_order,strict_increase…' });
  const breakdownSelect = h('select', { class: 'input an-short', id: 'funnel-breakdown' },
    ['', 'channel', 'variant', 'type', 'territory', 'owner', 'account_stage', 'persona'].map((v) => h('option', { value: v }, v || 'none')));
  const funnelOut = h('div', { id: 'funnel-result', 'aria-live': 'polite' });
  const funnelForm = h('form', { class: 'an-form', id: 'funnel-form', on: { submit: (e) => { e.preventDefault(); runFunnel(); } } },
    h('div', null, h('span', { class: 'an-label' }, 'Steps (interaction filters, in order)'), stepInputs,
      h('button', { class: 'btn btn-small', type: 'button', on: { click: () => addStep() } }, 'Add step')),
    h('div', { class: 'an-row' }, field('Window', windowInput), field('Mode', modeInput), field('Breakdown', breakdownSelect),
      h('button', { class: 'btn btn-primary', type: 'submit', id: 'funnel-run' }, 'Show funnel')));

  function funnelRequest() {
    return {
      steps: [...stepInputs.querySelectorAll('input')].map((i) => i.value.trim()).filter(Boolean),
      window: windowInput.value.trim(), mode: modeInput.value.trim(), breakdown: breakdownSelect.value,
    };
  }

  async function runFunnel() {
    funnelOut.setAttribute('aria-busy', 'true');
    try {
      const req = funnelRequest();
      const res = await post('/api/v1/analytics/funnel', req, opt);
      lastFunnel = req;
      drawFunnel(res);
    } catch (err) {
      if (!isAbort(err)) showNotice(err.message);
    } finally {
      funnelOut.removeAttribute('aria-busy');
    }
  }

  /**
   * Runs req again at url asking for a map selection, and opens the map on
   * it, coloured by its groups.
   */
  async function openGroups(url, req, button) {
    button.disabled = true;
    try {
      const res = await post(url, { ...req, map_selection: true }, opt);
      location.hash = `#/map?selection=${encodeURIComponent(res.selection.id)}&color=selection`;
    } catch (err) {
      button.disabled = false;
      if (!isAbort(err)) showNotice(err.message);
    }
  }

  async function openDropOff(step, button) {
    button.disabled = true;
    try {
      const res = await post('/api/v1/analytics/funnel', { ...lastFunnel, dropoff_step: step }, opt);
      location.hash = `#/map?selection=${encodeURIComponent(res.selection.id)}`;
    } catch (err) {
      button.disabled = false;
      if (!isAbort(err)) showNotice(err.message);
    }
  }

  function drawFunnel(res) {
    const steps = res.steps || [];
    const W = 720, barH = 34, gap = 30, left = 190;
    const top = steps.length ? steps[0].accounts : 0;
    const svg = s('svg', { class: 'an-funnel', viewBox: `0 0 ${W} ${steps.length * (barH + gap)}`, role: 'img', 'aria-label': 'Funnel' });
    const drops = [];
    steps.forEach((st, i) => {
      const y = i * (barH + gap);
      const w = top ? Math.max(2, ((W - left - 10) * st.accounts) / top) : 2;
      svg.append(
        s('text', { x: 0, y: y + barH / 2 + 5, class: 'an-bar-label' }, `${i + 1}. ${st.filter}`),
        s('rect', { x: left, y, width: w, height: barH, rx: 3, class: 'an-bar' }),
        s('text', { x: left + 8, y: y + barH / 2 + 5, class: 'an-bar-value' }, `${formatNumber(st.accounts)} · ${pct(st.conversion)}`));
      if (i + 1 < steps.length) {
        const next = steps[i + 1];
        const lost = st.accounts - next.accounts;
        svg.append(s('text', { x: left, y: y + barH + 19, class: 'an-drop-label' },
          `${pct(next.conversion_from_previous)} continue · median ${dur(next.median_seconds)}, mean ${dur(next.mean_seconds)}`));
        drops.push(h('button', {
          class: 'btn btn-small an-dropoff', type: 'button', id: `dropoff-${i + 1}`, dataset: { accounts: String(st.dropped_off) },
          disabled: st.dropped_off === 0,
          on: { click: (e) => openDropOff(i + 1, e.currentTarget) },
        }, `Step ${i + 1}: ${formatNumber(st.dropped_off)} dropped off (${formatNumber(lost)} lost) → map`));
      }
    });
    const hist = res.time_to_convert || [];
    const maxB = Math.max(1, ...hist.map((b) => b.accounts));
    const hsvg = s('svg', { class: 'an-hist', viewBox: `0 0 ${hist.length * 80} 170`, role: 'img', 'aria-label': 'Time to convert' });
    hist.forEach((b, i) => {
      const hgt = (120 * b.accounts) / maxB;
      hsvg.append(s('rect', { x: i * 80 + 8, y: 130 - hgt, width: 64, height: Math.max(hgt, 1), class: 'an-bar' }),
        s('text', { x: i * 80 + 40, y: 125 - hgt, class: 'an-small', 'text-anchor': 'middle' }, formatNumber(b.accounts)),
        s('text', { x: i * 80 + 40, y: 150, class: 'an-small', 'text-anchor': 'middle' }, b.label));
    });
    const byStep = h('button', {
      class: 'btn btn-small', type: 'button', id: 'funnel-map', disabled: !top,
      on: { click: (e) => openGroups('/api/v1/analytics/funnel', lastFunnel, e.currentTarget) },
    }, 'Show on map by step');
    const parts = [svg, h('div', { class: 'an-drops' }, drops, byStep),
      h('p', { class: 'muted' }, `${formatNumber(res.accounts)} accounts with interactions; window ${dur(res.window_seconds)}; mode ${res.mode || 'default'}; ${formatNumber(res.interactions)} interactions in ${res.seconds.toFixed(2)} s.`),
      h('h3', null, `Time to convert (median ${dur(res.median_convert_seconds)})`), hsvg];
    if (res.breakdown) {
      parts.push(h('h3', null, 'Breakdown'), table(['value', ...steps.map((_, i) => `step ${i + 1}`), 'conversion'],
        res.breakdown.map((b) => [b.value || '(none)', ...b.accounts.map(formatNumber), pct(b.accounts[0] ? b.accounts[b.accounts.length - 1] / b.accounts[0] : 0)])));
    }
    const weeks = (res.weeks || []).slice(-12);
    parts.push(h('h3', null, 'Conversion by week of entry (last 12)'),
      table(['week', 'entered', 'converted', 'conversion'], weeks.map((w) => [w.week, formatNumber(w.entered), formatNumber(w.converted), pct(w.conversion)])));
    replace(funnelOut, ...parts);
  }

  // --- Paths --------------------------------------------------------------
  const anchorInput = h('input', { class: 'input', id: 'paths-anchor', value: 'stage=demo' });
  const dirSelect = h('select', { class: 'input an-short', id: 'paths-direction' }, h('option', { value: 'after' }, 'after'), h('option', { value: 'before' }, 'before'));
  const pathsOut = h('div', { id: 'paths-result' });
  const pathsForm = h('form', { class: 'an-form an-row', on: { submit: async (e) => {
    e.preventDefault();
    try {
      const res = await post('/api/v1/analytics/paths', { anchor: anchorInput.value.trim(), direction: dirSelect.value, depth: 3 }, opt);
      drawPaths(res);
    } catch (err) { if (!isAbort(err)) showNotice(err.message); }
  } } }, field('Touchpoint', anchorInput), field('Paths', dirSelect), h('button', { class: 'btn btn-primary', type: 'submit' }, 'Show paths'));

  function drawPaths(res) {
    const nodes = res.nodes || [];
    const positions = [...new Set(nodes.map((n) => n.position))].sort((a, b) => a - b);
    const colW = 190, H = 360, nodeW = 12;
    const total = Math.max(1, res.accounts);
    const at = new Map();
    const svg = s('svg', { class: 'an-sankey', viewBox: `0 0 ${positions.length * colW + 120} ${H + 20}`, role: 'img', 'aria-label': 'Paths' });
    positions.forEach((p, ci) => {
      let y = 0;
      nodes.filter((n) => n.position === p).slice(0, 8).forEach((n) => {
        const hh = Math.max(3, ((H - 40) * n.accounts) / total);
        at.set(n.id, { x: ci * colW + 10, y, h: hh, out: 0, in: 0 });
        svg.append(s('rect', { x: ci * colW + 10, y, width: nodeW, height: hh, class: 'an-node' }),
          s('text', { x: ci * colW + 26, y: y + Math.min(hh, 14) , class: 'an-small' }, `${n.label} (${formatNumber(n.accounts)})`));
        y += hh + 6;
      });
    });
    for (const l of res.links || []) {
      const a = at.get(l.source), b = at.get(l.target);
      if (!a || !b) continue;
      const w = Math.max(1, ((H - 40) * l.accounts) / total);
      const y1 = a.y + a.out + w / 2, y2 = b.y + b.in + w / 2;
      a.out += w; b.in += w;
      const x1 = a.x + nodeW, x2 = b.x, mx = (x1 + x2) / 2;
      svg.prepend(s('path', { d: `M${x1},${y1} C${mx},${y1} ${mx},${y2} ${x2},${y2}`, class: 'an-link', 'stroke-width': w }));
    }
    replace(pathsOut, svg, table(['path', 'accounts', 'share'], (res.paths || []).map((p) => [p.steps.join(' → '), formatNumber(p.accounts), pct(p.share)])));
  }

  // --- Attribution ----------------------------------------------------------
  const convInput = h('input', { class: 'input', id: 'attr-conversion', value: 'outcome=sale' });
  const modelSelect = h('select', { class: 'input an-short', id: 'attr-model' },
    ['linear', 'first_touch', 'last_touch', 'time_decay', 'position_based'].map((m) => h('option', { value: m }, m)));
  const attrOut = h('div', { id: 'attr-result' });
  const attrForm = h('form', { class: 'an-form an-row', on: { submit: async (e) => {
    e.preventDefault();
    try {
      const res = await post('/api/v1/analytics/attribution', { conversion: convInput.value.trim(), model: modelSelect.value }, opt);
      const max = Math.max(1e-9, ...res.channels.map((c) => c.credit));
      replace(attrOut, h('p', { class: 'muted' }, `${formatNumber(res.conversions)} conversions worth ${formatNumber(Math.round(res.revenue))}, model ${res.model}`),
        table(['channel', 'credit', '', 'revenue'], res.channels.map((c) => [c.channel, c.credit.toFixed(1),
          h('span', { class: 'an-hbar', vars: { '--w': `${(100 * c.credit) / max}%` } }), formatNumber(Math.round(c.revenue))])),
        h('h3', null, 'By touchpoint type'),
        table(['type', 'credit', 'revenue'], res.types.slice(0, 12).map((c) => [c.type, c.credit.toFixed(1), formatNumber(Math.round(c.revenue))])));
    } catch (err) { if (!isAbort(err)) showNotice(err.message); }
  } } }, field('Conversion', convInput), field('Model', modelSelect), h('button', { class: 'btn btn-primary', type: 'submit' }, 'Attribute'));

  // --- Variants -------------------------------------------------------------
  const expInput = h('input', { class: 'input', id: 'ab-exposure', value: 'stage=first_contact' });
  const abConvInput = h('input', { class: 'input', id: 'ab-conversion', value: 'stage=research' });
  const abOut = h('div', { id: 'ab-result' });
  const abForm = h('form', { class: 'an-form an-row', on: { submit: async (e) => {
    e.preventDefault();
    try {
      const res = await post('/api/v1/analytics/variants', { exposure: expInput.value.trim(), conversion: abConvInput.value.trim() }, opt);
      replace(abOut, table(['variant', 'accounts', 'converted', 'conversion', 'P(best)', 'lift vs ' + (res.control || '—'), 'p-value'],
        res.variants.map((v, i) => [v.variant, formatNumber(v.accounts), formatNumber(v.converted), pct(v.conversion), pct(v.probability_best),
          i ? pct(v.lift) : '—', i ? v.p_value.toFixed(4) : '—'])),
      (res.warnings || []).map((w) => h('p', { class: 'an-warning' }, w)));
    } catch (err) { if (!isAbort(err)) showNotice(err.message); }
  } } }, field('Exposure', expInput), field('Conversion', abConvInput), h('button', { class: 'btn btn-primary', type: 'submit' }, 'Compare'));

  // --- Segments -------------------------------------------------------------
  const segConv = h('input', { class: 'input', id: 'seg-conversion', value: 'outcome=sale' });
  const segOut = h('div', { id: 'seg-result' });
  const segForm = h('form', { class: 'an-form an-row', on: { submit: async (e) => {
    e.preventDefault();
    try {
      const req = { conversion: segConv.value.trim(), seed: 1 };
      const res = await post('/api/v1/analytics/segments', req, opt);
      replace(segOut, h('p', { class: 'muted' }, `k = ${res.k} chosen by silhouette`),
        h('button', { class: 'btn btn-small', type: 'button', id: 'segments-map',
          on: { click: (ev) => openGroups('/api/v1/analytics/segments', req, ev.currentTarget) } }, 'Show segments on map'),
        res.segments.map((sg) => {
          const rule = JSON.stringify(sg.rule, null, 1);
          return h('div', { class: 'an-segment' },
            h('h3', null, `Segment ${sg.id}: ${sg.name} — ${formatNumber(sg.accounts)} accounts (${pct(sg.share)})`),
            h('p', null, sg.distinct.map((d) => `${d.feature} ${d.z > 0 ? '+' : ''}${d.z.toFixed(1)}σ`).join(' · ')),
            h('pre', { class: 'an-rule' }, rule),
            h('button', { class: 'btn btn-small', type: 'button', on: { click: () => {
              navigator.clipboard && navigator.clipboard.writeText(rule);
              showNotice('Persona rule copied', { kind: 'info' });
            } } }, 'Save as persona rule (copy JSON)'));
        }),
        h('h3', null, 'Touchpoints and conversion (odds ratios)'),
        table(['touchpoint', 'accounts', 'converted', 'odds ratio', '95% interval'], (res.odds_ratios || []).slice(0, 15).map((o) =>
          [o.touchpoint, formatNumber(o.with), formatNumber(o.converted), o.odds_ratio.toFixed(2), `${o.low.toFixed(2)}–${o.high.toFixed(2)}`])));
    } catch (err) { if (!isAbort(err)) showNotice(err.message); }
  } } }, field('Conversion', segConv), h('button', { class: 'btn btn-primary', type: 'submit' }, 'Find segments'));

  container.append(
    h('header', { class: 'page-header' }, h('h1', null, 'Analytics')),
    h('section', { class: 'card an-card', id: 'funnel' }, h('h2', null, 'Funnel'), funnelForm, funnelOut),
    h('section', { class: 'card an-card', id: 'paths' }, h('h2', null, 'Paths'), pathsForm, pathsOut),
    h('section', { class: 'card an-card', id: 'attribution' }, h('h2', null, 'Attribution'), attrForm, attrOut),
    h('section', { class: 'card an-card', id: 'variants' }, h('h2', null, 'A/B variants'), abForm, abOut),
    h('section', { class: 'card an-card', id: 'segments' }, h('h2', null, 'Segments'), segForm, segOut),
  );
  runFunnel();
}
