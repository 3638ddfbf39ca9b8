// The API client: fetch with JSON in and out, the CSRF header on every
// request that changes something, sign-in redirect when the session has
// ended, and errors that carry the server's message.
//
// The session cookie is HttpOnly, so scripts never see it. The CSRF token
// comes with the sign-in answer and with GET /api/v1/me; it is kept in memory
// and in sessionStorage (per tab, gone when the tab closes).

const CSRF_KEY = 'meridian.csrf';
const DEFAULT_TIMEOUT_MS = 30000;

let csrfToken = readStoredToken();

function readStoredToken() {
  try {
    return sessionStorage.getItem(CSRF_KEY) || '';
  } catch {
    return '';
  }
}

/**
 * Remembers the CSRF token to send with non-GET requests.
 * @param {string|null|undefined} token
 */
export function setCsrfToken(token) {
  csrfToken = token || '';
  try {
    if (csrfToken) sessionStorage.setItem(CSRF_KEY, csrfToken);
    else sessionStorage.removeItem(CSRF_KEY);
  } catch {
    // Storage may be off (private mode); memory is enough for this page.
  }
}

/** Forgets the CSRF token (on sign-out). */
export function clearCsrfToken() {
  setCsrfToken('');
}

/**
 * An error answer of the API, or a failure to reach it.
 * status is the HTTP status (0 when the server could not be reached), code
 * the API's error code ("unauthenticated", "too_many_requests", "network",
 * "timeout", …) and message a sentence fit to show the user.
 */
export class ApiError extends Error {
  /**
   * @param {number} status
   * @param {string} code
   * @param {string} message
   */
  constructor(status, code, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
    this.code = code;
    /** True when the browser is being sent to the sign-in page. */
    this.redirecting = false;
    /** Seconds to wait, from Retry-After, when the server sent it. */
    this.retryAfter = 0;
  }
}

/**
 * Sends the browser to the sign-in page, asking it to come back to the
 * current app page afterwards.
 */
export function goToLogin() {
  const hash = location.pathname === '/' && location.hash.startsWith('#/') ? location.hash : '';
  location.replace(hash ? `/login?next=${encodeURIComponent(hash)}` : '/login');
}

/**
 * Builds a URL from a path and query parameters; null, undefined and ''
 * values are left out.
 * @param {string} path
 * @param {Record<string, any>} [query]
 */
export function buildUrl(path, query) {
  if (!query) return path;
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) {
    if (v == null || v === '') continue;
    params.append(k, String(v));
  }
  const qs = params.toString();
  return qs ? `${path}${path.includes('?') ? '&' : '?'}${qs}` : path;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Calls the API.
 *
 * @param {string} method
 * @param {string} path e.g. "/api/v1/accounts"
 * @param {object} [options]
 * @param {Record<string, any>} [options.query] query parameters
 * @param {any} [options.body] sent as JSON, or as is when FormData or Blob
 * @param {AbortSignal} [options.signal] cancels the request (an AbortError
 *   is thrown, which callers ignore)
 * @param {boolean} [options.redirectOn401] send the user to /login on 401
 *   (default true)
 * @param {number} [options.timeout] milliseconds before giving up (default
 *   30 s; 0: never)
 * @returns {Promise<any>} the decoded JSON answer; null for 204
 * @throws {ApiError|DOMException}
 */
export async function request(method, path, options = {}) {
  const { query, body, signal, redirectOn401 = true, timeout = DEFAULT_TIMEOUT_MS } = options;
  const res = await send(method, buildUrl(path, query), body, signal, timeout);
  if (res.status === 403 && !SAFE_METHODS.has(method) && !options.retried) {
    // The CSRF token may be stale (signed in again in another tab): fetch
    // the session's token and try once more if it changed.
    const before = csrfToken;
    try {
      const me = await request('GET', '/api/v1/me', { signal, redirectOn401 });
      if (me && me.csrf_token) setCsrfToken(me.csrf_token);
    } catch (err) {
      if (err instanceof ApiError && err.redirecting) throw err;
    }
    if (csrfToken && csrfToken !== before) {
      return request(method, path, { ...options, retried: true });
    }
  }
  return decode(res, redirectOn401);
}

