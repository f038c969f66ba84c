/* Undoing a check-in (from the result panel or a search result): online only, with a reason
   that the history keeps. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$;

  var undoTarget = null, undoFrom = "scan", dialog = $("undo-dialog");
  // `from`: "scan" (the result panel) or "search" (a search result); the history shows it.
  function askUndo(reg, from) {
    undoTarget = reg; undoFrom = from || "scan"; $("undo-who").textContent = reg.name; $("undo-reason").value = ""; $("undo-error").textContent = "";
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    $("undo-reason").focus();
  }
  $("result-undo").addEventListener("click", function () { if (door.lastShown) { askUndo(door.lastShown, "scan"); } });
  $("undo-cancel").addEventListener("click", function () { dialog.close(); });
  $("undo-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reason = $("undo-reason").value.trim();
    if (!reason) { $("undo-error").textContent = T.reason_required; return; }
    door.request("POST", "/undo", { registration_id: undoTarget.id, reason: reason, device: door.DEVICE, session_id: door.sessionId(), source: undoFrom }).then(function (r) {
      if (r.status !== 200) { $("undo-error").textContent = (r.data.error && r.data.error.message) || T.error; return; }
      dialog.close();
      var a = door.byId[undoTarget.id]; if (a) { a.checked_in_at = null; a.checked_in_by = null; door.save("cache", door.cache); }
      var panel = $("result"); panel.className = "result result-warn"; panel.dataset.result = "undone";
      $("result-title").textContent = T.undone; $("result-undo").hidden = true;
      door.refreshCounts();
      // The focus was on the undo button the dialog closed over: back to that person's row, or the panel.
      if (undoFrom === "search") { door.runSearch(undoTarget.id); } else { door.runSearch(); $("result").focus(); }
    }, function () { $("undo-error").textContent = T.error; });
  });

  door.askUndo = askUndo;
})();
