// The app shell: checks the session, shows the user, builds the navigation
// and starts the router that shows the pages.

import { clearCsrfToken, del, get, isAbort, setCsrfToken } from './api.js';
import { byId, h, replace } from './dom.js';
import { roleName } from './format.js';
import { hideNotice, showNotice } from './notice.js';
import { Router } from './router.js';
import { DEFAULT_PATH, routes } from './routes.js';

const MOBILE = window.matchMedia('(max-width: 900px)');

async function boot() {
  wireSkipLink();
  wireMenu();
  let me;
  try {
    me = await get('/api/v1/me');
  } catch (err) {
    if (err.redirecting || isAbort(err)) return;
    bootFailed(err);
    return;
  }
  setCsrfToken(me.csrf_token);
  const user = me.user || {};
  showUser(user);
  import('./inbox.js').then((m) => m.mountInbox(byId('user'))).catch((err) => console.warn('inbox:', err.message));
  const visible = routes.filter((r) => !r.roles || r.roles.includes(user.role));
  const links = buildNav(visible);
  byId('sign-out').addEventListener('click', signOut);

  const router = new Router({
    routes: visible,
    outlet: byId('view'),
    defaultPath: DEFAULT_PATH,
    context: { me },
    onChange: (route) => {
      for (const [path, link] of links) {
        if (route && route.path === path) link.setAttribute('aria-current', 'page');
        else link.removeAttribute('aria-current');
      }
      closeMenu();
    },
  });
  byId('boot').hidden = true;
  document.body.classList.remove('booting');
  router.start();
}

function bootFailed(err) {
  replace(byId('boot'),
    h('div', { class: 'empty-state' },
      h('p', { class: 'alert alert-error', role: 'alert' }, `Meridian could not start: ${err.message}`),
      h('button', { class: 'btn btn-primary', type: 'button', on: { click: () => location.reload() } }, 'Try again')));
}

function showUser(user) {
  const name = byId('user-name');
  name.textContent = user.name || user.email || '';
  if (user.email) name.title = user.email;
  byId('user-role').textContent = roleName(user.role);
}

/** Fills the nav list; returns the links by route path. */
function buildNav(visible) {
  const links = new Map();
  const items = visible.map((r) => {
    const link = h('a', { class: 'nav-link', href: `#/${r.path}`, id: `nav-${r.path}` }, r.title);
    links.set(r.path, link);
    return h('li', null, link);
  });
  replace(byId('nav'), items);
  return links;
}

async function signOut() {
  const button = byId('sign-out');
  button.disabled = true;
  button.textContent = 'Signing out…';
  hideNotice();
  try {
    await del('/api/v1/session', { redirectOn401: false });
  } catch (err) {
    // 401: the session had already ended, which is what we want.
    if (err.status !== 401) {
      button.disabled = false;
      button.textContent = 'Sign out';
      showNotice(`Could not sign out: ${err.message}`);
      return;
    }
  }
  clearCsrfToken();
  location.replace('/login');
}

// --- Phone menu -------------------------------------------------------------

function wireMenu() {
  const toggle = byId('nav-toggle');
  const topbar = byId('topbar');
  toggle.addEventListener('click', () => (topbar.classList.contains('nav-open') ? closeMenu() : openMenu()));
  document.addEventListener('keydown', (e) => {
    if (e.key === 'Escape' && topbar.classList.contains('nav-open')) {
      closeMenu();
      toggle.focus();
    }
  });
  document.addEventListener('click', (e) => {
    if (topbar.classList.contains('nav-open') && !topbar.contains(/** @type {Node} */ (e.target))) closeMenu();
  });
  byId('nav').addEventListener('click', (e) => {
    if (e.target instanceof HTMLAnchorElement) closeMenu();
  });
  MOBILE.addEventListener('change', () => closeMenu());
}

function openMenu() {
  byId('topbar').classList.add('nav-open');
  byId('nav-toggle').setAttribute('aria-expanded', 'true');
}

function closeMenu() {
  byId('topbar').classList.remove('nav-open');
  byId('nav-toggle').setAttribute('aria-expanded', 'false');
}

// The skip link must not change the hash, which the router owns.
function wireSkipLink() {
  byId('skip-link').addEventListener('click', (e) => {
    e.preventDefault();
    const main = byId('main');
    main.focus();
    main.scrollIntoView();
  });
}

boot().catch((err) => {
  console.error(err);
  bootFailed(err);
});
