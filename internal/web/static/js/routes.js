// The app's pages, in navigation order. A feature adds its page here: a
// module under pages/ exporting mount(container, ctx) (see router.js).

/** @typedef {import('./router.js').Route} Route */

/**
 * A page that is not built yet.
 * @param {string} title
 * @param {string} summary what the page will be for
 * @param {string[]} features what it will hold
 */
function comingSoon(title, summary, features) {
  return () => import('./pages/placeholder.js').then((m) => m.placeholder(title, summary, features));
}

/** The page shown for an empty hash. */
export const DEFAULT_PATH = 'map';

/** @type {Route[]} */
export const routes = [
  {
    path: 'map',
    title: 'Map',
    load: () => import('./pages/map.js'),
  },
  {
    path: 'accounts',
    title: 'Accounts',
    load: () => import('./pages/accounts.js'),
  },
  {
    path: 'routes',
    title: 'Routes',
    load: () => import('./pages/routes.js'),
  },
  {
    path: 'journeys',
    title: 'Journeys',
    load: () => import('./pages/journeys.js'),
  },
  {
    path: 'analytics',
    title: 'Analytics',
    load: () => import('./pages/analytics.js'),
    roles: ['admin', 'manager'],
  },
  {
    path: 'rules',
    title: 'Rules',
    roles: ['manager', 'admin'],
    load: () => import('./pages/rules.js'),
  },
  {
    path: 'leaderboard',
    title: 'Leaderboard',
    load: () => import('./pages/leaderboard.js'),
  },
  {
    path: 'territories',
    title: 'Territories',
    load: () => import('./pages/territories.js'),
  },
];
