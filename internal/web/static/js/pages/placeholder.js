// The page of a feature that is not built yet: what it will hold.

import { h } from '../dom.js';

/**
 * Returns a page module describing a page to come.
 * @param {string} title
 * @param {string} summary
 * @param {string[]} features
 */
export function placeholder(title, summary, features) {
  return {
    mount(container) {
      container.append(
        h('header', { class: 'page-header' }, h('h1', null, title)),
        h('section', { class: 'card coming-soon' },
          h('span', { class: 'badge' }, 'Coming soon'),
          h('p', { class: 'coming-soon-summary' }, summary),
          h('ul', { class: 'coming-soon-list' }, features.map((f) => h('li', null, f)))),
      );
    },
  };
}
