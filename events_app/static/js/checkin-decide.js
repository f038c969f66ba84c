/* Deciding an admission, whatever brought it (camera, typed code, search, walk-in): by the
   server when online, else from the offline list, queued with its nonce for sync. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, save = door.save, fmt = door.fmt;


  // The breakout table being checked in for, if any (the 受付の対象 picker).
  function sessionId() { var s = $("session-select"); return s && s.value ? Number(s.value) : null; }

  function decideOffline(entry) {
    // entry: {code} or {registration_id}; returns a Promise of an answer shaped like the server's.
    var lookup = entry.registration_id != null ? Promise.resolve({ reg: door.byId[entry.registration_id], hash: null })
      : TicketCodes.codeHash(entry.code).then(function (h) { return { reg: h ? door.byHash[h] : null, hash: h, revoked: h ? door.revokedHash[h] : null }; });
    return lookup.then(function (found) {
      if (!door.cache) { return { result: "error", error: { message: T.cache_missing } }; }
      // No SHA-256 here (a page served over plain http, not localhost): no code can be checked.
      if (entry.registration_id == null && found.hash === null) { return { result: "error", error: { message: T.offline_needs_https } }; }
      if (found.revoked) { return { result: "revoked", registration: found.revoked }; }
      var a = found.reg;
      // Only the server can tell a forged code: offline, a code not in the list may as well be a
      // ticket issued after the list was loaded, or another event's (checkin-result.js says so).
      if (!a) { return { result: "unknown_code", registration: null, offline: true }; }
      var statusResult = { cancelled: "cancelled", waitlisted: "waitlisted", pending: "pending_approval", rejected: "rejected" }[a.status];
      if (statusResult) { return { result: statusResult, registration: a }; }
      if (a.checked_in_at) { return { result: "already_checked_in", registration: a, checked_in_at: a.checked_in_at, checked_in_by: a.checked_in_by }; }
      // The event's check-in window, as the server decides it (null: no window); someone already
      // inside is answered as such above, even if the window moved after they came.
      var opensAt = door.cache.event && door.cache.event.checkin_opens_at;
      if (opensAt && new Date() < new Date(opensAt)) {
        return { result: "too_early", registration: a, opens_at: opensAt, message: fmt(T.too_early_at, { time: door.dayTime(opensAt) }) };
      }
      var now = new Date().toISOString();
      a.checked_in_at = now; a.checked_in_by = T.this_device;
      var item = { nonce: entry.nonce, client_at: now, device: door.DEVICE, hash: found.hash };
      if (entry.registration_id != null) { item.registration_id = entry.registration_id; } else { item.code = entry.code; }
      door.queue.push(item); save("queue", door.queue); save("cache", door.cache); door.renderNet();
      door.renderCounts(door.localCounts());
      return { result: "ok", registration: a, checked_in_at: now, offline: true };
    });
  }

  function decide(entry) {
    entry.nonce = entry.nonce || door.newNonce();
    var sid = sessionId();
    if (!door.online) {
      if (sid) { return Promise.resolve({ result: "error", error: { message: T.session_offline } }); }
      return decideOffline(entry);
    }
    var path = entry.registration_id != null ? "/checkin" : "/scan";
    var body = { nonce: entry.nonce, device: door.DEVICE, session_id: sid };
    if (entry.registration_id != null) { body.registration_id = entry.registration_id; } else { body.code = entry.code; }
    return door.request("POST", path, body, 5000).then(function (r) {
      // The session is gone: decide here and queue it, as offline; it syncs once staff sign in again.
      if (r.signedOut) { return sid ? { result: "error", error: { message: T.session_signed_out } } : decideOffline(entry); }
      if (r.status === 200) {
        var a = r.data.registration && door.byId[r.data.registration.id];
        if (a && !sid && (r.data.result === "ok" || r.data.result === "already_checked_in")) {
          a.checked_in_at = r.data.checked_in_at; a.checked_in_by = r.data.checked_in_by; save("cache", door.cache);
        }
        door.refreshCounts();
        return r.data;
      }
      return { result: "error", error: r.data.error || { message: T.error } };
    }, function () {
      // The network went away mid-request: decide here with the same nonce, so a late
      // server-side success and the queued replay are one check-in, not two.
      door.setOnline(false);
      if (sid) { return { result: "error", error: { message: T.session_offline } }; }
      return decideOffline(entry);
    });
  }

  door.sessionId = sessionId; door.decide = decide;
})();
