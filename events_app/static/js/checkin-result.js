/* The door screen's big result panel for each decision (colour, name, details), with its tone
   and vibration, so staff know the answer without reading it. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt, timeOf = door.timeOf;

  var audio = null;
  // Browsers only let a page play sound after a tap: every button that may beep calls this first.
  function unlockAudio() {
    try { if (!audio) { audio = new (window.AudioContext || window.webkitAudioContext)(); } if (audio.state === "suspended") { audio.resume(); } } catch (e) { audio = null; }
  }
  function beep(tone) {
    if (!audio) { return; }
    var plan = tone === "ok" ? [[880, 0, 0.12]] : tone === "warn" ? [[520, 0, 0.12], [520, 0.18, 0.12]] : [[220, 0, 0.45]];
    plan.forEach(function (p) {
      var osc = audio.createOscillator(), gain = audio.createGain();
      osc.type = tone === "bad" ? "square" : "sine"; osc.frequency.value = p[0];
      gain.gain.value = 0.2; osc.connect(gain); gain.connect(audio.destination);
      osc.start(audio.currentTime + p[1]); osc.stop(audio.currentTime + p[1] + p[2]);
    });
  }
  function vibrate(tone) {
    if (navigator.vibrate) { navigator.vibrate(tone === "ok" ? 80 : tone === "warn" ? [80, 80, 80] : [300, 100, 300]); }
  }

  function describe(reg) {
    if (!reg) { return ""; }
    var parts = [T[reg.affiliation] || reg.affiliation];
    if (reg.company) { parts.push(reg.company); }
    return parts.join(" · ");
  }
  function alumniLine(reg) {
    if (!reg || reg.affiliation !== "alumni") { return ""; }
    var bits = [];
    if (reg.former_department) { bits.push(fmt(T.former_dept, { dept: reg.former_department })); }
    if (reg.left_year) { bits.push(fmt(T.left_year, { year: reg.left_year })); }
    return bits.join(" · ");
  }
  function show(answer, opts) {
    opts = opts || {};
    var result = answer.result, reg = answer.registration;
    var tone = result === "ok" ? "ok" : result === "already_checked_in" ? "warn" : "bad";
    var panel = $("result");
    panel.className = "result result-" + tone + (opts.offline ? " result-offline" : "");
    panel.dataset.result = result;
    var title = result === "ok" ? (opts.offline ? T.ok_offline : T.ok)
      : result === "unknown_code" && opts.offline ? T.not_on_device : (T[result] || answer.message || T.error);
    if (result === "error") { title = (answer.error && answer.error.message) || T.error; }
    $("result-title").textContent = (tone === "ok" ? "✓ " : tone === "warn" ? "! " : "✕ ") + title;
    $("result-name").textContent = reg ? reg.name : "";
    $("result-kana").textContent = reg ? (reg.name_kana || "") : "";
    var detail = describe(reg);
    if (reg && reg.attendance_mode === "online") { detail += (detail ? " · " : "") + T.online_attendee; }
    $("result-detail").textContent = detail;
    var extra = alumniLine(reg);
    if (result === "already_checked_in" && answer.checked_in_at) {
      extra = (answer.checked_in_by ? fmt(T.at_by, { time: timeOf(answer.checked_in_at), staff: answer.checked_in_by })
        : fmt(T.at, { time: timeOf(answer.checked_in_at) })) + (extra ? " — " + extra : "");
    }
    if (result === "wrong_event" && answer.other_event) { extra = fmt(T.other_event, { title: answer.other_event.title }); }
    // The table as the page names it (`display_title`, in the screen's language); `title` if absent.
    if (answer.session) { extra = (answer.session.display_title || answer.session.title) + (extra ? " — " + extra : ""); }
    $("result-extra").textContent = extra;
    var undo = $("result-undo");
    undo.hidden = !(reg && result === "ok" && !opts.offline);
    door.lastShown = reg;  // the panel's undo button and a sync conflict act on this person
    beep(tone); vibrate(tone);
  }

  door.lastShown = null;
  door.unlockAudio = unlockAudio; door.beep = beep; door.vibrate = vibrate;
  door.describe = describe; door.show = show;
})();
