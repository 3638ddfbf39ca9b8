// The sign-in page: posts the credentials to /api/v1/session and goes to the
// app, or shows the server's message.

import { get, post, setCsrfToken } from './api.js';
import { byId } from './dom.js';

const form = /** @type {HTMLFormElement} */ (byId('login-form'));
const email = /** @type {HTMLInputElement} */ (byId('email'));
const password = /** @type {HTMLInputElement} */ (byId('password'));
const button = /** @type {HTMLButtonElement} */ (byId('sign-in'));
const errorBox = byId('login-error');
const toggle = /** @type {HTMLButtonElement} */ (byId('toggle-password'));

/** Where to go once signed in: the app, at the page asked for if any. */
function destination() {
  const next = new URLSearchParams(location.search).get('next') || '';
  // Only a hash of the app: never another path or site.
  return /^#\/[^\s]*$/.test(next) ? `/${next}` : '/';
}

let busy = false;

function setBusy(on) {
  busy = on;
  button.disabled = on;
  button.textContent = on ? 'Signing in…' : 'Sign in';
  button.setAttribute('aria-busy', String(on));
  form.setAttribute('aria-busy', String(on));
}

function showError(message) {
  errorBox.textContent = message;
  errorBox.hidden = false;
}

function hideError() {
  errorBox.hidden = true;
  errorBox.textContent = '';
}

form.addEventListener('submit', async (e) => {
  e.preventDefault();
  if (busy) return;
  hideError();
  const body = { email: email.value.trim(), password: password.value };
  if (!body.email || !body.password) {
    showError('Enter your email address and password.');
    (body.email ? password : email).focus();
    return;
  }
  setBusy(true);
  password.type = 'password';
  toggle.textContent = 'Show';
  toggle.setAttribute('aria-pressed', 'false');
  try {
    const res = await post('/api/v1/session', body, { redirectOn401: false });
    setCsrfToken(res && res.csrf_token);
    location.replace(destination());
    // Stay busy while the browser leaves the page.
  } catch (err) {
    setBusy(false);
    let message = err.message;
    if (err.status === 429 && err.retryAfter && !/\d/.test(message)) {
      message += ` Try again in ${Math.ceil(err.retryAfter / 60)} min.`;
    }
    showError(message);
    if (err.status === 401) {
      password.select();
      password.focus();
    } else if (err.status === 400) {
      email.focus();
    }
  }
});

toggle.addEventListener('click', () => {
  const show = password.type === 'password';
  password.type = show ? 'text' : 'password';
  toggle.textContent = show ? 'Hide' : 'Show';
  toggle.setAttribute('aria-pressed', String(show));
  toggle.setAttribute('aria-label', show ? 'Hide password' : 'Show password');
  password.focus();
});

toggle.setAttribute('aria-label', 'Show password');
toggle.hidden = false;
button.disabled = false;

// Already signed in? Go straight to the app.
get('/api/v1/me', null, { redirectOn401: false, timeout: 10000 }).then(
  (me) => {
    if (busy) return;
    setCsrfToken(me && me.csrf_token);
    location.replace(destination());
  },
  () => {
    // 401 (the usual case) or unreachable: stay on the form.
  },
);
