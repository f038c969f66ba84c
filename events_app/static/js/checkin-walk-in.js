/* Registering and checking in someone who did not register (online only). When their address
   is already registered here, the screen shows whose registration it is and offers checking it
   in instead (staff can see whether it is the person in front of them). */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt, timeOf = door.timeOf;

  var existing = null;
  function offerExisting(reg) {
    existing = reg;
    $("walkin-existing").hidden = !reg;
    if (!reg) { return; }
    $("walkin-existing-name").textContent = reg.name;
    $("walkin-existing-kana").textContent = reg.name_kana || "";
    $("walkin-existing-detail").textContent = [door.describe(reg), reg.email].filter(Boolean).join(" · ");
    var state = reg.status !== "confirmed" ? (T["status_" + reg.status] || reg.status)
      : reg.checked_in_at ? fmt(T.checked_in_badge, { time: timeOf(reg.checked_in_at) }) : T.status_confirmed;
    $("walkin-existing-state").textContent = state;
    $("walkin-existing-checkin").hidden = reg.status !== "confirmed" || !!reg.checked_in_at;
    $("walkin-existing-checkin").disabled = false;
  }
  $("walkin-existing-checkin").addEventListener("click", function () {
    if (!existing) { return; }
    door.unlockAudio(); $("walkin-existing-checkin").disabled = true;
    door.decide({ registration_id: existing.id }).then(function (answer) {
      door.show(answer, { offline: !!answer.offline });
      if (answer.result !== "error") {
        offerExisting(null); $("walkin-errors").textContent = ""; $("walkin-form").reset();
      } else { $("walkin-existing-checkin").disabled = false; }
    });
  });
  // A field marked by the last answer is unmarked once edited, and every one on a new try or a reset.
  function clearInvalid(form) {
    Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid]"), function (el) { el.removeAttribute("aria-invalid"); });
  }
  $("walkin-form").addEventListener("input", function (ev) { ev.target.removeAttribute("aria-invalid"); });
  $("walkin-form").addEventListener("reset", function (ev) { clearInvalid(ev.target); });
  // A 200 answer is not always a registration: before the check-in window opens the walk-in is
  // refused ("too_early") and nobody is registered, so what was typed stays for the next try.
  // A full event or one needing approval does register them (waitlisted, pending_approval).
  var REGISTERED = { ok: true, waitlisted: true, pending_approval: true };
  function answered(form, answer) {
    door.show(answer);
    if (REGISTERED[answer.result]) {
      form.reset(); door.refreshAll();
      // On a phone the result panel is far above this form: show whom it registered, not an empty form.
      $("result").scrollIntoView({ block: "start" });
    } else {
      // Refused: say why where staff are looking, next to the button, with the fields still filled.
      $("walkin-errors").textContent = T[answer.result] || answer.message || T.error;
    }
  }
  $("walkin-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); door.unlockAudio();
    var form = ev.target, errors = $("walkin-errors");
    errors.textContent = ""; offerExisting(null); clearInvalid(form);
    if (!door.online) { errors.textContent = T.offline_walkin; return; }
    var data = {}; new FormData(form).forEach(function (v, k) { if (v !== "") { data[k] = v; } });
    data.device = door.DEVICE; data.language = document.documentElement.lang === "en" ? "en" : "ja";
    door.request("POST", "/walk-in", data, 10000).then(function (r) {
      if (r.status === 200) { answered(form, r.data); return; }
      var e = r.data.error || {};
      if (e.code === "already_registered" && r.data.registration) { offerExisting(r.data.registration); }
      var lines = [e.message || T.error];
      Object.keys(e.fields || {}).forEach(function (k) {
        // Staff read the field's name, never its key ("answers.1"); a field without a name shows its message alone.
        var label = T.fields[k];
        lines.push((label ? label + ": " : "") + e.fields[k].join(" "));
        var input = form.querySelector('[name="' + k + '"]'); if (input) { input.setAttribute("aria-invalid", "true"); }
      });
      errors.textContent = lines.join("\n");
    }, function () { errors.textContent = T.offline_walkin; });
  });
})();
