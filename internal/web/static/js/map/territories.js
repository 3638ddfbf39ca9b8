// Drawing and editing territories on the Map page (managers and admins):
// the "Draw territory" button, the bar shown while drawing or reshaping, the
// panel of a territory clicked on the map (Edit shape, Delete with a
// confirm step) and the form that saves it (name, colour, reps). The
// geometry and pointer handling are in draw.js.
//
// Fixed ids, for tests: #territory-tools, #draw-territory, #draw-bar,
// #draw-hint, #undo-vertex, #finish-drawing, #cancel-drawing, #draw-metrics,
// #remove-vertex, #territory-form, #territory-name, #territory-color,
// #territory-reps, #save-territory, #cancel-territory, #territory-error,
// #territory-panel, #edit-territory, #delete-territory,
// #confirm-delete-territory.

import { del, get, isAbort, post, put } from '../api.js';
import { h, icon, replace } from '../dom.js';
import { MIN_VERTICES, PolygonDrawer } from './draw.js';
import { PALETTE } from './style.js';

const COLOR_RE = /^#[0-9a-f]{6}$/i;

/**
 * The territory tools. Nothing is shown until attach(map) is called.
 *
 * @param {object} options
 * @param {AbortSignal} options.signal the page's signal
 * @param {() => any[]} options.territories the territories shown (GeoJSON features)
 * @param {(feature: any|null) => Promise<void>|void} options.onSaved after a save or
 *   delete: reload the territories, tiles and metrics
 * @param {(geometry: any|null) => void} options.onMetrics show the figures of a
 *   polygon (null: back to the view's)
 * @param {(id: any|null) => void} options.onEditing the territory whose shape is being
 *   edited (hide it on the map), or null
 * @param {(feature: any|null) => void} options.onSelect the territory panel was closed (null)
 */
