/* Service worker of the door screen (scope /checkin/): the page and its scripts open again with
   the network gone, e.g. after a reload or a browser restart at the venue. Network first, so a
   deploy is picked up at once; the cache only answers when the network does not. API calls
   are never cached: the page decides offline itself and queues them. */
"use strict";
var CACHE = "tsunagu-checkin-v1";

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  var isPage = /^\/checkin\/[^\/]+\/?$/.test(url.pathname);
  var isAsset = url.pathname.indexOf("/static/") === 0;
  if (!isPage && !isAsset) { return; }
  event.respondWith(fetch(request).then(function (response) {
    // Never keep a sign-in page (a redirect) under the door screen's address.
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    // The page answers with Vary: Accept-Language, Cookie, and the Cache API would then compare
    // those headers of the stored request and the reload's, which need not agree (a reload
    // offline found nothing). Offline, this device's last copy of the page is the one to show.
    return caches.match(request, { ignoreSearch: isAsset, ignoreVary: true }).then(function (hit) { return hit || Response.error(); });
  }));
});
