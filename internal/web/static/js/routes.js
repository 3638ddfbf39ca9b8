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
    load: comingSoon('Routes', 'Plan a day of visits and drive it in the best order.', [
      'Pick accounts from the list or the map and order them by travel time',
      'Start and end points, time windows and the time each visit takes',
      'A route on the map, and check-ins along the way from your phone',
    ]),
  },
  {
    path: 'journeys',
    title: 'Journeys',
    load: comingSoon('Journeys', 'Map how customers move from first contact to won.', [
      'Customer journey maps: stages, touchpoints and channels for each persona',
      'Where accounts stall, and how long each step takes',
      'Visits and campaigns placed on the journey',
    ]),
  },
  {
    path: 'analytics',
    title: 'Analytics',
    load: comingSoon('Analytics', 'Funnels and reports on the pipeline and the field team.', [
      'Conversion funnel between stages, by source channel and period',
      'Pipeline value by stage, owner and territory',
      'Visit activity and results by rep',
    ]),
  },
  {
    path: 'territories',
    title: 'Territories',
    load: comingSoon('Territories', 'Divide the market into territories and assign them to reps.', [
      'Territories drawn on the map or imported from a file',
      'Reps assigned to each territory, and the accounts and value in each',
      'Balance workloads by moving boundaries',
    ]),
  },
];