export function territoryTools(options) {
  const { signal } = options;
  const ui = {
    map: null,
    drawer: null,
    /** The territory being edited, or null for a new one. */
    editing: null,
    /** The territory whose panel is shown. */
    selected: null,
    users: null,
    metricsShown: false,
  };

  // --- Elements -------------------------------------------------------------

  const drawButton = h('button', {
    id: 'draw-territory', class: 'btn btn-small map-tool', type: 'button', hidden: true,
    title: 'Draw a new territory on the map',
  }, icon('M4 20l4-14 12 4-6 10zM4 20h0'), 'Draw territory');

  const hint = h('p', { id: 'draw-hint', class: 'draw-hint' });
  const warning = h('p', { class: 'draw-warning', role: 'status', hidden: true });
  const undo = h('button', { id: 'undo-vertex', class: 'btn btn-small', type: 'button' }, 'Undo point');
  const finish = h('button', { id: 'finish-drawing', class: 'btn btn-small btn-primary', type: 'button' }, 'Finish');
  const removeVertex = h('button', {
    id: 'remove-vertex', class: 'btn btn-small', type: 'button', title: 'Remove the selected point', 'aria-label': 'Remove the selected point',
  }, '× Remove point');
  const metricsButton = h('button', { id: 'draw-metrics', class: 'btn btn-small', type: 'button', 'aria-pressed': 'false' }, 'Metrics for this polygon');
  const cancelDrawing = h('button', { id: 'cancel-drawing', class: 'btn btn-small btn-ghost', type: 'button' }, 'Cancel');
  const bar = h('div', { id: 'draw-bar', class: 'draw-bar', role: 'group', 'aria-label': 'Drawing a territory', hidden: true },
    hint, warning,
    h('div', { class: 'draw-actions' }, undo, removeVertex, finish, metricsButton, cancelDrawing));

  const name = h('input', {
    id: 'territory-name', class: 'input', type: 'text', name: 'name', required: true, maxlength: '200', autocomplete: 'off',
  });
  const color = h('input', { id: 'territory-color', class: 'input input-color', type: 'color', name: 'color', value: PALETTE[0] });
  const reps = h('select', { id: 'territory-reps', class: 'input select-multiple', name: 'reps', multiple: true, size: '5' });
  const repsNote = h('p', { class: 'field-note muted' }, 'Ctrl-click (⌘-click) to choose several.');
  const error = h('p', { id: 'territory-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const save = h('button', { id: 'save-territory', class: 'btn btn-small btn-primary', type: 'submit' }, 'Save territory');
  const cancelForm = h('button', { id: 'cancel-territory', class: 'btn btn-small btn-ghost', type: 'button' }, 'Cancel');
  const formTitle = h('h2', { class: 'panel-title', id: 'territory-form-title' }, 'New territory');
  const form = h('form', { id: 'territory-form', class: 'form territory-form', novalidate: true, hidden: true, 'aria-labelledby': 'territory-form-title' },
    formTitle,
    h('div', { class: 'field' }, h('label', { for: 'territory-name' }, 'Name'), name),
    h('div', { class: 'field field-color' }, h('label', { for: 'territory-color' }, 'Colour'), color),
    h('div', { class: 'field' }, h('label', { for: 'territory-reps' }, 'Reps'), reps, repsNote),
    error,
    h('div', { class: 'drawer-actions' }, cancelForm, save));

  const panelTitle = h('h2', { class: 'panel-title territory-panel-title', id: 'territory-panel-title' });
  const panelMeta = h('p', { class: 'muted territory-panel-meta' });
  const editShape = h('button', { id: 'edit-territory', class: 'btn btn-small btn-primary', type: 'button' }, 'Edit shape');
  const deleteButton = h('button', { id: 'delete-territory', class: 'btn btn-small btn-danger-ghost', type: 'button' }, 'Delete');
  const confirmDelete = h('button', { id: 'confirm-delete-territory', class: 'btn btn-small btn-danger', type: 'button' }, 'Delete for good');
  const keep = h('button', { id: 'cancel-delete-territory', class: 'btn btn-small btn-ghost', type: 'button' }, 'Keep it');
  const confirmText = h('p', { class: 'territory-confirm-text' });
  const confirmBox = h('div', { class: 'territory-confirm', role: 'alertdialog', 'aria-labelledby': 'territory-panel-title', hidden: true },
    confirmText, h('div', { class: 'drawer-actions' }, keep, confirmDelete));
  const panelError = h('p', { class: 'alert alert-error', role: 'alert', hidden: true });
  const panelClose = h('button', { class: 'drawer-close territory-panel-close', type: 'button', 'aria-label': 'Close' }, '×');
  const panelActions = h('div', { class: 'drawer-actions territory-panel-actions' }, deleteButton, editShape);
  const panel = h('section', { id: 'territory-panel', class: 'territory-panel', 'aria-labelledby': 'territory-panel-title', hidden: true },
    panelClose, panelTitle, panelMeta, panelActions, confirmBox, panelError);

  const card = h('div', { class: 'territory-card', hidden: true }, bar, form);
  const element = h('div', { id: 'territory-tools', class: 'territory-tools' }, drawButton, card, panel);

  // --- Drawing --------------------------------------------------------------

  function onChange(s) {
    const drawing = s.mode === 'draw';
    const shaping = s.mode === 'shape';
    bar.dataset.mode = s.mode;
    bar.dataset.vertices = String(s.vertices);
    card.hidden = s.mode === 'idle';
    bar.hidden = s.mode === 'idle';
    drawButton.hidden = s.mode !== 'idle' || !ui.map;
    undo.hidden = !drawing;
    undo.disabled = s.vertices === 0;
    finish.hidden = !drawing;
    finish.disabled = s.vertices < MIN_VERTICES;
    removeVertex.hidden = !shaping;
    removeVertex.disabled = s.selected < 0 || s.vertices <= MIN_VERTICES;
    metricsButton.disabled = s.vertices < MIN_VERTICES;
    if (drawing) {
      hint.textContent = s.vertices === 0
        ? 'Click the map to place the first corner.'
        : s.vertices < MIN_VERTICES
          ? `${s.vertices} of at least ${MIN_VERTICES} corners. Keep clicking.`
          : `${s.vertices} corners. Double-click, click the first corner or press Finish to close the shape.`;
    } else if (shaping) {
      hint.textContent = 'Drag a corner to move it, drag a small midpoint to add one; right-click or long-press a corner (or select it and press ×) to remove it.';
    }
    warning.hidden = !s.crossing;
    warning.textContent = s.crossing ? 'The outline crosses itself; the server will refuse it.' : '';
    if (shaping && form.hidden) openForm();
    if (s.mode === 'idle') form.hidden = true;
    if (ui.metricsShown) options.onMetrics(s.vertices >= MIN_VERTICES ? ui.drawer.geometry() : null);
  }

  function startDrawing() {
    if (!ui.drawer) return;
    closePanel();
    ui.editing = null;
    options.onEditing(null);
    error.hidden = true;
    ui.drawer.setColor(nextColor());
    ui.drawer.startDrawing();
  }

  function stopDrawing() {
    const wasEditing = ui.editing;
    ui.editing = null;
    form.hidden = true;
    if (ui.metricsShown) {
      ui.metricsShown = false;
      metricsButton.setAttribute('aria-pressed', 'false');
      options.onMetrics(null);
    }
    if (ui.drawer) ui.drawer.stop();
    if (wasEditing) options.onEditing(null);
  }

  function nextColor() {
    const used = new Set(options.territories().map((f) => String((f.properties && f.properties.color) || '').toLowerCase()));
    return PALETTE.find((c) => !used.has(c)) || PALETTE[options.territories().length % PALETTE.length];
  }

  drawButton.addEventListener('click', startDrawing);
  undo.addEventListener('click', () => ui.drawer && ui.drawer.undo());
  finish.addEventListener('click', () => ui.drawer && ui.drawer.finish());
  removeVertex.addEventListener('click', () => ui.drawer && ui.drawer.removeSelected());
  cancelDrawing.addEventListener('click', stopDrawing);
  cancelForm.addEventListener('click', stopDrawing);
  metricsButton.addEventListener('click', () => {
    if (!ui.drawer) return;
    ui.metricsShown = !ui.metricsShown;
    metricsButton.setAttribute('aria-pressed', String(ui.metricsShown));
    options.onMetrics(ui.metricsShown ? ui.drawer.geometry() : null);
  });
  color.addEventListener('input', () => {
    if (ui.drawer && COLOR_RE.test(color.value)) ui.drawer.setColor(color.value);
  });

  function onKey(e) {
    if (e.key !== 'Escape' || e.defaultPrevented || !ui.drawer || !ui.drawer.active()) return;
    e.preventDefault();
    stopDrawing();
  }
  document.addEventListener('keydown', onKey);

  // --- The form ---------------------------------------------------------------

  async function loadReps() {
    if (ui.users) return ui.users;
    try {
      const res = await get('/api/v1/users', null, { signal });
      ui.users = (res && Array.isArray(res.items) ? res.items : []).filter((u) => u.role === 'rep');
    } catch (err) {
      if (isAbort(err)) throw err;
      ui.users = null;
      replace(reps, h('option', { value: '', disabled: true }, `Reps could not be loaded: ${err.message}`));
      return [];
    }
    return ui.users;
  }

  async function fillReps(chosen) {
    const users = await loadReps();
    if (!users.length && !ui.users) return;
    const emails = new Set(chosen);
    const known = new Set(users.map((u) => u.email));
    replace(reps,
      users.map((u) => h('option', { value: u.email, selected: emails.has(u.email) }, u.name ? `${u.name} (${u.email})` : u.email)),
      // Reps kept on a territory although they are no longer reps.
      [...emails].filter((e) => !known.has(e)).map((e) => h('option', { value: e, selected: true }, e)));
  }

  function openForm() {
    const t = ui.editing;
    const p = (t && t.properties) || {};
    formTitle.textContent = t ? `Edit ${p.name || 'territory'}` : 'New territory';
    save.textContent = t ? 'Save changes' : 'Save territory';
    name.value = t ? String(p.name || '') : '';
    color.value = t && COLOR_RE.test(p.color || '') ? p.color.toLowerCase() : (ui.drawer ? ui.drawer.color : PALETTE[0]);
    error.hidden = true;
    form.hidden = false;
    save.disabled = false;
    fillReps(Array.isArray(p.reps) ? p.reps : []).catch(() => {});
    if (!t) name.focus({ preventScroll: true });
  }

  form.addEventListener('submit', async (e) => {
    e.preventDefault();
    if (!ui.drawer) return;
    const geometry = ui.drawer.geometry();
    const chosen = [...reps.selectedOptions].map((o) => o.value).filter(Boolean);
    const t = ui.editing;
    const p = (t && t.properties) || {};
    const nameValue = name.value.trim();
    if (!nameValue) {
      showError('A territory needs a name.');
      name.focus();
      return;
    }
    if (!geometry) {
      showError(`A territory needs at least ${MIN_VERTICES} corners.`);
      return;
    }
    const props = {};
    if (!t || nameValue !== p.name) props.name = nameValue;
    if (!t || color.value.toLowerCase() !== String(p.color || '').toLowerCase()) props.color = color.value.toLowerCase();
    const before = Array.isArray(p.reps) ? [...p.reps].sort().join('\n') : '';
    if (!t || [...chosen].sort().join('\n') !== before) props.reps = chosen;
    const body = { type: 'Feature', geometry, properties: props };
    error.hidden = true;
    save.disabled = true;
    save.textContent = 'Saving…';
    try {
      const saved = t
        ? await put(`/api/v1/territories/${encodeURIComponent(p.id)}`, body, { signal })
        : await post('/api/v1/territories', body, { signal });
      stopDrawing();
      await options.onSaved(saved);
    } catch (err) {
      if (isAbort(err) || err.redirecting) return;
      showError(`Not saved: ${err.message}`);
    } finally {
      save.disabled = false;
      save.textContent = ui.editing ? 'Save changes' : 'Save territory';
    }
  });

  function showError(message) {
    error.textContent = message;
    error.hidden = false;
  }

  // --- A territory's panel -----------------------------------------------------

  function select(feature) {
    if (ui.drawer && ui.drawer.active()) return;
    ui.selected = feature || null;
    confirmBox.hidden = true;
    panelActions.hidden = false;
    panelError.hidden = true;
    if (!feature) {
      panel.hidden = true;
      return;
    }
    const p = feature.properties || {};
    panelTitle.textContent = p.name || `Territory ${p.id}`;
    const repsList = Array.isArray(p.reps) ? p.reps : typeof p.reps === 'string' ? safeParse(p.reps) : [];
    panelMeta.textContent = repsList.length ? `Reps: ${repsList.join(', ')}` : 'No reps assigned';
    panel.hidden = false;
  }

  function closePanel() {
    if (ui.selected) {
      ui.selected = null;
      panel.hidden = true;
      options.onSelect(null);
    }
  }

  panelClose.addEventListener('click', closePanel);
  editShape.addEventListener('click', () => {
    const t = ui.selected;
    if (!t || !ui.drawer) return;
    panel.hidden = true;
    ui.selected = null;
    ui.editing = t;
    options.onEditing(t.properties && t.properties.id);
    const p = t.properties || {};
    ui.drawer.setColor(COLOR_RE.test(p.color || '') ? p.color : PALETTE[0]);
    form.hidden = true;
    if (!ui.drawer.startEditing(t.geometry)) {
      ui.editing = null;
      options.onEditing(null);
      select(t);
      panelError.textContent = 'This territory’s shape cannot be edited here.';
      panelError.hidden = false;
    }
  });
  deleteButton.addEventListener('click', () => {
    if (!ui.selected) return;
    confirmText.textContent = `Delete ${(ui.selected.properties && ui.selected.properties.name) || 'this territory'}? Its accounts stay and are reassigned to the territories around them.`;
    confirmBox.hidden = false;
    panelActions.hidden = true;
    keep.focus();
  });
  keep.addEventListener('click', () => {
    confirmBox.hidden = true;
    panelActions.hidden = false;
    deleteButton.focus();
  });
  confirmDelete.addEventListener('click', async () => {
    const t = ui.selected;
    if (!t) return;
    confirmDelete.disabled = true;
    panelError.hidden = true;
    try {
      await del(`/api/v1/territories/${encodeURIComponent(t.properties.id)}`, { signal });
      panel.hidden = true;
      ui.selected = null;
      options.onSelect(null);
      await options.onSaved(null);
    } catch (err) {
      if (isAbort(err) || err.redirecting) return;
      panelError.textContent = `Not deleted: ${err.message}`;
      panelError.hidden = false;
    } finally {
      confirmDelete.disabled = false;
    }
  });

  return {
    element,
    /** Starts the tools on a loaded map. */
    attach(map) {
      ui.map = map;
      ui.drawer = new PolygonDrawer(map, { color: PALETTE[0], onChange });
      drawButton.hidden = false;
    },
    /** Shows the panel of a territory clicked on the map (null hides it). */
    select,
    /** The territory whose features may have changed (after a reload). */
    refresh(features) {
      if (ui.selected) {
        const id = ui.selected.properties && ui.selected.properties.id;
        select(features.find((f) => f.properties && f.properties.id === id) || null);
      }
    },
    /** Whether drawing or reshaping owns the map's clicks. */
    active() {
      return !!(ui.drawer && ui.drawer.active());
    },
    destroy() {
      document.removeEventListener('keydown', onKey);
      if (ui.drawer) ui.drawer.destroy();
      ui.drawer = null;
    },
  };
}

function safeParse(s) {
  try {
    const v = JSON.parse(s);
    return Array.isArray(v) ? v.map(String) : [];
  } catch {
    return [];
  }
}
