// Drawing and reshaping one polygon on the map: the territory editor's
// geometry, its GeoJSON source and layers, and the pointer handling. No
// forms here (see territories.js); plain data and map calls.
//
// Modes:
//   'idle'   nothing drawn;
//   'draw'   each click (or tap) adds a vertex; a double-click, a click on the
//            first vertex or finish() closes the ring (3 vertices or more);
//   'shape'  the ring is closed and its vertices are handles: drag one to
//            move it, drag or click a midpoint handle to insert one, and
//            right-click, long-press or removeSelected() to delete one
//            (never fewer than 3).
//
// Pointer events drive the handles, so mouse, pen and touch behave alike;
// the map's own panning is switched off while a handle is dragged.

/** Source and layer ids, all prefixed "draw-". */
export const DRAW_SOURCE = 'draw';
export const DRAW_LAYERS = ['draw-fill', 'draw-line', 'draw-midpoint', 'draw-vertex'];

/** Pixels within which a click or touch hits a handle. */
const HIT_MOUSE = 9;
const HIT_TOUCH = 20;
/** Pixels a pointer may wander before a press becomes a drag. */
const DRAG_SLOP = 4;
/** Milliseconds of pressing a handle, unmoved, that remove it (touch). */
const LONG_PRESS_MS = 600;
/** The fewest vertices of a ring. */
export const MIN_VERTICES = 3;

/**
 * The outer ring to edit of a Polygon or MultiPolygon: the largest
 * polygon's, without its closing point. Returns the ring and the rest of the
 * geometry (holes, other polygons) to put back around it.
 * @param {{type: string, coordinates: any}} geometry
 * @returns {{ring: number[][], polygons: number[][][][], index: number}|null}
 */
export function editableRing(geometry) {
  if (!geometry) return null;
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates]
    : geometry.type === 'MultiPolygon' ? geometry.coordinates : null;
  if (!Array.isArray(polygons) || !polygons.length) return null;
  let index = -1;
  let best = -1;
  polygons.forEach((poly, i) => {
    const a = Math.abs(ringArea((poly && poly[0]) || []));
    if (a > best) {
      best = a;
      index = i;
    }
  });
  const outer = polygons[index] && polygons[index][0];
  if (!Array.isArray(outer) || outer.length < MIN_VERTICES) return null;
  const ring = outer.map((p) => [Number(p[0]), Number(p[1])]);
  if (ring.length > 1 && samePoint(ring[0], ring[ring.length - 1])) ring.pop();
  if (ring.length < MIN_VERTICES) return null;
  return { ring, polygons, index };
}

/** A ring closed (first point repeated at the end), for GeoJSON. */
export function closeRing(ring) {
  if (!ring.length) return [];
  return [...ring.map((p) => [p[0], p[1]]), [ring[0][0], ring[0][1]]];
}

/** Twice the signed planar area of a ring (lon/lat as x/y). */
export function ringArea(ring) {
  let a = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i++) {
    a += ring[j][0] * ring[i][1] - ring[i][0] * ring[j][1];
  }
  return a;
}

/**
 * Whether a ring (open, without its closing point) crosses itself: two
 * edges that are not neighbours intersect. The server checks this too; the
 * editor uses it to warn while the shape is being changed.
 */
export function selfIntersects(ring) {
  const n = ring.length;
  if (n < 4) return false;
  for (let i = 0; i < n; i++) {
    const a = ring[i];
    const b = ring[(i + 1) % n];
    for (let j = i + 1; j < n; j++) {
      if (j === i || (j + 1) % n === i || (i + 1) % n === j) continue;
      if (segmentsCross(a, b, ring[j], ring[(j + 1) % n])) return true;
    }
  }
  return false;
}

function orient(p, q, r) {
  const v = (q[0] - p[0]) * (r[1] - p[1]) - (q[1] - p[1]) * (r[0] - p[0]);
  return v > 0 ? 1 : v < 0 ? -1 : 0;
}

function onSegment(p, q, r) {
  return Math.min(p[0], r[0]) <= q[0] && q[0] <= Math.max(p[0], r[0]) &&
    Math.min(p[1], r[1]) <= q[1] && q[1] <= Math.max(p[1], r[1]);
}

