// The inbox in the app shell's header: a bell with the number of unread
// notifications (re-engagement rules: docs/notifications.md) and a panel
// listing them. Everything shown that a user wrote (rule and account
// names, messages) goes in as text through h(), never as HTML.
//
// Fixed ids, for tests: #inbox-button, #inbox-badge, #inbox-panel,
// #inbox-list, #inbox-read-all, #inbox-error.

import { get, isAbort, post } from './api.js';
import { h, icon, replace } from './dom.js';
import { formatRelativeDate, parseTime } from './format.js';

/** How often the badge is refreshed while the page is visible. */
export const POLL_MS = 60000;

const BELL = 'M6 16V11a6 6 0 0 1 12 0v5l2 2H4zM10 20a2 2 0 0 0 4 0';

/**
 * Adds the inbox button before the sign-out button in host.
 * @param {HTMLElement} host the header's user area
 */
export function mountInbox(host) {
  const badge = h('span', { id: 'inbox-badge', class: 'inbox-badge', hidden: true, 'aria-hidden': 'true' });
  const label = h('span', { class: 'visually-hidden' }, 'Notifications');
  const button = h('button', {
    id: 'inbox-button', class: 'inbox-button', type: 'button', 'aria-expanded': 'false', 'aria-controls': 'inbox-panel',
    title: 'Notifications',
  }, icon(BELL, 20), label, badge);
  const list = h('ul', { id: 'inbox-list', class: 'inbox-list' });
  const error = h('p', { id: 'inbox-error', class: 'alert alert-error', role: 'alert', hidden: true });
  const readAll = h('button', { id: 'inbox-read-all', class: 'btn btn-small btn-ghost', type: 'button', disabled: true }, 'Mark all read');
  const panel = h('section', { id: 'inbox-panel', class: 'inbox-panel', hidden: true, 'aria-labelledby': 'inbox-heading' },
    h('div', { class: 'panel-head' }, h('h2', { id: 'inbox-heading', class: 'panel-title' }, 'Notifications'), readAll),
    error, list);
  const wrap = h('div', { class: 'inbox' }, button, panel);
  const signOut = host.querySelector('#sign-out');
  host.insertBefore(wrap, signOut);

  let timer = 0;
  let controller = null;

  function setUnread(n) {
    badge.hidden = !n;
    badge.textContent = n > 99 ? '99+' : String(n || '');
    label.textContent = n ? `Notifications, ${n} unread` : 'Notifications';
    readAll.disabled = !n;
  }

  async function refresh() {
    if (controller) controller.abort();
    controller = new AbortController();
    try {
      const page = await get('/api/v1/notifications', { limit: 30 }, { signal: controller.signal });
      error.hidden = true;
      setUnread(page.unread || 0);
      render(page.items || []);
    } catch (err) {
      if (isAbort(err) || err.redirecting) return;
      error.textContent = `Notifications could not be loaded: ${err.message}`;
      error.hidden = false;
    }
  }

  function render(items) {
    if (!items.length) {
      replace(list, h('li', { class: 'inbox-empty' }, 'Nothing new. Rules you or your manager set up will show up here.'));
      return;
    }
    replace(list, items.map(item));
  }

  function item(n) {
    const when = parseTime(n.created_at);
    const target = `#/map?q=${encodeURIComponent(n.account_external_id || n.account_name || '')}`;
    const link = h('a', { class: 'inbox-link', href: target, on: { click: () => markRead(n) } },
      h('span', { class: 'inbox-account' }, n.account_name || ''),
      h('span', { class: 'inbox-message' }, n.message || ''),
      h('span', { class: 'inbox-meta' }, n.rule || '', when ? ` · ${formatRelativeDate(when)}` : ''));
    return h('li', { class: n.read ? 'inbox-item' : 'inbox-item is-unread', dataset: { id: String(n.id) } }, link);
  }

  async function markRead(n) {
    if (n.read) return;
    try {
      await post(`/api/v1/notifications/${encodeURIComponent(n.id)}/read`);
    } catch (err) {
      if (!isAbort(err)) console.warn('inbox:', err.message);
    }
    close();
    refresh();
  }

  readAll.addEventListener('click', async () => {
    readAll.disabled = true;
    try {
      await post('/api/v1/notifications/read-all');
    } catch (err) {
      error.textContent = `Could not mark them read: ${err.message}`;
      error.hidden = false;
    }
    refresh();
  });

  function open() {
    panel.hidden = false;
    button.setAttribute('aria-expanded', 'true');
    refresh();
    document.addEventListener('click', onOutside, true);
    document.addEventListener('keydown', onKey);
  }

  function close() {
    panel.hidden = true;
    button.setAttribute('aria-expanded', 'false');
    document.removeEventListener('click', onOutside, true);
    document.removeEventListener('keydown', onKey);
  }

  function onOutside(e) {
    if (!wrap.contains(e.target)) close();
  }

  function onKey(e) {
    if (e.key === 'Escape') {
      close();
      button.focus();
    }
  }

  button.addEventListener('click', () => (panel.hidden ? open() : close()));

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (!document.hidden) refresh();
      schedule();
    }, POLL_MS);
  }
  document.addEventListener('visibilitychange', () => {
    if (!document.hidden) refresh();
  });
  refresh();
  schedule();
}
