/* The door screen's per-table counters: checked in / expected at each breakout session, from
   every counts answer checkin-status.js renders (poll, scan, sync), with the table being checked in for
   highlighted. Offline counts know nothing of tables, so the last figures stay until the network
   returns; they are kept on the device so a reload without network still shows them. */
(function () {
  "use strict";
  var root = document.getElementById("checkin"), list = document.getElementById("session-counts");
  if (!root || !list) { return; }
  var select = document.getElementById("session-select");
  var KEY = "tsunagu.checkin." + root.dataset.slug + ".session-counts";

  function render(sessions) {
    sessions.forEach(function (s) {
      var item = document.getElementById("session-count-" + s.id);
      if (item) { item.querySelector("strong").textContent = s.checked_in + " / " + s.expected; }
    });
  }
  function highlight() {
    var chosen = select ? select.value : "";
    Array.prototype.forEach.call(list.querySelectorAll("[data-session-id]"), function (item) {
      if (item.dataset.sessionId === chosen) { item.setAttribute("aria-current", "true"); }
      else { item.removeAttribute("aria-current"); }
    });
  }

  root.addEventListener("checkin:counts", function (ev) {
    var sessions = ev.detail && ev.detail.sessions;
    if (!sessions) { return; }
    render(sessions);
    try { localStorage.setItem(KEY, JSON.stringify(sessions)); } catch (e) { /* full: shown, not kept */ }
  });
  if (select) { select.addEventListener("change", highlight); }
  try { render(JSON.parse(localStorage.getItem(KEY) || "[]")); } catch (e) { /* nothing kept yet */ }
  highlight();  // a reload keeps the chosen table in the select
})();
