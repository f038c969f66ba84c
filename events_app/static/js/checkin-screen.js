/* The door screen's shared parts, loaded before the other checkin-*.js files: its settings and
   strings, the device id, storage on the device and the one way to call the API. Each file adds
   its part to window.DoorScreen (the shared state lives there too, so a reload-surviving value
   such as the queue has one owner); checkin.js, loaded last, starts the screen. */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("checkin-strings").textContent);
  var API = root.dataset.api, TZ = root.dataset.timezone, CSRF = root.dataset.csrf;
  var KEY = "tsunagu.checkin." + root.dataset.slug + ".";
  var $ = function (id) { return document.getElementById(id); };

  function fmt(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, k) { return values[k] == null ? "" : values[k]; });
  }
  function timeOf(iso) {
    if (!iso) { return ""; }
    try { return new Intl.DateTimeFormat(document.documentElement.lang || "ja", { hour: "2-digit", minute: "2-digit", timeZone: TZ, hour12: false }).format(new Date(iso)); }
    catch (e) { return iso.slice(11, 16); }
  }
  function newNonce() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    return "n" + Date.now().toString(36) + Math.random().toString(36).slice(2) + Math.random().toString(36).slice(2);
  }
  var DEVICE = localStorage.getItem("tsunagu.checkin.device");
  if (!DEVICE) { DEVICE = "device-" + newNonce().slice(0, 8); localStorage.setItem("tsunagu.checkin.device", DEVICE); }

  // The offline list and the queue survive a reload.
  function load(name, fallback) { try { var v = localStorage.getItem(KEY + name); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; } }
  function save(name, value) { try { localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* full: keep in memory */ } }

  function request(method, path, body, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 6000) : null;
    return fetch(API + path, {
      method: method, credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": CSRF },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (timer) { clearTimeout(timer); }
      return r.json().catch(function () { return {}; }).then(function (data) {
        // The staff session is gone (401) or this page's CSRF token no longer matches it: the
        // screen asks staff to sign in again (checkin-status.js); a POST that went through means
        // the session is fine again.
        var code = data && data.error && data.error.code;
        if (r.status === 401 || code === "csrf_failed") { window.DoorScreen.setSignedOut(r.status === 401 ? "signed_out" : "stale"); }
        else if (r.status === 200 && method === "POST") { window.DoorScreen.setSignedOut(null); }
        return { status: r.status, data: data, signedOut: r.status === 401 || code === "csrf_failed" };
      });
    }, function (err) {
      if (timer) { clearTimeout(timer); }
      var e = new Error("network"); e.network = true; e.cause = err; throw e;
    });
  }

  window.DoorScreen = {
    root: root, T: T, DEVICE: DEVICE, $: $, fmt: fmt, timeOf: timeOf, newNonce: newNonce,
    load: load, save: save, request: request,
    setSignedOut: function () { /* checkin-status.js shows it */ }
  };

  // Staff may name the device ("受付A・iPhone"): the history and its conflicts then say which
  // phone admitted whom. The name is kept on the device; the random id is the fallback.
  var deviceForm = $("device-form");
  function showDevice() {
    $("device-label").textContent = window.DoorScreen.DEVICE;
    $("device-input").value = window.DoorScreen.DEVICE;
  }
  if (deviceForm) {
    showDevice();
    deviceForm.addEventListener("submit", function (ev) {
      ev.preventDefault();
      var name = $("device-input").value.trim().slice(0, 60);
      if (!name) { $("device-input").focus(); return; }
      window.DoorScreen.DEVICE = name;
      try { localStorage.setItem("tsunagu.checkin.device", name); } catch (e) { /* full: this visit only */ }
      showDevice();
      deviceForm.closest("details").open = false;
    });
  }
})();