function segmentsCross(p1, q1, p2, q2) {
  const o1 = orient(p1, q1, p2);
  const o2 = orient(p1, q1, q2);
  const o3 = orient(p2, q2, p1);
  const o4 = orient(p2, q2, q1);
  if (o1 !== o2 && o3 !== o4) return true;
  if (o1 === 0 && onSegment(p1, p2, q1)) return true;
  if (o2 === 0 && onSegment(p1, q2, q1)) return true;
  if (o3 === 0 && onSegment(p2, p1, q2)) return true;
  if (o4 === 0 && onSegment(p2, q1, q2)) return true;
  return false;
}

function samePoint(a, b) {
  return a[0] === b[0] && a[1] === b[1];
}

/**
 * The editor of one polygon on a MapLibre map.
 *
 *   const d = new PolygonDrawer(map, { color, onChange })
 *   d.startDrawing()          // clicks add vertices
 *   d.startEditing(geometry)  // the shape's vertices become handles
 *   d.geometry()              // the edited geometry (Polygon or MultiPolygon)
 *   d.stop()                  // back to idle, nothing drawn
 *
 * onChange({mode, vertices, selected, crossing}) follows every change.
 */
export class PolygonDrawer {
  /**
   * @param {any} map a maplibregl.Map, loaded
   * @param {{color?: string, onChange?: (s: object) => void}} [options]
   */
  constructor(map, options = {}) {
    this.map = map;
    this.color = options.color || '#2451c7';
    this.onChange = options.onChange || (() => {});
    this.mode = 'idle';
    /** @type {number[][]} the ring being drawn or edited, open */
    this.ring = [];
    /** The cursor's position while drawing (the rubber band's end). */
    this.hover = null;
    /** The vertex picked by a tap or click in 'shape' mode (for removal). */
    this.selected = -1;
    /** The other polygons and holes of the geometry being edited. */
    this.base = null;
    this.drag = null;
    this.longPress = 0;
    this.suppressClickUntil = 0;
    this.listeners = [];
    this.addLayers();
    this.bind();
  }

  // --- Layers ------------------------------------------------------------

  addLayers() {
    const map = this.map;
    if (!map.getSource(DRAW_SOURCE)) {
      map.addSource(DRAW_SOURCE, { type: 'geojson', data: { type: 'FeatureCollection', features: [] } });
    }
    const kind = (k) => ['==', ['get', 'kind'], k];
    const add = (layer) => { if (!map.getLayer(layer.id)) map.addLayer(layer); };
    add({ id: 'draw-fill', type: 'fill', source: DRAW_SOURCE, filter: kind('area'), paint: { 'fill-color': this.color, 'fill-opacity': 0.16 } });
    add({
      id: 'draw-line', type: 'line', source: DRAW_SOURCE, filter: ['any', kind('line'), kind('band')],
      layout: { 'line-join': 'round', 'line-cap': 'round' },
      paint: {
        'line-color': ['case', ['boolean', ['get', 'crossing'], false], '#d92d20', this.color],
        'line-width': 2.5,
        'line-dasharray': ['case', ['==', ['get', 'kind'], 'band'], ['literal', [2, 2]], ['literal', [1, 0]]],
      },
    });
    add({
      id: 'draw-midpoint', type: 'circle', source: DRAW_SOURCE, filter: kind('mid'),
      paint: { 'circle-radius': 4.5, 'circle-color': '#ffffff', 'circle-opacity': 0.9, 'circle-stroke-color': this.color, 'circle-stroke-width': 1.5 },
    });
    add({
      id: 'draw-vertex', type: 'circle', source: DRAW_SOURCE, filter: kind('vertex'),
      paint: {
        'circle-radius': ['case', ['boolean', ['get', 'selected'], false], 8, ['boolean', ['get', 'first'], false], 7, 6],
        'circle-color': ['case', ['boolean', ['get', 'selected'], false], '#d92d20', '#ffffff'],
        'circle-stroke-color': this.color,
        'circle-stroke-width': 2.5,
      },
    });
  }

