// Safe element building. Strings always become text nodes, so user data can
// never be parsed as HTML: build views with h() and textContent, never with
// innerHTML.

const PROPERTIES = new Set(['value', 'checked', 'disabled', 'selected', 'hidden', 'indeterminate']);
const FORBIDDEN = new Set(['innerHTML', 'outerHTML', 'srcdoc', 'style']);

/**
 * Creates an element.
 *
 *   h('a', { class: 'link', href: '#/accounts', on: { click: fn } }, 'Accounts')
 *
 * props:
 *   class     the class attribute (a string)
 *   dataset   an object merged into element.dataset
 *   vars      CSS custom properties, e.g. { '--stage-color': '#43a047' }
 *             (set through the CSSOM, which the Content-Security-Policy allows)
 *   on        event listeners, e.g. { click: fn }
 *   value, checked, disabled, selected, hidden, indeterminate
 *             set as properties
 *   anything else is an attribute; true sets it empty, false/null/undefined
 *             leave it out.
 * children: strings and numbers (as text), nodes, arrays of them; null,
 * undefined and false are skipped.
 *
 * @param {string} tag
 * @param {Record<string, any>|null} [props]
 * @param {...any} children
 * @returns {HTMLElement}
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  if (props) setProps(el, props);
  append(el, children);
  return el;
}

/**
 * Sets props on an existing element, as h() does.
 * @param {Element} el
 * @param {Record<string, any>} props
 */
export function setProps(el, props) {
  for (const [key, value] of Object.entries(props)) {
    if (FORBIDDEN.has(key) || /^on./i.test(key)) {
      throw new Error(`dom: "${key}" is not allowed; use text children, vars or on: {…}`);
    }
    if (key === 'class') {
      el.className = value ?? '';
    } else if (key === 'dataset') {
      Object.assign(el.dataset, value);
    } else if (key === 'vars') {
      for (const [name, v] of Object.entries(value)) {
        if (v == null) el.style.removeProperty(name);
        else el.style.setProperty(name, String(v));
      }
    } else if (key === 'on') {
      for (const [type, fn] of Object.entries(value)) el.addEventListener(type, fn);
    } else if (PROPERTIES.has(key)) {
      el[key] = value;
    } else if (value === true) {
      el.setAttribute(key, '');
    } else if (value != null && value !== false) {
      el.setAttribute(key, String(value));
    }
  }
}

/**
 * Appends children (text, nodes or nested arrays) to el.
 * @param {Node} el
 * @param {any[]} children
 */
export function append(el, children) {
  for (const child of children) {
    if (child == null || child === false) continue;
    if (Array.isArray(child)) append(el, child);
    else if (child instanceof Node) el.append(child);
    else el.append(document.createTextNode(String(child)));
  }
}

/**
 * Replaces the children of el.
 * @param {Element} el
 * @param {...any} children
 */
export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
}

/**
 * Returns the element with the given id, or throws: for the fixed parts of a
 * page, whose absence is a bug.
 * @param {string} id
 * @returns {HTMLElement}
 */
export function byId(id) {
  const el = document.getElementById(id);
  if (!el) throw new Error(`dom: no element #${id}`);
  return el;
}

/**
 * Creates an SVG icon from path data (a trusted constant, not user data).
 * @param {string} d the path's d attribute
 * @param {number} [size]
 * @returns {SVGSVGElement}
 */
export function icon(d, size = 18) {
  const ns = 'http://www.w3.org/2000/svg';
  const svg = document.createElementNS(ns, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('width', String(size));
  svg.setAttribute('height', String(size));
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('focusable', 'false');
  const p = document.createElementNS(ns, 'path');
  p.setAttribute('d', d);
  p.setAttribute('fill', 'none');
  p.setAttribute('stroke', 'currentColor');
  p.setAttribute('stroke-width', '2');
  p.setAttribute('stroke-linecap', 'round');
  p.setAttribute('stroke-linejoin', 'round');
  svg.append(p);
  return svg;
}
