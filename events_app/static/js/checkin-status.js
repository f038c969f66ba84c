/* The door screen's status line (online or offline, admissions waiting to sync) and its live
   counts: from the server when online (which also freshens the offline list), else counted
   from the offline list. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt;

  door.online = navigator.onLine;
  // The wrong day's event (scanner.html's notice): today, in the event's zone, outside its days.
  function renderEventDay() {
    var notice = $("event-day-notice");
    if (!notice) { return; }
    var today;
    try { today = new Intl.DateTimeFormat("en-CA", { timeZone: door.root.dataset.timezone, year: "numeric", month: "2-digit", day: "2-digit" }).format(new Date()); }
    catch (e) { return; }
    notice.hidden = today >= notice.dataset.firstDay && today <= notice.dataset.lastDay;
  }
  renderEventDay(); setInterval(renderEventDay, 60000);
  function renderNet() {
    var net = $("net-status");
    net.dataset.state = door.online ? "online" : "offline";
    $("net-label").textContent = door.online ? T.online : T.offline;
    $("queue-wrap").hidden = door.queue.length === 0;
    $("queue-label").textContent = fmt(T.queued, { n: door.queue.length });
    $("queue-label").dataset.count = String(door.queue.length);
    renderSignIn();
  }
  // Signed out ("signed_out") or this page out of date ("stale"): nothing reaches the server, so
  // say so until it does, with how many admissions wait on this device (the queue is kept).
  door.signedOut = null;
  function renderSignIn() {
    var notice = $("signin-notice"), why = door.signedOut, n = door.queue.length;
    notice.hidden = !why;
    if (!why) { return; }
    notice.dataset.reason = why;
    $("signin-text").textContent = why === "signed_out" ? (n ? fmt(T.signin_queued, { n: n }) : T.signin_none)
      : (n ? fmt(T.reload_queued, { n: n }) : T.reload_none);
    var link = $("signin-link");
    link.textContent = why === "signed_out" ? T.signin_link : T.reload_link;
    link.href = why === "signed_out" ? link.dataset.login : link.dataset.reload;
  }
  door.setSignedOut = function (why) { if (door.signedOut !== why) { door.signedOut = why; renderSignIn(); } };
  function setOnline(value) { if (door.online !== value) { door.online = value; renderNet(); if (door.online) { door.sync(); refreshAll(); } } }
  window.addEventListener("online", function () { setOnline(true); });
  window.addEventListener("offline", function () { setOnline(false); });
  renderNet();

  function renderCounts(c) {
    if (!c) { return; }
    $("count-in-person").textContent = c.in_person.checked_in + " / " + c.in_person.expected;
    if ($("count-online")) { $("count-online").textContent = c.online.joined + " / " + c.online.expected; }
    $("conflict-count-wrap").hidden = !c.conflicts;
    $("conflict-count").textContent = String(c.conflicts);
    $("conflict-count").setAttribute("aria-label", fmt(T.conflicts_link, { n: c.conflicts }));
    door.save("counts", { in_person: c.in_person, online: c.online, conflicts: c.conflicts });
    // The per-table counters (checkin-sessions.js) read the same answer.
    door.root.dispatchEvent(new CustomEvent("checkin:counts", { detail: c }));
  }
  function localCounts() {
    if (!door.cache) { return null; }
    var c = { in_person: { checked_in: 0, expected: 0 }, online: { joined: 0, expected: 0 }, conflicts: (door.load("counts", {}) || {}).conflicts || 0 };
    door.cache.attendees.forEach(function (a) {
      if (a.status !== "confirmed") { return; }
      if (a.attendance_mode === "online") { c.online.expected++; if (a.online_joined_at) { c.online.joined++; } }
      // The server's rule: whoever was checked in at the door is expected at the venue too.
      if (a.attendance_mode !== "online" || a.checked_in_at) { c.in_person.expected++; }
      if (a.checked_in_at) { c.in_person.checked_in++; }
    });
    return c;
  }
  function refreshCounts() {
    if (!door.online) { renderCounts(localCounts()); return; }
    var cache = door.cache, since = cache ? (cache.cursor || cache.generated_at) : null;
    door.request("GET", "/counts" + (since ? "?since=" + encodeURIComponent(since) : "")).then(function (r) {
      if (r.status === 200) { door.applyChanges(r.data); renderCounts(r.data); }
    }, function () { setOnline(false); renderCounts(localCounts()); });
  }
  function refreshAll() { refreshCounts(); door.refreshCache(); }

  door.renderNet = renderNet; door.setOnline = setOnline;
  door.renderCounts = renderCounts; door.localCounts = localCounts;
  door.refreshCounts = refreshCounts; door.refreshAll = refreshAll;
})();
