/* Sending the offline queue to the server once the network is back (200 admissions a request),
   and telling staff when an offline admission turns out to be a second one. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt, timeOf = door.timeOf;

  var syncing = false;
  function sync() {
    if (syncing || !door.online || door.queue.length === 0) { return Promise.resolve(); }
    syncing = true;
    var batch = door.queue.slice(0, 200).map(function (q) {
      return { nonce: q.nonce, code: q.code, registration_id: q.registration_id, client_at: q.client_at, device: q.device };
    });
    return door.request("POST", "/sync", { device: door.DEVICE, scans: batch }, 20000).then(function (r) {
      if (r.status !== 200) { return; }
      var answered = {}, conflicts = 0, synced = 0;
      r.data.results.forEach(function (res) {
        answered[res.nonce] = true; synced++;
        if (res.conflict) { conflicts++; tellConflict(res); }
      });
      door.queue = door.queue.filter(function (q) { return !answered[q.nonce]; });
      door.save("queue", door.queue); door.renderNet(); door.renderCounts(r.data.counts);
      var msg = fmt(T.synced, { n: synced }) + (conflicts ? " — " + fmt(T.sync_conflicts, { n: conflicts }) : "");
      $("cache-status").textContent = msg;
      door.refreshCache();
      if (door.queue.length) { return sync(); }
    }, function () { door.setOnline(false); }).finally(function () { syncing = false; });
  }
  // An offline admission the server found already made elsewhere: this device showed green, so
  // say so until staff dismiss it (the person may have handed their ticket to someone else).
  function tellConflict(res) {
    var reg = res.registration || {};
    var first = res.checked_in_by ? fmt(T.at_by, { time: timeOf(res.checked_in_at), staff: res.checked_in_by })
      : fmt(T.at, { time: timeOf(res.checked_in_at) });
    var li = document.createElement("li");
    li.textContent = fmt(T.sync_conflict, { name: reg.name || "?", when: first });
    $("sync-notice-list").appendChild(li);
    var notice = $("sync-notice");
    notice.dataset.count = String(Number(notice.dataset.count) + 1); notice.hidden = false;
    var a = door.byId[reg.id];
    if (a) { a.checked_in_at = res.checked_in_at; a.checked_in_by = res.checked_in_by; door.save("cache", door.cache); }
    var panel = $("result"), lastShown = door.lastShown;
    if (lastShown && lastShown.id === reg.id && panel.dataset.result === "ok") {
      panel.className = "result result-warn"; panel.dataset.result = "conflict";
      $("result-title").textContent = "! " + T.conflict_title;
      $("result-extra").textContent = first;
    }
    door.beep("warn"); door.vibrate("warn");
  }
  $("sync-notice-close").addEventListener("click", function () {
    $("sync-notice").hidden = true; $("sync-notice-list").innerHTML = ""; $("sync-notice").dataset.count = "0";
  });

  door.sync = sync;
})();
