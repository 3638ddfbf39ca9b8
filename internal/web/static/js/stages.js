// The pipeline's stages, loaded once per page load and shared by the pages
// that show or filter by stage.

import { get } from './api.js';
import { h } from './dom.js';

/** The colour of a stage whose colour is missing or malformed. */
export const FALLBACK_COLOR = '#94a3b8';

let cached = null;

/**
 * @typedef {{key: string, name: string, kind: string, color: string}} Stage
 */

/**
 * Returns the stages in pipeline order, fetching them the first time.
 * @returns {Promise<Stage[]>}
 */
export function getStages() {
  if (!cached) {
    cached = get('/api/v1/stages').then(
      (res) => (res && Array.isArray(res.items) ? res.items : []),
      (err) => {
        cached = null;
        throw err;
      },
    );
  }
  return cached;
}

/** Forgets the loaded stages, after they were edited. */
export function invalidateStages() {
  cached = null;
}

/**
 * Returns a colour safe to use in CSS: the stage's #rrggbb colour or the
 * fallback.
 * @param {string|null|undefined} color
 */
export function safeColor(color) {
  return typeof color === 'string' && /^#[0-9a-fA-F]{6}$/.test(color) ? color : FALLBACK_COLOR;
}

/**
 * Builds a chip naming a stage in its colour.
 * @param {Map<string, Stage>} byKey stages by key
 * @param {string} key the account's stage key
 */
export function stageChip(byKey, key) {
  const stage = byKey.get(key);
  return h('span', { class: 'chip', vars: { '--stage-color': safeColor(stage && stage.color) } },
    stage ? stage.name : key || 'No stage');
}

/**
 * Builds a coloured dot for a stage.
 * @param {string|null|undefined} color
 */
export function stageDot(color) {
  return h('span', { class: 'dot', 'aria-hidden': 'true', vars: { '--stage-color': safeColor(color) } });
}