  /** Sets the colour of the lines and handles. */
  setColor(color) {
    this.color = color;
    const map = this.map;
    if (!map.getLayer('draw-fill')) return;
    map.setPaintProperty('draw-fill', 'fill-color', color);
    map.setPaintProperty('draw-line', 'line-color', ['case', ['boolean', ['get', 'crossing'], false], '#d92d20', color]);
    map.setPaintProperty('draw-midpoint', 'circle-stroke-color', color);
    map.setPaintProperty('draw-vertex', 'circle-stroke-color', color);
  }

  /** The source's data for the current ring. */
  features() {
    const ring = this.ring;
    const features = [];
    const crossing = this.mode === 'shape' && selfIntersects(ring);
    if (ring.length >= MIN_VERTICES && this.mode === 'shape') {
      features.push({ type: 'Feature', properties: { kind: 'area' }, geometry: { type: 'Polygon', coordinates: [closeRing(ring)] } });
    }
    if (ring.length >= 2) {
      const coords = this.mode === 'shape' ? closeRing(ring) : ring.map((p) => [p[0], p[1]]);
      features.push({ type: 'Feature', properties: { kind: 'line', crossing }, geometry: { type: 'LineString', coordinates: coords } });
    }
    if (this.mode === 'draw' && ring.length && this.hover) {
      const band = [ring[ring.length - 1], this.hover];
      if (ring.length >= 2) band.push(ring[0]);
      features.push({ type: 'Feature', properties: { kind: 'band' }, geometry: { type: 'LineString', coordinates: band } });
    }
    if (this.mode === 'shape') {
      ring.forEach((p, i) => {
        const q = ring[(i + 1) % ring.length];
        features.push({ type: 'Feature', properties: { kind: 'mid', i }, geometry: { type: 'Point', coordinates: [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2] } });
      });
    }
    ring.forEach((p, i) => {
      features.push({
        type: 'Feature',
        properties: { kind: 'vertex', i, first: i === 0 && this.mode === 'draw', selected: i === this.selected },
        geometry: { type: 'Point', coordinates: [p[0], p[1]] },
      });
    });
    return { type: 'FeatureCollection', features };
  }

  render() {
    const source = this.map.getSource(DRAW_SOURCE);
    if (source) source.setData(this.features());
  }

  changed() {
    this.render();
    this.onChange(this.status());
  }

  /** What the toolbar shows: mode, vertex count, selection, self-crossing. */
  status() {
    return {
      mode: this.mode,
      vertices: this.ring.length,
      selected: this.selected,
      crossing: this.mode === 'shape' && selfIntersects(this.ring),
    };
  }

  // --- Modes --------------------------------------------------------------

  /** Starts a new polygon: clicks add vertices. */
  startDrawing() {
    this.ring = [];
    this.base = null;
    this.hover = null;
    this.selected = -1;
    this.mode = 'draw';
    this.map.doubleClickZoom.disable();
    this.map.getCanvasContainer().classList.add('is-drawing');
    this.changed();
  }

  /**
   * Edits an existing geometry's outer ring (of its largest polygon). Returns
   * false when the geometry has no ring to edit.
   */
  startEditing(geometry) {
    const e = editableRing(geometry);
    if (!e) return false;
    this.ring = e.ring;
    this.base = e;
    this.hover = null;
    this.selected = -1;
    this.mode = 'shape';
    this.map.doubleClickZoom.disable();
    this.map.getCanvasContainer().classList.remove('is-drawing');
    this.map.getCanvasContainer().classList.add('is-shaping');
    this.changed();
    return true;
  }

  /** Closes the ring being drawn; false when it has fewer than 3 vertices. */
  finish() {
    if (this.mode !== 'draw' || this.ring.length < MIN_VERTICES) return false;
    this.mode = 'shape';
    this.hover = null;
    this.map.getCanvasContainer().classList.remove('is-drawing');
    this.map.getCanvasContainer().classList.add('is-shaping');
    this.changed();
    return true;
  }

  /** Removes the last vertex drawn. */
  undo() {
    if (this.mode !== 'draw' || !this.ring.length) return;
    this.ring.pop();
    this.changed();
  }

  /** Back to idle: nothing drawn, the map's gestures as they were. */
  stop() {
    this.endDrag();
    this.mode = 'idle';
    this.ring = [];
    this.base = null;
    this.hover = null;
    this.selected = -1;
    const c = this.map.getCanvasContainer();
    c.classList.remove('is-drawing', 'is-shaping');
    this.map.doubleClickZoom.enable();
    this.changed();
  }

