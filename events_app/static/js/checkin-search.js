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
  function renderResults(list) {
    var ul = $("search-results");
    ul.innerHTML = "";
    if (!list.length) { var li = document.createElement("li"); li.className = "muted"; li.textContent = T.no_results; ul.appendChild(li); return; }
    list.forEach(function (a) {
      var li = document.createElement("li");
      li.dataset.registrationId = a.id;
      var who = document.createElement("div");
      var name = document.createElement("strong"); name.textContent = a.name; who.appendChild(name);
      var sub = document.createElement("div"); sub.className = "muted small";
      sub.textContent = [a.name_kana, door.describe(a), a.email].filter(Boolean).join(" · "); who.appendChild(sub);
      li.appendChild(who);
      var action = document.createElement("div"); action.className = "actions";
      if (a.status !== "confirmed") {
        var b = document.createElement("span"); b.className = "badge badge-bad"; b.textContent = T["status_" + a.status] || a.status; action.appendChild(b);
      } else if (a.checked_in_at) {
        var ok = document.createElement("span"); ok.className = "badge badge-ok"; ok.textContent = fmt(T.checked_in_badge, { time: timeOf(a.checked_in_at) }); action.appendChild(ok);
        if (door.online) {
          var u = document.createElement("button"); u.type = "button"; u.className = "small"; u.textContent = T.undo;
          u.addEventListener("click", function () { door.askUndo(a, "search"); }); action.appendChild(u);
        }
      } else {
        var c = document.createElement("button"); c.type = "button"; c.className = "primary"; c.textContent = T.check_in;
        c.addEventListener("click", function () {
          door.unlockAudio(); c.disabled = true;
          door.decide({ registration_id: a.id }).then(function (answer) { door.show(answer, { offline: !!answer.offline }); runSearch(); });
        });
        action.appendChild(c);
      }
      li.appendChild(action);
      ul.appendChild(li);
    });
  }
  function runSearch() {
    var q = $("search-input").value.trim();
    if (!q) { $("search-results").innerHTML = ""; return; }
    var seq = ++searchSeq;
    if (!door.online) { renderResults(searchLocal(q)); return; }
    door.request("GET", "/search?q=" + encodeURIComponent(q)).then(function (r) {
      if (seq === searchSeq && r.status === 200) { renderResults(r.data.results); }
    }, function () { door.setOnline(false); if (seq === searchSeq) { renderResults(searchLocal(q)); } });
  }
  $("search-input").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 250); });

  door.runSearch = runSearch;
})();
