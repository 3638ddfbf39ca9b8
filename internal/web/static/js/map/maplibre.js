// Loads the vendored MapLibre GL JS (static/vendor/maplibre-gl, the CSP
// build, see scripts/vendor-web.sh) once per page load: its stylesheet, its
// script (a classic script defining window.maplibregl) and the URL of its
// worker, which the CSP build needs to be told. Also the PMTiles reader, on
// demand, for a basemap served as a .pmtiles archive.
//
// URLs are resolved against this module's own URL, so they carry the
// versioned /static/v-VERSION/ prefix the page was loaded with.

const VENDOR = new URL('../../vendor/', import.meta.url);

/** The URL of a vendored file, e.g. vendorURL('boundaries/land.json'). */
export function vendorURL(file) {
  return new URL(file, VENDOR).href;
}

let maplibre = null;
let pmtiles = null;

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const el = document.createElement('script');
    el.src = src;
    el.async = true;
    el.addEventListener('load', () => resolve(), { once: true });
    el.addEventListener('error', () => {
      el.remove();
      reject(new Error(`could not load ${src.replace(/^.*\//, '')}`));
    }, { once: true });
    document.head.append(el);
  });
}

function loadStylesheet(href) {
  if (document.querySelector(`link[data-vendor="${CSS.escape(href)}"]`)) return Promise.resolve();
  return new Promise((resolve, reject) => {
    const el = document.createElement('link');
    el.rel = 'stylesheet';
    el.href = href;
    el.dataset.vendor = href;
    el.addEventListener('load', () => resolve(), { once: true });
    el.addEventListener('error', () => {
      el.remove();
      reject(new Error('could not load the map stylesheet'));
    }, { once: true });
    // Before the app's stylesheet, so that the app's rules win.
    const app = document.querySelector('link[rel="stylesheet"]');
    if (app) app.before(el);
    else document.head.append(el);
  });
}

/**
 * Returns the maplibregl namespace, loading the library the first time.
 * @returns {Promise<any>}
 */
export function loadMapLibre() {
  if (!maplibre) {
    maplibre = Promise.all([
      loadStylesheet(vendorURL('maplibre-gl/maplibre-gl.css')),
      window.maplibregl ? Promise.resolve() : loadScript(vendorURL('maplibre-gl/maplibre-gl-csp.js')),
    ]).then(() => {
      const lib = window.maplibregl;
      if (!lib) throw new Error('the map library did not start');
      lib.setWorkerUrl(vendorURL('maplibre-gl/maplibre-gl-csp-worker.js'));
      return lib;
    }, (err) => {
      maplibre = null;
      throw err;
    });
  }
  return maplibre;
}

/**
 * Registers the pmtiles:// protocol with MapLibre, loading the PMTiles
 * reader the first time.
 * @param {any} lib the maplibregl namespace
 */
export function loadPMTiles(lib) {
  if (!pmtiles) {
    pmtiles = (window.pmtiles ? Promise.resolve() : loadScript(vendorURL('pmtiles/pmtiles.js'))).then(() => {
      const reader = window.pmtiles;
      if (!reader) throw new Error('the PMTiles reader did not start');
      const protocol = new reader.Protocol();
      lib.addProtocol('pmtiles', protocol.tile);
      return reader;
    }, (err) => {
      pmtiles = null;
      throw err;
    });
  }
  return pmtiles;
}
