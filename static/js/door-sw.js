// The door page's service worker (served by eventsys/checkin/webapp.py as
// /events/<slug>/door/sw.js, which puts `const DOOR = {version, cache, cache_prefix, page, static}`
// before this text). It lets a gate's phone open the door page with no network once it has
// opened it online:
//
// - the door page itself: network first, the answer kept; with no network, the kept page;
// - the page's modules, styles and the QR decoder (its wasm too): kept when the worker installs,
//   then served from the cache first;
// - everything else, above all the door's JSON endpoints (scan, state, lookup, dataset), goes to
//   the network untouched and is NEVER kept: Cache Storage holds no attendee data. The offline
//   dataset lives encrypted in the page's IndexedDB (static/js/door/offline-store.js).
//
// Updates: the cache is named by a hash of the files it keeps, so a changed file makes a new
// worker. It takes over at once (skipWaiting + clients.claim) and drops the old caches. That
// cannot change anything in the middle of a scan: an open door page loaded all its modules (and
// started its decoder) when it opened, and judges scans with what is in memory; the new files are
// used from the next reload on.
/* global DOOR */

const STATIC = new Set(DOOR.static);

self.addEventListener("install", (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(DOOR.cache);
      await cache.addAll(DOOR.static);
      try {
        await keepPage(cache, await fetch(DOOR.page, { credentials: "same-origin", cache: "no-store" }));
      } catch {
        // no network right now: the page is kept at the next navigation to it
      }
      await self.skipWaiting();
    })(),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    (async () => {
      const names = await caches.keys();
      const page = await pageFromOldCaches(names);
      if (page) await (await caches.open(DOOR.cache)).put(DOOR.page, page);
      await Promise.all(
        names.filter((name) => name.startsWith(DOOR.cache_prefix) && name !== DOOR.cache).map((name) => caches.delete(name)),
      );
      await self.clients.claim();
    })(),
  );
});

/** The door page kept by an older worker, when the new one could not fetch it. */
async function pageFromOldCaches(names) {
  const current = await caches.open(DOOR.cache);
  if (await current.match(DOOR.page)) return null;
  for (const name of names.filter((n) => n.startsWith(DOOR.cache_prefix) && n !== DOOR.cache)) {
    const page = await (await caches.open(name)).match(DOOR.page);
    if (page) return page;
  }
  return null;
}

/** Keep the door page's answer: a 200 only (a 404 means this browser left the gate: forget it). */
async function keepPage(cache, response) {
  if (response.status === 200 && response.type === "basic" && !response.redirected) {
    await cache.put(DOOR.page, response.clone());
  } else if (response.status === 404 || response.status === 403) {
    await cache.delete(DOOR.page);
  }
  return response;
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.mode === "navigate" && url.pathname === DOOR.page) {
    event.respondWith(doorPage(request));
  } else if (STATIC.has(url.pathname)) {
    event.respondWith(staticFile(request, url.pathname));
  }
  // anything else (the JSON endpoints above all): not intercepted, never kept
});

async function doorPage(request) {
  const cache = await caches.open(DOOR.cache);
  try {
    return await keepPage(cache, await fetch(request));
  } catch {
    const kept = await cache.match(DOOR.page);
    if (kept) return kept;
    throw new Error("offline, and the door page was never kept");
  }
}

async function staticFile(request, path) {
  const cache = await caches.open(DOOR.cache);
  const kept = await cache.match(path);
  if (kept) return kept;
  const response = await fetch(request);
  if (response.status === 200) await cache.put(path, response.clone());
  return response;
}

self.addEventListener("message", (event) => {
  // "Leave this gate": the page asks to forget the kept door page (the static files hold nothing of the gate's).
  if (event.data && event.data.type === "forget-page") {
    event.waitUntil(
      (async () => {
        for (const name of await caches.keys()) {
          if (name.startsWith(DOOR.cache_prefix)) await (await caches.open(name)).delete(DOOR.page);
        }
      })(),
    );
  }
});
