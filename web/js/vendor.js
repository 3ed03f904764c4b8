// Loading the browser libraries of web/vendor/ (copied from npm by
// scripts/web-assets.sh) when a page first needs them, so that pages without
// a map or a chart load none.  The libraries are UMD builds that set globals
// (window.d3, window.topojson, window.uPlot); they are added as same-origin
// <script> elements, which the CSP allows, and each is loaded once.

const scripts = new Map();
const styles = new Map();

function loadScript(src) {
  if (!scripts.has(src)) {
    scripts.set(src, new Promise((resolve, reject) => {
      const el = document.createElement('script');
      el.src = src;
      // Scripts added together run in the order they were added (d3-array
      // before d3-geo), and still download in parallel.
      el.async = false;
      el.addEventListener('load', () => resolve());
      el.addEventListener('error', () => {
        scripts.delete(src);
        el.remove();
        reject(new Error(`cannot load ${src}`));
      });
      document.head.append(el);
    }));
  }
  return scripts.get(src);
}

export function loadCss(href) {
  if (!styles.has(href)) {
    styles.set(href, new Promise((resolve, reject) => {
      const el = document.createElement('link');
      el.rel = 'stylesheet';
      el.href = href;
      el.addEventListener('load', () => resolve());
      el.addEventListener('error', () => {
        styles.delete(href);
        el.remove();
        reject(new Error(`cannot load ${href}`));
      });
      document.head.append(el);
    }));
  }
  return styles.get(href);
}

// d3-geo (with d3-array) and topojson-client: { d3, topojson }.
export async function mapLibs() {
  await Promise.all([
    loadScript('/vendor/d3/d3-array.min.js'),
    loadScript('/vendor/d3/d3-geo.min.js'),
    loadScript('/vendor/topojson-client/topojson-client.min.js'),
  ]);
  return { d3: window.d3, topojson: window.topojson };
}

// uPlot and its stylesheet.
export async function chartLib() {
  await Promise.all([loadScript('/vendor/uplot/uPlot.iife.min.js'), loadCss('/vendor/uplot/uPlot.min.css')]);
  return window.uPlot;
}

// The world map: Natural Earth 1:110m countries as TopoJSON (world-atlas,
// ids ISO 3166-1 numeric); see data/reference/SOURCE.txt.
let world = null;
export function worldAtlas() {
  if (!world) {
    world = fetch('/vendor/world-atlas/countries-110m.json', { credentials: 'same-origin' }).then((res) => {
      if (!res.ok) throw new Error(`cannot load the world map: ${res.status}`);
      return res.json();
    });
    world.catch(() => { world = null; });
  }
  return world;
}
