// Registration form enhancements. The form works without this file: the server ignores fields
// that do not fit the chosen affiliation and refuses overlapping sessions with a message.
(function () {
  "use strict";
  var form = document.querySelector(".reg-form");
  if (form) {
    form.classList.add("reg-enhanced");  // blocks now show and hide: their "for whom" notes are not needed
    var radios = form.querySelectorAll("input[name=affiliation]");
    var blocks = form.querySelectorAll(".reg-details [data-for]");
    // Before a choice the details wait (a short form first), unless there is only one choice:
    // then every block is for that one.
    var showFor = function (value) {
      blocks.forEach(function (block) {
        var fits = value ? block.getAttribute("data-for").split(" ").indexOf(value) !== -1 : radios.length < 2;
        block.hidden = !fits;
      });
    };
    var current = function () {
      var checked = form.querySelector("input[name=affiliation]:checked");
      return checked ? checked.value : "";
    };
    radios.forEach(function (r) { r.addEventListener("change", function () { showFor(current()); }); });
    showFor(current());

    // One submission: a second click while the first is on its way does nothing.
    form.addEventListener("submit", function () {
      var button = form.querySelector("button[data-once]");
      if (button) { setTimeout(function () { button.disabled = true; }, 0); }
    });
  }

  // Sessions at the same time: choosing one greys out the others (the server checks too).
  document.querySelectorAll(".reg-sessions").forEach(function (set) {
    var boxes = Array.prototype.slice.call(set.querySelectorAll("input[name=session_ids]"));
    var overlaps = function (a, b) {
      return new Date(a.dataset.starts) < new Date(b.dataset.ends) && new Date(b.dataset.starts) < new Date(a.dataset.ends);
    };
    var note = set.getAttribute("data-conflict-note") || "";
    var refresh = function () {
      boxes.forEach(function (box) {
        var blocked = boxes.some(function (other) { return other !== box && other.checked && overlaps(box, other); });
        var label = box.closest("label");
        var conflict = blocked && !box.checked;
        label.classList.toggle("is-conflict", conflict);
        // A session at the same time as a chosen one cannot be ticked too, and says why.
        box.disabled = conflict;
        var shown = label.querySelector(".reg-conflict-note");
        if (conflict && !shown) {
          shown = document.createElement("span");
          shown.className = "reg-conflict-note small";
          shown.textContent = note;
          // Under the session's own text, not as a third column squeezed beside it on a phone.
          (label.querySelector(":scope > span") || label).appendChild(shown);
        } else if (!conflict && shown) {
          shown.remove();
        }
      });
    };
    boxes.forEach(function (b) { b.addEventListener("change", refresh); });
    refresh();
  });
})();
