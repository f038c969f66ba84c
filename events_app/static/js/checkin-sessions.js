/* The door screen's per-table counters: checked in / expected at each breakout session, from
   every counts answer checkin-status.js renders (poll, scan, sync), with the table being checked in for
   highlighted. The server's answer lists every table, so a table added after the page loaded gains
   a chip and a place in the table choice, and a removed one loses both (a removed chosen table
   sends the screen back to the entrance). Offline counts know nothing of tables, so the last
   figures stay until the network returns; they are kept on the device so a reload without network
   still shows them. */
(function () {
  "use strict";
  var root = document.getElementById("checkin"), list = document.getElementById("session-counts");
  if (!root || !list) { return; }
  var chips = list.querySelector("ul"), select = document.getElementById("session-select");
  var pick = document.getElementById("session-pick");
  var KEY = "tsunagu.checkin." + root.dataset.slug + ".session-counts";

  // A table the page did not know: its title in the reader's language, as the page renders it at
  // load (`display_title`); a copy kept on the device before answers had it falls back to `title`.
  function shownTitle(s) { return s.display_title || s.title; }
  function newChip(s) {
    var item = document.createElement("li"), title = document.createElement("span");
    item.className = "session-count"; item.id = "session-count-" + s.id; item.dataset.sessionId = String(s.id);
    title.className = "session-count-title"; title.title = shownTitle(s); title.textContent = shownTitle(s);
    item.appendChild(title); item.appendChild(document.createTextNode(" "));
    item.appendChild(document.createElement("strong"));
    return item;
  }
  function newOption(s) {
    var option = document.createElement("option");
    // As the page renders a choice at load: "title (room)", the room left out when there is none.
    option.value = String(s.id); option.textContent = shownTitle(s) + (s.room ? " (" + s.room + ")" : "");
    return option;
  }
  function optionOf(id) {
    return Array.prototype.filter.call(select.options, function (o) { return o.value === String(id); })[0];
  }

  // `complete` for a server answer, which lists every table; the copy kept on the device may be
  // older than the page, so it adds tables and figures but removes none.
  function render(sessions, complete) {
    var known = {}, nextChip = null, nextOption = null;
    // From the last table back, so a new one goes just before the table after it (timetable order).
    sessions.slice().reverse().forEach(function (s) {
      known[s.id] = true;
      var item = document.getElementById("session-count-" + s.id);
      if (!item) { item = chips.insertBefore(newChip(s), nextChip); }
      item.querySelector("strong").textContent = s.checked_in + " / " + s.expected;
      nextChip = item;
      if (select) { nextOption = optionOf(s.id) || select.insertBefore(newOption(s), nextOption); }
    });
    if (complete) { removeAllBut(known); }
    var none = chips.children.length === 0;
    list.hidden = none;
    if (pick) { pick.hidden = none; }
    highlight();
  }
  function removeAllBut(known) {
    Array.prototype.slice.call(chips.children).forEach(function (item) {
      if (!known[item.dataset.sessionId]) { chips.removeChild(item); }
    });
    if (!select) { return; }
    var chosen = select.value;
    Array.prototype.slice.call(select.options).forEach(function (o) {
      if (o.value && !known[o.value]) { select.removeChild(o); }
    });
    if (chosen && !known[chosen]) {
      select.value = "";  // the entrance, not a table that no longer exists
      select.dispatchEvent(new Event("change"));
    }
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
    render(sessions, true);
    try { localStorage.setItem(KEY, JSON.stringify(sessions)); } catch (e) { /* full: shown, not kept */ }
  });
  if (select) { select.addEventListener("change", highlight); }
  try { render(JSON.parse(localStorage.getItem(KEY) || "[]"), false); } catch (e) { /* nothing kept yet */ }
  highlight();  // a reload keeps the chosen table in the select
})();
