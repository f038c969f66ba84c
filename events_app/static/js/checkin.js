/* Starts the door screen once its parts are loaded (checkin-screen.js first, then the
   checkin-*.js files the scanner template lists): the polls, the service worker and the first
   refresh. Each part says what it does at its top. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var root = door.root;

  // Counts and the sync every 5 s; the whole offline list every minute.
  setInterval(function () {
    if (!door.online && navigator.onLine) { door.setOnline(true); }
    door.sync(); door.refreshCounts();
  }, 5000);
  setInterval(door.refreshCache, 60000);

  // Survive a reload without network: a service worker keeps the page and its scripts.
  if ("serviceWorker" in navigator && window.isSecureContext && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/checkin/" }).then(function () {
      if (!window.caches) { return; }
      var assets = JSON.parse(root.dataset.assets || "[]");
      return caches.open("tsunagu-checkin-v1").then(function (cache) {
        return cache.addAll([location.pathname].concat(assets));
      }).then(function () { root.dataset.offlineReady = "1"; });
    }).catch(function () { /* the page still works; it just cannot reopen offline */ });
  }

  door.refreshAll(); door.sync();
})();
