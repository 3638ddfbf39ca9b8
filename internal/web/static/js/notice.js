// The app-wide notice bar under the top bar, for messages that belong to no
// page in particular ("Could not sign out: …"). Pages show their own errors
// in place.

let timer = 0;

function parts() {
  return {
    bar: document.getElementById('notice'),
    text: document.getElementById('notice-text'),
    close: document.getElementById('notice-close'),
  };
}

/**
 * Shows a message in the notice bar, replacing any other.
 * @param {string} message shown as text
 * @param {{kind?: 'error'|'info', timeout?: number}} [options] timeout in
 *   milliseconds hides it again (0: until dismissed; the default for errors)
 */
export function showNotice(message, { kind = 'error', timeout = kind === 'error' ? 0 : 5000 } = {}) {
  const { bar, text, close } = parts();
  if (!bar || !text) return;
  clearTimeout(timer);
  bar.dataset.kind = kind;
  bar.setAttribute('role', kind === 'error' ? 'alert' : 'status');
  text.textContent = message;
  bar.hidden = false;
  if (close && !close.dataset.wired) {
    close.dataset.wired = '1';
    close.addEventListener('click', hideNotice);
  }
  if (timeout > 0) timer = setTimeout(hideNotice, timeout);
}

/** Hides the notice bar. */
export function hideNotice() {
  clearTimeout(timer);
  const { bar, text } = parts();
  if (!bar) return;
  bar.hidden = true;
  if (text) text.textContent = '';
}
