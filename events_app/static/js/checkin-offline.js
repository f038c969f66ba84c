/* The door screen's offline list: the event's attendees with SHA-256 hashes of their ticket
   codes, kept on the device (with the queue of offline admissions) and kept fresh from the
   server, so the screen can decide alone when the network drops (checkin-decide.js). */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt, timeOf = door.timeOf, load = door.load, save = door.save;

  // 「12月14日 18:30」 ("14 Dec, 18:30") in the event's zone, as the server's too_early message says it.
  door.dayTime = function (iso) {
    var ja = (document.documentElement.lang || "ja").slice(0, 2) === "ja", zone = door.root.dataset.timezone;
    try {
      var day = new Intl.DateTimeFormat(ja ? "ja" : "en-GB", { month: ja ? "long" : "short", day: "numeric", timeZone: zone });
      var time = new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit", hour12: false, timeZone: zone });
      return day.format(new Date(iso)) + (ja ? " " : ", ") + time.format(new Date(iso));
    } catch (e) { return iso; }
  };
  // The event's check-in window in the header, as the list (and each poll) gives it.
  function renderWindow() {
    var line = $("checkin-window"), at = door.cache && door.cache.event && door.cache.event.checkin_opens_at;
    if (!line) { return; }
    line.hidden = !at;
    line.textContent = at ? fmt(T.checkin_opens, { time: door.dayTime(at) }) : "";
  }

  door.cache = load("cache", null);          // {generated_at, event, attendees: [...]}
  door.queue = load("queue", []);            // [{nonce, code | registration_id, client_at}]
  door.byHash = {}; door.revokedHash = {}; door.byId = {};
  function indexCache() {
    var byHash = door.byHash = {}, revokedHash = door.revokedHash = {}, byId = door.byId = {};
    if (!door.cache) { return; }
    door.cache.attendees.forEach(function (a) {
      byId[a.id] = a;
      (a.codes || []).forEach(function (h) { byHash[h] = a; });
      (a.revoked_codes || []).forEach(function (h) { revokedHash[h] = a; });
    });
    renderWindow();
    var status = $("cache-status");
    status.dataset.count = String(door.cache.attendees.length);
    status.textContent = fmt(T.cache, { n: door.cache.attendees.length, time: timeOf(door.cache.generated_at) });
  }
  indexCache();
  if (!door.cache) { $("cache-status").textContent = T.cache_missing; }

  // Registrations this device admitted offline that the server has not heard of yet.
  function pendingIds() {
    var ids = {};
    door.queue.forEach(function (q) {
      var a = q.registration_id != null ? door.byId[q.registration_id] : door.byHash[q.hash];
      if (a) { ids[a.id] = true; }
    });
    return ids;
  }
  // A new registrant joins the list where the server's order (by フリガナ) puts them.
  function addAttendee(cache, a) {
    var kana = a.name_kana || "", list = cache.attendees, i = 0;
    while (i < list.length && (list[i].name_kana || "") <= kana) { i++; }
    list.splice(i, 0, a);
  }
  // Merge what changed since the cache's cursor: check-in state, ticket codes (a re-issued
  // ticket's new code admits, the old one is refused as replaced) and new registrants, so the
  // offline list stays as fresh as the counts (one request every 5 s), not a minute old when
  // the network drops.
  function applyChanges(data) {
    var cache = door.cache;
    if (!cache || !data.cursor) { return; }
    var pending = pendingIds(), unknown = false, reindex = false;
    (data.changes || []).forEach(function (c) {
      var a = door.byId[c.id];
      if (!a && c.attendee) { addAttendee(cache, c.attendee); door.byId[c.id] = c.attendee; reindex = true; return; }
      if (!a) { unknown = true; return; }  // an answer without the record: only the full list brings it
      a.status = c.status; a.online_joined_at = c.online_joined_at;
      if (!(pending[a.id] && !c.checked_in_at)) { a.checked_in_at = c.checked_in_at; a.checked_in_by = c.checked_in_by; }
      if (c.codes) { a.codes = c.codes; a.revoked_codes = c.revoked_codes || []; reindex = true; }
    });
    if (data.event) { cache.event = data.event; renderWindow(); }  // the start or the window may have moved
    cache.cursor = data.cursor; save("cache", cache);
    if (reindex) { indexCache(); }
    if (unknown) { refreshCache(); }
  }
  function refreshCache() {
    if (!door.online) { return Promise.resolve(); }
    return door.request("GET", "/offline", null, 15000).then(function (r) {
      if (r.status !== 200) { return; }
      // Keep local admissions still waiting to sync visible in the fresh list.
      var pending = {};
      door.queue.forEach(function (q) { pending[q.registration_id || q.hash] = q; });
      var cache = door.cache = r.data;
      cache.attendees.forEach(function (a) {
        var q = pending[a.id] || (a.codes || []).map(function (h) { return pending[h]; }).filter(Boolean)[0];
        if (q && !a.checked_in_at) { a.checked_in_at = q.client_at; a.checked_in_by = T.this_device; }
      });
      save("cache", cache); indexCache();
    }, function () { door.setOnline(false); });
  }

  door.applyChanges = applyChanges; door.refreshCache = refreshCache;
})();