  /** Whether the drawer owns the map's clicks (drawing or reshaping). */
  active() {
    return this.mode !== 'idle';
  }

  /**
   * The polygon as GeoJSON: a Polygon for a new shape, else the edited
   * geometry with its ring replaced (a MultiPolygon when it was one).
   */
  geometry() {
    if (this.ring.length < MIN_VERTICES) return null;
    const ring = closeRing(this.ring);
    if (!this.base) return { type: 'Polygon', coordinates: [ring] };
    const polygons = this.base.polygons.map((poly, i) => (i === this.base.index ? [ring, ...poly.slice(1)] : poly));
    return polygons.length === 1 ? { type: 'Polygon', coordinates: polygons[0] } : { type: 'MultiPolygon', coordinates: polygons };
  }

  /** Removes vertex i, keeping at least 3. */
  removeVertex(i) {
    if (this.mode !== 'shape' || i < 0 || i >= this.ring.length || this.ring.length <= MIN_VERTICES) return false;
    this.ring.splice(i, 1);
    this.selected = -1;
    this.changed();
    return true;
  }

  /** Removes the selected vertex (the "×" button). */
  removeSelected() {
    return this.removeVertex(this.selected);
  }

  // --- Pointer handling -------------------------------------------------------

  on(target, type, fn, options) {
    target.addEventListener(type, fn, options);
    this.listeners.push(() => target.removeEventListener(type, fn, options));
  }

  bind() {
    const map = this.map;
    const onClick = (e) => this.onMapClick(e);
    const onDblClick = (e) => this.onMapDblClick(e);
    const onMove = (e) => {
      if (this.mode !== 'draw' || !this.ring.length) return;
      this.hover = [e.lngLat.lng, e.lngLat.lat];
      this.render();
    };
    map.on('click', onClick);
    map.on('dblclick', onDblClick);
    map.on('mousemove', onMove);
    this.listeners.push(() => {
      map.off('click', onClick);
      map.off('dblclick', onDblClick);
      map.off('mousemove', onMove);
    });
    const c = map.getCanvasContainer();
    // Capture: before MapLibre's own handlers on the same element.
    this.on(c, 'pointerdown', (e) => this.onPointerDown(e), { capture: true });
    this.on(c, 'pointermove', (e) => this.onPointerMove(e));
    this.on(c, 'pointerup', (e) => this.onPointerUp(e, false));
    this.on(c, 'pointercancel', (e) => this.onPointerUp(e, true));
    this.on(c, 'contextmenu', (e) => this.onContextMenu(e));
  }

  /** The screen point of a pointer event, relative to the map. */
  point(e) {
    const rect = this.map.getCanvasContainer().getBoundingClientRect();
    return [e.clientX - rect.left, e.clientY - rect.top];
  }

  /**
   * The handle under a screen point: {kind: 'vertex'|'mid', i}, or null.
   * Computed from projected positions, so it never waits for the source.
   */
  hit(pt, radius) {
    let best = null;
    let bestD = radius * radius;
    const test = (kind, i, lngLat) => {
      const p = this.map.project(lngLat);
      const d = (p.x - pt[0]) ** 2 + (p.y - pt[1]) ** 2;
      // Vertices win over midpoints at equal distance.
      if (d < bestD || (d === bestD && kind === 'vertex')) {
        bestD = d;
        best = { kind, i };
      }
    };
    const ring = this.ring;
    ring.forEach((p, i) => test('vertex', i, p));
    if (this.mode === 'shape' && !best) {
      ring.forEach((p, i) => {
        const q = ring[(i + 1) % ring.length];
        test('mid', i, [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]);
      });
    }
    return best;
  }

  onMapClick(e) {
    if (this.mode === 'shape') {
      if (Date.now() < this.suppressClickUntil) return;
      // A click away from the handles drops the selection.
      if (this.selected !== -1 && !this.hit([e.point.x, e.point.y], HIT_MOUSE)) {
        this.selected = -1;
        this.changed();
      }
      return;
    }
    if (this.mode !== 'draw') return;
    const pt = [e.point.x, e.point.y];
    const ring = this.ring;
    const h = ring.length ? this.hit(pt, HIT_MOUSE + 3) : null;
    if (h && h.kind === 'vertex') {
      // The first vertex closes the ring; the last one again is the first
      // half of a double-click, which closes it too.
      if (h.i === 0 && ring.length >= MIN_VERTICES) this.finish();
      return;
    }
    ring.push([e.lngLat.lng, e.lngLat.lat]);
    this.changed();
  }

