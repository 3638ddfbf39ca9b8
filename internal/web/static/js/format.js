// Formatting of numbers, dates and names for display, in the browser's locale.

const numberFormat = new Intl.NumberFormat();
const valueFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 0 });
const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
const relativeFormat = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

/** The em dash shown for a missing value. */
export const NONE = '—';

/**
 * Formats a count: 5012 → "5,012".
 * @param {number} n
 */
export function formatNumber(n) {
  return numberFormat.format(Number(n) || 0);
}

/**
 * Formats a money amount without decimals: 12000.5 → "12,001"; '' when
 * missing or not a number.
 * @param {number|null|undefined} v
 */
export function formatValue(v) {
  if (v == null || v === '') return '';
  const n = Number(v);
  return Number.isFinite(n) ? valueFormat.format(n) : '';
}

/**
 * Describes the part of a list shown: (50, 5012) → "1–50 of 5,012".
 * @param {number} shown how many items are shown, from the first
 * @param {number} total how many there are
 */
export function formatRange(shown, total) {
  return `1–${formatNumber(shown)} of ${formatNumber(Math.max(total, shown))}`;
}

/**
 * Parses an RFC 3339 time; null when empty, invalid or a zero time.
 * @param {string|null|undefined} s
 * @returns {Date|null}
 */
export function parseTime(s) {
  if (!s) return null;
  const d = new Date(s);
  if (Number.isNaN(d.getTime()) || d.getUTCFullYear() < 1900) return null;
  return d;
}

/** Formats a date: "12 Mar 2026" (in the browser's locale). */
export function formatDate(d) {
  return dateFormat.format(d);
}

/** Formats a date and time: "12 Mar 2026, 14:05". */
export function formatDateTime(d) {
  return dateTimeFormat.format(d);
}

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * Formats a date relative to now for recent dates ("today", "yesterday",
 * "3 days ago", "2 weeks ago") and as a date for older or later ones.
 * @param {Date} d
 * @param {Date} [now]
 */
export function formatRelativeDate(d, now = new Date()) {
  const startOf = (x) => new Date(x.getFullYear(), x.getMonth(), x.getDate()).getTime();
  const days = Math.round((startOf(d) - startOf(now)) / DAY_MS);
  if (days > 0) return formatDate(d);
  if (days > -7) return relativeFormat.format(days, 'day');
  if (days > -56) return relativeFormat.format(Math.round(days / 7), 'week');
  return formatDate(d);
}

const ROLE_NAMES = { admin: 'Admin', manager: 'Manager', rep: 'Sales rep' };

/**
 * Names a user role for display: "rep" → "Sales rep".
 * @param {string} role
 */
export function roleName(role) {
  if (!role) return '';
  return ROLE_NAMES[role] || role.charAt(0).toUpperCase() + role.slice(1);
}
