// The check-in form of the account drawer: outcome (from the organisation's
// list), notes, a follow-up date and, when the browser allows, the device's
// position, which the server compares with the account's to verify the
// visit. Everything shown is built with h() (text nodes), never HTML.

import { get, isAbort, post } from '../api.js';
import { h } from '../dom.js';
import { formatNumber } from '../format.js';

let outcomesCache = null;

/** The visit outcomes, fetched once per page load. */
async function outcomes(signal) {
  if (!outcomesCache) {
    outcomesCache = get('/api/v1/settings/outcomes', null, { signal }).then((r) => (Array.isArray(r.items) ? r.items : []))
      .catch((err) => { outcomesCache = null; throw err; });
  }
  return outcomesCache;
}

/** The device's position, or null when it is refused or unavailable. */
function position() {
  return new Promise((resolve) => {
    if (!navigator.geolocation) { resolve(null); return; }
    navigator.geolocation.getCurrentPosition(
      (p) => resolve({ lon: p.coords.longitude, lat: p.coords.latitude }),
      () => resolve(null),
      { enableHighAccuracy: true, timeout: 8000, maximumAge: 30000 });
  });
}

/**
 * Describes a check-in's verification.
 * @param {{verified?: boolean|null, distance_m?: number|null}} it
 * @returns {string}
 */
export function verificationText(it) {
  if (it.verified == null || it.distance_m == null) return '';
  const d = it.distance_m >= 1000 ? `${formatNumber(Math.round(it.distance_m / 100) / 10)} km` : `${formatNumber(Math.round(it.distance_m))} m`;
  return it.verified ? `Verified: ${d} from the account` : `Not verified: ${d} from the account`;
}

/**
 * The extra facts of a timeline item: verification and, for automatic
 * visits, how long they took.
 * @param {any} it an interaction
 * @returns {HTMLElement|null}
 */
export function visitFacts(it) {
  const parts = [];
  const v = verificationText(it);
  if (v) parts.push(v);
  if (it.source === 'auto') parts.push(`Automatic visit${Number.isFinite(it.duration_s) ? `, ${formatNumber(Math.round(it.duration_s / 60))} min` : ''}`);
  if (it.follow_up_at) parts.push(`Follow up ${new Date(it.follow_up_at).toLocaleDateString()}`);
  if (!parts.length) return null;
  return h('p', { class: 'timeline-facts muted', dataset: { verified: String(it.verified ?? '') } }, parts.join(' · '));
}

/**
 * The check-in form for account a.
 * @param {{id: number}} a
 * @param {{signal: AbortSignal, onSaved: (interaction: any) => void}} opts
 * @returns {HTMLElement}
 */
export function checkInForm(a, opts) {
  const outcome = h('select', { id: 'checkin-outcome', name: 'outcome' }, h('option', { value: '' }, 'No outcome'));
  const notes = h('textarea', { id: 'checkin-notes', name: 'notes', rows: '2', maxlength: '4000' });
  const follow = h('input', { id: 'checkin-follow-up', name: 'follow_up', type: 'date' });
  const useLocation = h('input', { id: 'checkin-location', type: 'checkbox', checked: true });
  const status = h('p', { class: 'checkin-status', id: 'checkin-status', role: 'status' });
  const save = h('button', { class: 'btn btn-primary btn-small', type: 'submit' }, 'Check in');
  const form = h('form', { class: 'form checkin-form', id: 'checkin-form', novalidate: true },
    h('h3', { class: 'panel-title' }, 'Check in'),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Outcome'), outcome),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Notes'), notes),
    h('label', { class: 'field' }, h('span', { class: 'field-label' }, 'Follow up on'), follow),
    h('label', { class: 'checkin-check' }, useLocation, ' Use my location to verify the visit'),
    h('div', { class: 'drawer-actions' }, save),
    status);
  outcomes(opts.signal).then((list) => {
    for (const o of list) outcome.append(h('option', { value: String(o.key) }, String(o.name || o.key)));
  }).catch((err) => {
    if (!isAbort(err)) status.textContent = `Outcomes could not be loaded: ${err.message}`;
  });
  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    save.disabled = true;
    status.textContent = 'Saving…';
    try {
      const body = { account: a.id, channel: 'visit', outcome: outcome.value, notes: notes.value };
      if (follow.value) body.follow_up_at = new Date(`${follow.value}T09:00:00`).toISOString().replace(/\.\d+Z$/, 'Z');
      if (useLocation.checked) {
        const p = await position();
        if (p) { body.lon = p.lon; body.lat = p.lat; }
      }
      const saved = await post('/api/v1/interactions', body, { signal: opts.signal });
      status.textContent = ['Checked in.', verificationText(saved)].filter(Boolean).join(' ');
      status.dataset.verified = String(saved.verified ?? '');
      opts.onSaved(saved);
    } catch (err) {
      if (!isAbort(err)) status.textContent = `Not saved: ${err.message}`;
    } finally {
      save.disabled = false;
    }
  });
  return form;
}
