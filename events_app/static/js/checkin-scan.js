/* Codes coming in at the door: filmed by the camera (jsQR, ~8 frames/s, one beep per person)
   or typed into the code field. */
(function () {
  "use strict";
  var door = window.DoorScreen;
  if (!door) { return; }
  var T = door.T, $ = door.$, fmt = door.fmt;

  function showAnswer(answer) { door.show(answer, { offline: !!answer.offline }); }

  var busy = false, lastText = "", lastAt = 0;
  function handleScan(text) {
    var now = Date.now();
    if (busy || (text === lastText && now - lastAt < 3000)) { return; }  // debounce: one person, one beep
    lastText = text; lastAt = now; busy = true;
    door.decide({ code: text }).then(showAnswer)
      .finally(function () { busy = false; lastAt = Date.now(); });
  }

  var video = $("video"), canvas = $("frame"), ctx = canvas.getContext("2d", { willReadFrequently: true });
  var stream = null, lastDecode = 0;
  function cameraMessage(text) { $("camera-message").textContent = text; }
  function tick() {
    if (!stream) { return; }
    var now = performance.now();
    if (video.readyState >= 2 && now - lastDecode > 120 && window.jsQR) {
      lastDecode = now;
      var scale = Math.min(1, 640 / (video.videoWidth || 640));
      canvas.width = Math.round(video.videoWidth * scale); canvas.height = Math.round(video.videoHeight * scale);
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var image = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var found = jsQR(image.data, image.width, image.height, { inversionAttempts: "attemptBoth" });
      if (found && found.data) { handleScan(found.data); }
    }
    requestAnimationFrame(tick);
  }
  function startCamera() {
    door.unlockAudio();
    if (!window.isSecureContext) { cameraMessage(T.no_camera_insecure); $("code-input").focus(); return; }
    if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { cameraMessage(T.no_camera_api); $("code-input").focus(); return; }
    navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
      stream = s; video.srcObject = s; video.play();
      $("video-wrap").hidden = false; $("camera-start").hidden = true; $("camera-stop").hidden = false;
      cameraMessage(T.scanning); requestAnimationFrame(tick);
    }, function (err) {
      var name = err && err.name;
      cameraMessage(name === "NotAllowedError" || name === "SecurityError" ? T.camera_denied
        : name === "NotFoundError" || name === "OverconstrainedError" ? T.camera_missing
        : fmt(T.camera_error, { error: name || String(err) }));
      $("code-input").focus();
    });
  }
  function stopCamera() {
    if (stream) { stream.getTracks().forEach(function (t) { t.stop(); }); }
    stream = null; $("video-wrap").hidden = true; $("camera-start").hidden = false; $("camera-stop").hidden = true;
    cameraMessage("");
  }
  $("camera-start").addEventListener("click", startCamera);
  $("camera-stop").addEventListener("click", stopCamera);
  if (!window.isSecureContext) { cameraMessage(T.no_camera_insecure); }
  else if (!(navigator.mediaDevices && navigator.mediaDevices.getUserMedia)) { cameraMessage(T.no_camera_api); }

  $("code-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); door.unlockAudio();
    var input = $("code-input"), text = input.value.trim();
    if (!text) { return; }
    // Empty the field at once and keep focus there: the next code is typed or pasted into a
    // clean field (selecting the old text did not stop phones from appending to it).
    input.value = ""; input.focus();
    door.decide({ code: text }).then(showAnswer);
  });
})();
