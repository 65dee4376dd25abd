// Service worker of the reporter page (scope /reporter/). The build (vite.config.ts) compiles this
// file to dist/web/reporter/sw.js and fills in the precache list and version below.
//   - app shell: the page and its built files are precached, so the page opens with no network;
//   - GET /api/*: network first; indicators and orgs fall back to their last good answer offline;
//   - everything else (POST/DELETE, other pages) goes to the network untouched.
/// <reference lib="webworker" />

declare const __PRECACHE__: string[];
declare const __VERSION__: string;

const sw = self as unknown as ServiceWorkerGlobalScope;
const SHELL = `fl-reporter-shell-${__VERSION__}`;
const API = 'fl-reporter-api';
const PAGE = '/reporter/index.html';
/** API answers worth keeping for offline use: the catalogue and the org list. */
const CACHED_API = [/^\/api\/outreach\/indicators(\?|$)/, /^\/api\/orgs(\?|$)/];

sw.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(SHELL);
      // cache: 'reload' skips the HTTP cache, so the shell is exactly this build's files.
      await cache.addAll(__PRECACHE__.map((url) => new Request(url, { cache: 'reload' })));
      await sw.skipWaiting();
    })(),
  );
});

sw.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const key of await caches.keys()) {
        if (key.startsWith('fl-reporter-shell-') && key !== SHELL) await caches.delete(key);
      }
      await sw.clients.claim();
    })(),
  );
});

async function networkFirst(request: Request, keep: boolean): Promise<Response> {
  try {
    const response = await fetch(request);
    if (keep && response.ok) {
      const cache = await caches.open(API);
      await cache.put(request, response.clone());
    }
    return response;
  } catch (error) {
    if (keep) {
      const cached = await caches.match(request, { cacheName: API });
      if (cached) return cached;
    }
    throw error;
  }
}

async function shellFirst(request: Request): Promise<Response> {
  const cached = await caches.match(request, { cacheName: SHELL });
  if (cached) return cached;
  const response = await fetch(request);
  return response;
}

sw.addEventListener('fetch', (event) => {
  const { request } = event;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== sw.location.origin) return;

  if (url.pathname.startsWith('/api/')) {
    event.respondWith(networkFirst(request, CACHED_API.some((re) => re.test(url.pathname))));
    return;
  }
  if (request.mode === 'navigate' && url.pathname.startsWith('/reporter/')) {
    // Every page of the scope is the one page: served from the shell, so it opens offline and at
    // once on a slow line; a new build arrives with a new worker (see install/activate).
    event.respondWith(
      caches.match(PAGE, { cacheName: SHELL }).then((cached) => cached ?? fetch(PAGE)),
    );
    return;
  }
  if (__PRECACHE__.includes(url.pathname)) event.respondWith(shellFirst(request));
});
