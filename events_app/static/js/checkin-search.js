/* Finding someone without their ticket: search by name, kana, email or company (the server's
   search online, the offline list's otherwise), with one-tap check-in and undo in the results. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt, timeOf = door.timeOf;

  var searchTimer = null, searchSeq = 0;
  function searchLocal(q) {
    if (!door.cache) { return []; }
    var needle = TicketCodes.squeeze(q);
    return door.cache.attendees.filter(function (a) {
      return [a.name, a.name_kana, a.email, a.company].some(function (f) { return TicketCodes.squeeze(f).indexOf(needle) >= 0; })
        || DoorRomaji.matches(q, a.name_kana);  // "tanaka" finds タナカ (checkin-romaji.js)
    }).slice(0, 20);
  }
  function badge(text, tone) {
    var b = document.createElement("span"); b.className = "badge badge-" + tone; b.textContent = text; return b;
  }
  // `focusId`: the person whose row had the focus (a one-tap check-in or an undo rebuilds the
  // list); their new row's button, or the row itself, gets it back.
  function renderResults(list, focusId) {
    var ul = $("search-results");
    ul.innerHTML = "";
    if (!list.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = T.no_results; ul.appendChild(li); return; }
    var sid = door.sessionId();
    list.forEach(function (a) {
      var li = document.createElement("li");
      li.dataset.registrationId = a.id;
      var who = document.createElement("div"); who.className = "who";
      var name = document.createElement("strong"); name.textContent = a.name; who.appendChild(name);
      var sub = document.createElement("div"); sub.className = "muted small";
      sub.textContent = [a.name_kana, door.describe(a), a.email].filter(Boolean).join(" · "); who.appendChild(sub);
      li.appendChild(who);
      var action = document.createElement("div"); action.className = "actions";
      // Checking in for a table: the table's state, as the server gives it for that table.
      var table = sid && a.session && a.session.id === sid ? a.session : null;
      var checkedInAt = table ? table.checked_in_at : a.checked_in_at;
      if (a.status !== "confirmed") {
        action.appendChild(badge(T["status_" + a.status] || a.status, "bad"));
      } else if (table && !table.booked) {
        action.appendChild(badge(T.not_in_session, "bad"));
      } else if (checkedInAt) {
        action.appendChild(badge(fmt(T.checked_in_badge, { time: timeOf(checkedInAt) }), "ok"));
        if (door.online) {
          var u = document.createElement("button"); u.type = "button"; u.className = "small"; u.textContent = T.undo;
          u.setAttribute("aria-label", fmt(T.undo_name, { name: a.name }));
          u.addEventListener("click", function () { door.askUndo(a, "search"); }); action.appendChild(u);
        }
      } else {
        var c = document.createElement("button"); c.type = "button"; c.className = "primary"; c.textContent = T.check_in;
        c.setAttribute("aria-label", fmt(T.check_in_name, { name: a.name }));
        c.addEventListener("click", function () {
          door.unlockAudio(); c.disabled = true;
          door.decide({ registration_id: a.id }).then(function (answer) { door.show(answer, { offline: !!answer.offline }); runSearch(a.id); });
        });
        action.appendChild(c);
      }
      li.appendChild(action);
      ul.appendChild(li);
    });
    if (focusId != null) { focusRow(focusId); }
  }
  function focusRow(id) {
    var li = $("search-results").querySelector('li[data-registration-id="' + id + '"]');
    if (!li) { $("search-input").focus(); return; }
    var button = li.querySelector("button");
    if (button) { button.focus(); return; }
    li.tabIndex = -1; li.focus();
  }
  function runSearch(focusId) {
    var q = $("search-input").value.trim();
    if (!q) { $("search-results").innerHTML = ""; return; }
    var seq = ++searchSeq, sid = door.sessionId();
    if (!door.online) { renderResults(searchLocal(q), focusId); return; }
    door.request("GET", "/search?q=" + encodeURIComponent(q) + (sid ? "&session_id=" + sid : "")).then(function (r) {
      if (seq === searchSeq && r.status === 200) { renderResults(r.data.results, focusId); }
    }, function () { door.setOnline(false); if (seq === searchSeq) { renderResults(searchLocal(q), focusId); } });
  }
  $("search-input").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(function () { runSearch(); }, 250); });
  // Another table (or the entrance) chosen: the results show their state there.
  if ($("session-select")) { $("session-select").addEventListener("change", function () { runSearch(); }); }

  door.runSearch = runSearch;
})();