async function send(method, url, body, signal, timeout) {
  const headers = { Accept: 'application/json' };
  let payload;
  if (body !== undefined) {
    if (body instanceof FormData || body instanceof Blob || body instanceof URLSearchParams) {
      payload = body;
    } else {
      headers['Content-Type'] = 'application/json';
      payload = JSON.stringify(body);
    }
  }
  if (!SAFE_METHODS.has(method) && csrfToken) headers['X-CSRF-Token'] = csrfToken;

  const controller = new AbortController();
  let timedOut = false;
  const onAbort = () => controller.abort(signal.reason);
  if (signal) {
    if (signal.aborted) controller.abort(signal.reason);
    else signal.addEventListener('abort', onAbort, { once: true });
  }
  const timer = timeout > 0 ? setTimeout(() => { timedOut = true; controller.abort(); }, timeout) : 0;
  try {
    return await fetch(url, {
      method,
      headers,
      body: payload,
      credentials: 'same-origin',
      cache: 'no-store',
      signal: controller.signal,
    });
  } catch (err) {
    if (timedOut) {
      throw new ApiError(0, 'timeout', 'The server took too long to answer. Check your connection and try again.');
    }
    if (signal && signal.aborted) throw err;
    throw new ApiError(0, 'network', 'Cannot reach Meridian. Check your connection and try again.');
  } finally {
    clearTimeout(timer);
    if (signal) signal.removeEventListener('abort', onAbort);
  }
}

async function decode(res, redirectOn401) {
  if (res.status === 204 || res.status === 205) return null;
  const type = res.headers.get('Content-Type') || '';
  let data = null;
  let parsed = false;
  if (type.includes('json')) {
    try {
      data = await res.json();
      parsed = true;
    } catch {
      // An unreadable body is reported below by status.
    }
  }
  if (res.ok) {
    if (!parsed) throw new ApiError(res.status, 'bad_response', 'The server sent an answer Meridian cannot read. Try again.');
    return data;
  }
  const e = data && typeof data === 'object' ? data.error : null;
  const code = (e && typeof e.code === 'string' && e.code) || codeFor(res.status);
  const message = (e && typeof e.message === 'string' && e.message.trim()) || messageFor(res.status);
  const err = new ApiError(res.status, code, message);
  const retry = Number(res.headers.get('Retry-After'));
  if (Number.isFinite(retry) && retry > 0) err.retryAfter = retry;
  if (res.status === 401 && redirectOn401) {
    err.redirecting = true;
    clearCsrfToken();
    goToLogin();
  }
  throw err;
}

function codeFor(status) {
  switch (status) {
    case 400: return 'invalid';
    case 401: return 'unauthenticated';
    case 403: return 'forbidden';
    case 404: return 'not_found';
    case 409: return 'conflict';
    case 429: return 'too_many_requests';
    default: return 'internal';
  }
}

function messageFor(status) {
  switch (status) {
    case 400: return 'The request was not valid.';
    case 401: return 'Your session has ended. Sign in again.';
    case 403: return 'You do not have permission to do that.';
    case 404: return 'Not found.';
    case 409: return 'That conflicts with a change made meanwhile. Reload and try again.';
    case 429: return 'Too many requests. Wait a moment and try again.';
    default:
      return status >= 500
        ? `The server had a problem (${status}). Try again in a moment.`
        : `The request failed (${status}).`;
  }
}

/** GET path?query. */
export const get = (path, query, options = {}) => request('GET', path, { ...options, query });
/** POST body as JSON. */
export const post = (path, body, options = {}) => request('POST', path, { ...options, body });
/** PUT body as JSON. */
export const put = (path, body, options = {}) => request('PUT', path, { ...options, body });
/** PATCH body as JSON. */
export const patch = (path, body, options = {}) => request('PATCH', path, { ...options, body });
/** DELETE path. */
export const del = (path, options = {}) => request('DELETE', path, options);

/** Whether err is the cancellation of a request (not worth showing). */
export function isAbort(err) {
  return err != null && err.name === 'AbortError';
}
