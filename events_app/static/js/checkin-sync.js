/* Sending the offline queue to the server once the network is back (200 admissions a request),
   and telling staff which offline admissions the server did not take as they were: one found
   already made elsewhere (a conflict), or one it refused (cancelled, ticket replaced, ...). */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt, timeOf = door.timeOf;

  var syncing = false, statusTimer = null;
  function sync() {
    if (syncing || !door.online || door.queue.length === 0) { return Promise.resolve(); }
    syncing = true;
    var sent = door.queue.slice(0, 200), byNonce = {};
    sent.forEach(function (q) { byNonce[q.nonce] = q; });
    var batch = sent.map(function (q) {
      return { nonce: q.nonce, code: q.code, registration_id: q.registration_id, client_at: q.client_at, device: q.device };
    });
    return door.request("POST", "/sync", { device: door.DEVICE, scans: batch }, 20000).then(function (r) {
      // Not answered (signed out, page out of date, server error): the queue stays for the next try.
      if (r.status !== 200) { return; }
      var answered = {}, conflicts = 0, synced = 0, refused = 0;
      r.data.results.forEach(function (res) {
        answered[res.nonce] = true;
        // An admission taken back (undone) since it was first sent: the list must not keep them in.
        if (res.undone) { forgetUndone(res); }
        // A refusal first: the server may also flag it as a conflict for operators to review.
        if (res.result !== "ok" && res.result !== "already_checked_in") { refused++; tellRefused(res, byNonce[res.nonce]); }
        else if (res.conflict) { conflicts++; tellConflict(res); }
        else { synced++; }
      });
      door.queue = door.queue.filter(function (q) { return !answered[q.nonce]; });
      door.save("queue", door.queue); door.renderNet(); door.renderCounts(r.data.counts);
      var parts = [];
      if (synced || conflicts) { parts.push(fmt(T.synced, { n: synced + conflicts })); }
      if (conflicts) { parts.push(fmt(T.sync_conflicts, { n: conflicts })); }
      if (refused) { parts.push(fmt(T.sync_refused_count, { n: refused })); }
      showSyncStatus(parts.join(" — "), refused > 0);
      door.refreshCache();
      if (door.queue.length) { return sync(); }
    }, function () { door.setOnline(false); }).finally(function () { syncing = false; });
  }
  // Its own line, not the offline list's status (which the list's refresh rewrites at once):
  // staff read it for a while; the next sync replaces it. Amber, not green, when the server
  // refused any: someone this device let in is not checked in.
  function showSyncStatus(text, anyRefused) {
    var line = $("sync-status");
    line.textContent = text; line.hidden = !text;
    line.classList.toggle("flash-warning", !!anyRefused); line.classList.toggle("flash-success", !anyRefused);
    line.dataset.tone = anyRefused ? "warn" : "ok";
    clearTimeout(statusTimer);
    statusTimer = setTimeout(function () { line.hidden = true; }, 60000);
  }
  function addNotice(text, kind) {
    var li = document.createElement("li");
    li.textContent = text; li.dataset.kind = kind;
    $("sync-notice-list").appendChild(li);
    var notice = $("sync-notice");
    notice.dataset.count = String(Number(notice.dataset.count) + 1); notice.hidden = false;
  }
  // The result panel still shows this person's green offline admission: show what the sync said.
  function repaintPanel(registrationId, cls, result, title, extra) {
    var panel = $("result"), lastShown = door.lastShown;
    if (!(lastShown && lastShown.id === registrationId && panel.dataset.result === "ok")) { return; }
    panel.className = "result " + cls; panel.dataset.result = result;
    $("result-title").textContent = title;
    $("result-extra").textContent = extra;
  }
  // A re-sent admission the server had taken, then undone: its answer stays "ok", and
  // checked_in_at/by give the state now (null unless checked in again since).
  function forgetUndone(res) {
    var a = res.registration && door.byId[res.registration.id];
    if (a) { a.checked_in_at = res.checked_in_at; a.checked_in_by = res.checked_in_by; door.save("cache", door.cache); }
  }
  // An offline admission the server found already made elsewhere: this device showed green, so
  // say so until staff dismiss it (the person may have handed their ticket to someone else).
  function tellConflict(res) {
    var reg = res.registration || {};
    var first = res.checked_in_by ? fmt(T.at_by, { time: timeOf(res.checked_in_at), staff: res.checked_in_by })
      : fmt(T.at, { time: timeOf(res.checked_in_at) });
    addNotice(fmt(T.sync_conflict, { name: reg.name || "?", when: first }), "conflict");
    var a = door.byId[reg.id];
    if (a) { a.checked_in_at = res.checked_in_at; a.checked_in_by = res.checked_in_by; door.save("cache", door.cache); }
    repaintPanel(reg.id, "result-warn", "conflict", "! " + T.conflict_title, first);
    door.beep("warn"); door.vibrate("warn");
  }
  // An offline admission the server refused (the registration was cancelled meanwhile, the
  // ticket was replaced, ...): this device let the person in, the server did not record it. Say
  // whom and why until staff dismiss it, so they can sort it out with the person.
  function tellRefused(res, queued) {
    var local = queued ? (queued.registration_id != null ? door.byId[queued.registration_id] : door.byHash[queued.hash]) : null;
    var reg = res.registration || local || {};
    var reason = res.result === "error" ? ((res.error && res.error.message) || T.error) : (T[res.result] || res.message || T.error);
    addNotice(fmt(T.sync_refused, { name: reg.name || T.unknown_person, reason: reason }), "refused");
    // The device's list had them admitted: take that back (the next list refresh confirms it).
    var a = reg.id != null ? door.byId[reg.id] : local;
    if (a && a.checked_in_by === T.this_device) { a.checked_in_at = null; a.checked_in_by = null; door.save("cache", door.cache); }
    repaintPanel(reg.id, "result-bad", "refused", "✕ " + T.refused_title, reason);
    door.beep("bad"); door.vibrate("bad");
  }
  $("sync-notice-close").addEventListener("click", function () {
    $("sync-notice").hidden = true; $("sync-notice-list").innerHTML = ""; $("sync-notice").dataset.count = "0";
  });

  door.sync = sync;
})();