  onMapDblClick(e) {
    if (this.mode === 'idle') return;
    e.preventDefault();
    if (this.mode === 'draw') this.finish();
  }

  onPointerDown(e) {
    if (this.mode !== 'shape' || (e.pointerType === 'mouse' && e.button !== 0) || this.drag) return;
    const pt = this.point(e);
    const h = this.hit(pt, e.pointerType === 'mouse' ? HIT_MOUSE : HIT_TOUCH);
    if (!h) return;
    // The handle, not the map, takes this press: no pan, no click.
    e.preventDefault();
    e.stopPropagation();
    this.map.dragPan.disable();
    let index = h.i;
    if (h.kind === 'mid') {
      const p = this.ring[h.i];
      const q = this.ring[(h.i + 1) % this.ring.length];
      index = h.i + 1;
      this.ring.splice(index, 0, [(p[0] + q[0]) / 2, (p[1] + q[1]) / 2]);
    }
    this.drag = { id: e.pointerId, index, start: pt, moved: h.kind === 'mid', inserted: h.kind === 'mid', type: e.pointerType };
    try {
      this.map.getCanvasContainer().setPointerCapture(e.pointerId);
    } catch {
      // An already released pointer: the drag ends with pointerup anyway.
    }
    if (h.kind === 'mid') {
      this.selected = -1;
      this.changed();
    } else if (e.pointerType !== 'mouse') {
      clearTimeout(this.longPress);
      this.longPress = setTimeout(() => {
        if (!this.drag || this.drag.moved) return;
        const i = this.drag.index;
        this.endDrag();
        this.removeVertex(i);
      }, LONG_PRESS_MS);
    }
  }

  onPointerMove(e) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    e.preventDefault();
    const pt = this.point(e);
    if (!d.moved && Math.hypot(pt[0] - d.start[0], pt[1] - d.start[1]) < DRAG_SLOP) return;
    d.moved = true;
    clearTimeout(this.longPress);
    const ll = this.map.unproject(pt);
    this.ring[d.index] = [ll.lng, ll.lat];
    this.render();
  }

  onPointerUp(e, cancelled) {
    const d = this.drag;
    if (!d || e.pointerId !== d.id) return;
    this.endDrag();
    this.suppressClickUntil = Date.now() + 350;
    if (!cancelled && !d.moved) {
      // A tap or click on a vertex selects it (for the "×" button).
      this.selected = this.selected === d.index ? -1 : d.index;
    }
    this.changed();
  }

  endDrag() {
    clearTimeout(this.longPress);
    const d = this.drag;
    if (!d) return;
    this.drag = null;
    try {
      this.map.getCanvasContainer().releasePointerCapture(d.id);
    } catch {
      // Not captured any more.
    }
    this.map.dragPan.enable();
  }

  onContextMenu(e) {
    if (this.mode === 'idle') return;
    e.preventDefault();
    if (this.mode !== 'shape') return;
    const d = this.drag;
    if (d) {
      // A long press on a touch screen: the press already names the vertex.
      this.endDrag();
      if (!d.moved) this.removeVertex(d.index);
      else this.changed();
      return;
    }
    const h = this.hit(this.point(e), HIT_MOUSE);
    if (h && h.kind === 'vertex') this.removeVertex(h.i);
  }

  /** Removes the layers, the source and every listener. */
  destroy() {
    this.endDrag();
    for (const off of this.listeners) off();
    this.listeners = [];
    const map = this.map;
    try {
      for (const id of [...DRAW_LAYERS].reverse()) if (map.getLayer(id)) map.removeLayer(id);
      if (map.getSource(DRAW_SOURCE)) map.removeSource(DRAW_SOURCE);
      map.getCanvasContainer().classList.remove('is-drawing', 'is-shaping');
    } catch {
      // The map is already gone.
    }
  }
}
