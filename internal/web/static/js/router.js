// A small hash router: "#/accounts?q=acme" shows the page registered as
// "accounts" with params [] and query q=acme; "#/accounts/42" gives params
// ["42"]. Page modules are loaded on first use.
//
// A page module exports
//
//   mount(container, ctx) → optional cleanup function (or a promise of one)
//
// ctx = { me, route, params, query, signal }: the signed-in user (the
// answer of GET /api/v1/me), the route, the path segments after the page
// name, the query (URLSearchParams) and an AbortSignal aborted when the user
// leaves the page (pass it to API calls).

import { h, replace } from './dom.js';

/**
 * @typedef {object} Route
 * @property {string} path the first segment of the hash, e.g. "accounts"
 * @property {string} title shown in the nav and the window title
 * @property {() => Promise<{mount: Function}>} load imports the page module
 * @property {string[]} [roles] roles that see the page; all when absent
 */

/**
 * Splits a location hash into the page name, the further segments and the
 * query.
 * @param {string} hash e.g. "#/accounts/42?tab=visits"
 */
export function parseHash(hash) {
  const raw = hash.replace(/^#\/?/, '');
  const [pathPart, queryPart = ''] = raw.split('?', 2);
  const segments = pathPart.split('/').filter(Boolean).map((s) => {
    try {
      return decodeURIComponent(s);
    } catch {
      return s;
    }
  });
  return { name: segments[0] || '', params: segments.slice(1), query: new URLSearchParams(queryPart) };
}

/**
 * Rewrites the query of the current hash without showing the page again
 * (and without a history entry): pages keep their filters in the address
 * this way, so reload and the back button keep them.
 * @param {Record<string, string|null|undefined>} values '' or null removes
 */
export function setQuery(values) {
  const { name, params, query } = parseHash(location.hash);
  for (const [k, v] of Object.entries(values)) {
    if (v == null || v === '') query.delete(k);
    else query.set(k, v);
  }
  const path = [name, ...params].map(encodeURIComponent).join('/');
  const qs = query.toString();
  history.replaceState(history.state, '', `#/${path}${qs ? `?${qs}` : ''}`);
}

/** Shows the page the location hash names, in an outlet element. */
export class Router {
  /**
   * @param {object} options
   * @param {Route[]} options.routes
   * @param {HTMLElement} options.outlet where pages render
   * @param {string} options.defaultPath the page for an empty hash
   * @param {object} [options.context] merged into every page's ctx
   * @param {(route: Route|null) => void} [options.onChange] after each change
   */
  constructor({ routes, outlet, defaultPath, context = {}, onChange = () => {} }) {
    this.routes = new Map(routes.map((r) => [r.path, r]));
    this.outlet = outlet;
    this.defaultPath = defaultPath;
    this.context = context;
    this.onChange = onChange;
    this.seq = 0;
    this.leave = null;
    this.started = false;
    this.onHashChange = () => this.show(true);
  }

  /** Starts listening to hash changes and shows the current page. */
  start() {
    window.addEventListener('hashchange', this.onHashChange);
    this.show(false);
  }

  /** The route named by the current hash, or null. */
  current() {
    return this.routes.get(parseHash(location.hash).name) || null;
  }

  /**
   * Shows the page of the current hash.
   * @param {boolean} moveFocus move focus to the new page's heading (after
   *   a navigation, not on first load)
   */
  async show(moveFocus) {
    if (!parseHash(location.hash).name) {
      history.replaceState(history.state, '', `#/${this.defaultPath}`);
    }
    const { name, params, query } = parseHash(location.hash);
    const seq = ++this.seq;
    this.unmount();
    const route = this.routes.get(name) || null;
    if (!route) {
      document.title = 'Page not found · Meridian';
      replace(this.outlet, notFound());
      this.onChange(null);
      this.focusHeading(moveFocus);
      return;
    }
    document.title = `${route.title} · Meridian`;
    this.onChange(route);
    this.outlet.setAttribute('aria-busy', 'true');
    let mod;
    try {
      mod = await route.load();
    } catch (err) {
      if (seq !== this.seq) return;
      this.outlet.removeAttribute('aria-busy');
      replace(this.outlet, loadFailed(route, err, () => this.show(true)));
      return;
    }
    if (seq !== this.seq) return;
    this.outlet.removeAttribute('aria-busy');
    const controller = new AbortController();
    const container = h('div', { class: 'page', dataset: { page: route.path } });
    replace(this.outlet, container);
    let cleanup = null;
    this.leave = () => {
      controller.abort();
      if (typeof cleanup === 'function') cleanup();
    };
    try {
      cleanup = await mod.mount(container, { ...this.context, route, params, query, signal: controller.signal });
    } catch (err) {
      console.error(err);
      if (seq === this.seq) replace(this.outlet, loadFailed(route, err, () => this.show(true)));
      return;
    }
    if (seq !== this.seq) {
      if (typeof cleanup === 'function') cleanup();
      return;
    }
    this.focusHeading(moveFocus);
  }

  unmount() {
    const leave = this.leave;
    this.leave = null;
    if (leave) {
      try {
        leave();
      } catch (err) {
        console.error(err);
      }
    }
  }

  focusHeading(moveFocus) {
    if (!moveFocus) return;
    window.scrollTo(0, 0);
    const heading = this.outlet.querySelector('h1');
    if (heading) {
      if (!heading.hasAttribute('tabindex')) heading.setAttribute('tabindex', '-1');
      heading.focus({ preventScroll: true });
    }
  }
}

function notFound() {
  return h('div', { class: 'page' },
    h('div', { class: 'empty-state' },
      h('h1', null, 'Page not found'),
      h('p', null, 'There is no page at this address.'),
      h('a', { class: 'btn', href: '#/' }, 'Go to the start page')));
}

function loadFailed(route, err, retry) {
  return h('div', { class: 'page' },
    h('div', { class: 'empty-state' },
      h('h1', null, route.title),
      h('p', { class: 'alert alert-error', role: 'alert' },
        `This page could not be loaded${err && err.message ? `: ${err.message}` : '.'} Check your connection and try again.`),
      h('button', { class: 'btn', type: 'button', on: { click: retry } }, 'Try again')));
}
