/* The door screen: camera scanning (jsQR), manual code and search, undo, walk-ins, live counts,
   and offline mode (cached attendee list + code hashes, local decisions, a nonce queue synced later). */
(function () {
  "use strict";
  var root = document.getElementById("checkin");
  if (!root) { return; }
  var T = JSON.parse(document.getElementById("checkin-strings").textContent);
  var API = root.dataset.api, SLUG = root.dataset.slug, TZ = root.dataset.timezone, CSRF = root.dataset.csrf;
  var STAFF = root.dataset.staff;
  var KEY = "tsunagu.checkin." + SLUG + ".";
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

  // --- storage: the offline list and the queue survive a reload ------------------------------
  function load(name, fallback) { try { var v = localStorage.getItem(KEY + name); return v ? JSON.parse(v) : fallback; } catch (e) { return fallback; } }
  function save(name, value) { try { localStorage.setItem(KEY + name, JSON.stringify(value)); } catch (e) { /* full: keep in memory */ } }
  var cache = load("cache", null);          // {generated_at, attendees: [...]}
  var queue = load("queue", []);            // [{nonce, code | registration_id, client_at}]
  var byHash = {}, revokedHash = {}, byId = {};
  function indexCache() {
    byHash = {}; revokedHash = {}; byId = {};
    if (!cache) { return; }
    cache.attendees.forEach(function (a) {
      byId[a.id] = a;
      (a.codes || []).forEach(function (h) { byHash[h] = a; });
      (a.revoked_codes || []).forEach(function (h) { revokedHash[h] = a; });
    });
    var status = $("cache-status");
    status.dataset.count = String(cache.attendees.length);
    status.textContent = fmt(T.cache, { n: cache.attendees.length, time: timeOf(cache.generated_at) });
  }
  indexCache();
  if (!cache) { $("cache-status").textContent = T.cache_missing; }

  // --- network state ---------------------------------------------------------------------
  var online = navigator.onLine;
  function renderNet() {
    var net = $("net-status");
    net.dataset.state = online ? "online" : "offline";
    $("net-label").textContent = online ? T.online : T.offline;
    $("queue-wrap").hidden = queue.length === 0;
    $("queue-label").textContent = fmt(T.queued, { n: queue.length });
    $("queue-label").dataset.count = String(queue.length);
  }
  function setOnline(value) { if (online !== value) { online = value; renderNet(); if (online) { sync(); refreshAll(); } } }
  window.addEventListener("online", function () { setOnline(true); });
  window.addEventListener("offline", function () { setOnline(false); });
  renderNet();

  function request(method, path, body, timeoutMs) {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? setTimeout(function () { controller.abort(); }, timeoutMs || 6000) : null;
    return fetch(API + path, {
      method: method, credentials: "same-origin", signal: controller ? controller.signal : undefined,
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": CSRF },
      body: body ? JSON.stringify(body) : undefined
    }).then(function (r) {
      if (timer) { clearTimeout(timer); }
      return r.json().catch(function () { return {}; }).then(function (data) { return { status: r.status, data: data }; });
    }, function (err) {
      if (timer) { clearTimeout(timer); }
      var e = new Error("network"); e.network = true; e.cause = err; throw e;
    });
  }

  // --- feedback: colour, sound, vibration ---------------------------------------------------
  var audio = null;
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

  var lastShown = null;
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
    var title = result === "ok" ? (opts.offline ? T.ok_offline : T.ok) : (T[result] || answer.message || T.error);
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
    if (answer.session) { extra = answer.session.title + (extra ? " — " + extra : ""); }
    $("result-extra").textContent = extra;
    var undo = $("result-undo");
    undo.hidden = !(reg && result === "ok" && !opts.offline);
    lastShown = reg;
    beep(tone); vibrate(tone);
  }

  // --- counts -------------------------------------------------------------------------------
  function renderCounts(c) {
    if (!c) { return; }
    $("count-in-person").textContent = c.in_person.checked_in + " / " + c.in_person.expected;
    if ($("count-online")) { $("count-online").textContent = c.online.joined + " / " + c.online.expected; }
    $("conflict-count-wrap").hidden = !c.conflicts;
    $("conflict-count").textContent = String(c.conflicts);
    save("counts", { in_person: c.in_person, online: c.online, conflicts: c.conflicts });
    // The per-table counters (checkin-sessions.js) read the same answer.
    root.dispatchEvent(new CustomEvent("checkin:counts", { detail: c }));
  }
  function localCounts() {
    if (!cache) { return null; }
    var c = { in_person: { checked_in: 0, expected: 0 }, online: { joined: 0, expected: 0 }, conflicts: (load("counts", {}) || {}).conflicts || 0 };
    cache.attendees.forEach(function (a) {
      if (a.status !== "confirmed") { return; }
      if (a.attendance_mode === "online") { c.online.expected++; if (a.online_joined_at) { c.online.joined++; } }
      // The server's rule: whoever was checked in at the door is expected at the venue too.
      if (a.attendance_mode !== "online" || a.checked_in_at) { c.in_person.expected++; }
      if (a.checked_in_at) { c.in_person.checked_in++; }
    });
    return c;
  }
  // Registrations this device admitted offline that the server has not heard of yet.
  function pendingIds() {
    var ids = {};
    queue.forEach(function (q) {
      var a = q.registration_id != null ? byId[q.registration_id] : byHash[q.hash];
      if (a) { ids[a.id] = true; }
    });
    return ids;
  }
  // Merge the check-in state changed since the cache's cursor: the offline list stays as fresh
  // as the counts (one request every 5 s), not a minute old when the network drops.
  function applyChanges(data) {
    if (!cache || !data.cursor) { return; }
    var pending = pendingIds(), unknown = false;
    (data.changes || []).forEach(function (c) {
      var a = byId[c.id];
      if (!a) { unknown = true; return; }  // a new registration: only the full list brings its codes
      a.status = c.status; a.online_joined_at = c.online_joined_at;
      if (!(pending[a.id] && !c.checked_in_at)) { a.checked_in_at = c.checked_in_at; a.checked_in_by = c.checked_in_by; }
    });
    cache.cursor = data.cursor; save("cache", cache);
    if (unknown) { refreshCache(); }
  }
  function refreshCounts() {
    if (!online) { renderCounts(localCounts()); return; }
    var since = cache ? (cache.cursor || cache.generated_at) : null;
    request("GET", "/counts" + (since ? "?since=" + encodeURIComponent(since) : "")).then(function (r) {
      if (r.status === 200) { applyChanges(r.data); renderCounts(r.data); }
    }, function () { setOnline(false); renderCounts(localCounts()); });
  }
  function refreshCache() {
    if (!online) { return Promise.resolve(); }
    return request("GET", "/offline", null, 15000).then(function (r) {
      if (r.status !== 200) { return; }
      // Keep local admissions still waiting to sync visible in the fresh list.
      var pending = {};
      queue.forEach(function (q) { pending[q.registration_id || q.hash] = q; });
      cache = r.data;
      cache.attendees.forEach(function (a) {
        var q = pending[a.id] || (a.codes || []).map(function (h) { return pending[h]; }).filter(Boolean)[0];
        if (q && !a.checked_in_at) { a.checked_in_at = q.client_at; a.checked_in_by = T.this_device; }
      });
      save("cache", cache); indexCache();
    }, function () { setOnline(false); });
  }
  function refreshAll() { refreshCounts(); refreshCache(); }

  // --- deciding a scan --------------------------------------------------------------------
  function sessionId() { var s = $("session-select"); return s && s.value ? Number(s.value) : null; }

  function decideOffline(entry) {
    // entry: {code} or {registration_id}; returns a Promise of an answer shaped like the server's.
    var lookup = entry.registration_id != null ? Promise.resolve({ reg: byId[entry.registration_id], hash: null })
      : TicketCodes.codeHash(entry.code).then(function (h) { return { reg: h ? byHash[h] : null, hash: h, revoked: h ? revokedHash[h] : null }; });
    return lookup.then(function (found) {
      if (!cache) { return { result: "error", error: { message: T.cache_missing } }; }
      if (found.revoked) { return { result: "revoked", registration: found.revoked }; }
      var a = found.reg;
      if (!a) { return { result: "unknown_code", registration: null }; }
      var statusResult = { cancelled: "cancelled", waitlisted: "waitlisted", pending: "pending_approval", rejected: "rejected" }[a.status];
      if (statusResult) { return { result: statusResult, registration: a }; }
      if (a.checked_in_at) { return { result: "already_checked_in", registration: a, checked_in_at: a.checked_in_at, checked_in_by: a.checked_in_by }; }
      var now = new Date().toISOString();
      a.checked_in_at = now; a.checked_in_by = T.this_device;
      var item = { nonce: entry.nonce, client_at: now, device: DEVICE, hash: found.hash };
      if (entry.registration_id != null) { item.registration_id = entry.registration_id; } else { item.code = entry.code; }
      queue.push(item); save("queue", queue); save("cache", cache); renderNet();
      renderCounts(localCounts());
      return { result: "ok", registration: a, checked_in_at: now, offline: true };
    });
  }

  function decide(entry) {
    entry.nonce = entry.nonce || newNonce();
    var sid = sessionId();
    if (!online) {
      if (sid) { return Promise.resolve({ result: "error", error: { message: T.session_offline } }); }
      return decideOffline(entry);
    }
    var path = entry.registration_id != null ? "/checkin" : "/scan";
    var body = { nonce: entry.nonce, device: DEVICE, session_id: sid };
    if (entry.registration_id != null) { body.registration_id = entry.registration_id; } else { body.code = entry.code; }
    return request("POST", path, body, 5000).then(function (r) {
      if (r.status === 200) {
        var a = r.data.registration && byId[r.data.registration.id];
        if (a && !sid && (r.data.result === "ok" || r.data.result === "already_checked_in")) {
          a.checked_in_at = r.data.checked_in_at; a.checked_in_by = r.data.checked_in_by; save("cache", cache);
        }
        refreshCounts();
        return r.data;
      }
      return { result: "error", error: r.data.error || { message: T.error } };
    }, function () {
      // The network went away mid-request: decide here with the same nonce, so a late
      // server-side success and the queued replay are one check-in, not two.
      setOnline(false);
      if (sid) { return { result: "error", error: { message: T.session_offline } }; }
      return decideOffline(entry);
    });
  }

  var busy = false, lastText = "", lastAt = 0;
  function handleScan(text) {
    var now = Date.now();
    if (busy || (text === lastText && now - lastAt < 3000)) { return; }  // debounce: one person, one beep
    lastText = text; lastAt = now; busy = true;
    decide({ code: text }).then(function (answer) { show(answer, { offline: !!answer.offline }); })
      .finally(function () { busy = false; lastAt = Date.now(); });
  }

  // --- sync -------------------------------------------------------------------------------
  var syncing = false;
  function sync() {
    if (syncing || !online || queue.length === 0) { return Promise.resolve(); }
    syncing = true;
    var batch = queue.slice(0, 200).map(function (q) {
      return { nonce: q.nonce, code: q.code, registration_id: q.registration_id, client_at: q.client_at, device: q.device };
    });
    return request("POST", "/sync", { device: DEVICE, scans: batch }, 20000).then(function (r) {
      if (r.status !== 200) { return; }
      var answered = {}, conflicts = 0, synced = 0;
      r.data.results.forEach(function (res) {
        answered[res.nonce] = true; synced++;
        if (res.conflict) { conflicts++; tellConflict(res); }
      });
      queue = queue.filter(function (q) { return !answered[q.nonce]; });
      save("queue", queue); renderNet(); renderCounts(r.data.counts);
      var msg = fmt(T.synced, { n: synced }) + (conflicts ? " — " + fmt(T.sync_conflicts, { n: conflicts }) : "");
      $("cache-status").textContent = msg;
      refreshCache();
      if (queue.length) { return sync(); }
    }, function () { setOnline(false); }).finally(function () { syncing = false; });
  }
  // An offline admission the server found already made elsewhere: this device showed green, so
  // say so until staff dismiss it (the person may have handed their ticket to someone else).
  function tellConflict(res) {
    var reg = res.registration || {};
    var first = res.checked_in_by ? fmt(T.at_by, { time: timeOf(res.checked_in_at), staff: res.checked_in_by })
      : fmt(T.at, { time: timeOf(res.checked_in_at) });
    var li = document.createElement("li");
    li.textContent = fmt(T.sync_conflict, { name: reg.name || "?", when: first });
    $("sync-notice-list").appendChild(li);
    var notice = $("sync-notice");
    notice.dataset.count = String(Number(notice.dataset.count) + 1); notice.hidden = false;
    var a = byId[reg.id];
    if (a) { a.checked_in_at = res.checked_in_at; a.checked_in_by = res.checked_in_by; save("cache", cache); }
    var panel = $("result");
    if (lastShown && lastShown.id === reg.id && panel.dataset.result === "ok") {
      panel.className = "result result-warn"; panel.dataset.result = "conflict";
      $("result-title").textContent = "! " + T.conflict_title;
      $("result-extra").textContent = first;
    }
    beep("warn"); vibrate("warn");
  }
  $("sync-notice-close").addEventListener("click", function () {
    $("sync-notice").hidden = true; $("sync-notice-list").innerHTML = ""; $("sync-notice").dataset.count = "0";
  });

  setInterval(function () {
    if (!online && navigator.onLine) { setOnline(true); }
    sync(); refreshCounts();
  }, 5000);
  setInterval(refreshCache, 60000);

  // --- camera -------------------------------------------------------------------------------
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
    unlockAudio();
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

  // --- typed code -----------------------------------------------------------------------------
  $("code-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); unlockAudio();
    var input = $("code-input"), text = input.value.trim();
    if (!text) { return; }
    // Empty the field at once and keep focus there: the next code is typed or pasted into a
    // clean field (selecting the old text did not stop phones from appending to it).
    input.value = ""; input.focus();
    decide({ code: text }).then(function (answer) { show(answer, { offline: !!answer.offline }); });
  });

  // --- search -------------------------------------------------------------------------------
  var searchTimer = null, searchSeq = 0;
  function searchLocal(q) {
    if (!cache) { return []; }
    var needle = TicketCodes.squeeze(q);
    return cache.attendees.filter(function (a) {
      return [a.name, a.name_kana, a.email, a.company].some(function (f) { return TicketCodes.squeeze(f).indexOf(needle) >= 0; });
    }).slice(0, 20);
  }
  function statusBadge(a) {
    if (a.status !== "confirmed") { return '<span class="badge badge-bad"></span>'; }
    return a.checked_in_at ? '<span class="badge badge-ok"></span>' : "";
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
      sub.textContent = [a.name_kana, describe(a), a.email].filter(Boolean).join(" · "); who.appendChild(sub);
      li.appendChild(who);
      var action = document.createElement("div"); action.className = "actions";
      if (a.status !== "confirmed") {
        var b = document.createElement("span"); b.className = "badge badge-bad"; b.textContent = T["status_" + a.status] || a.status; action.appendChild(b);
      } else if (a.checked_in_at) {
        var ok = document.createElement("span"); ok.className = "badge badge-ok"; ok.textContent = fmt(T.checked_in_badge, { time: timeOf(a.checked_in_at) }); action.appendChild(ok);
        if (online) {
          var u = document.createElement("button"); u.type = "button"; u.className = "small"; u.textContent = T.undo;
          u.addEventListener("click", function () { askUndo(a); }); action.appendChild(u);
        }
      } else {
        var c = document.createElement("button"); c.type = "button"; c.className = "primary"; c.textContent = T.check_in;
        c.addEventListener("click", function () {
          unlockAudio(); c.disabled = true;
          decide({ registration_id: a.id }).then(function (answer) { show(answer, { offline: !!answer.offline }); runSearch(); });
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
    if (!online) { renderResults(searchLocal(q)); return; }
    request("GET", "/search?q=" + encodeURIComponent(q)).then(function (r) {
      if (seq === searchSeq && r.status === 200) { renderResults(r.data.results); }
    }, function () { setOnline(false); if (seq === searchSeq) { renderResults(searchLocal(q)); } });
  }
  $("search-input").addEventListener("input", function () { clearTimeout(searchTimer); searchTimer = setTimeout(runSearch, 250); });

  // --- undo ---------------------------------------------------------------------------------
  var undoTarget = null, dialog = $("undo-dialog");
  function askUndo(reg) {
    undoTarget = reg; $("undo-who").textContent = reg.name; $("undo-reason").value = ""; $("undo-error").textContent = "";
    if (dialog.showModal) { dialog.showModal(); } else { dialog.setAttribute("open", ""); }
    $("undo-reason").focus();
  }
  $("result-undo").addEventListener("click", function () { if (lastShown) { askUndo(lastShown); } });
  $("undo-cancel").addEventListener("click", function () { dialog.close(); });
  $("undo-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    var reason = $("undo-reason").value.trim();
    if (!reason) { $("undo-error").textContent = T.reason_required; return; }
    request("POST", "/undo", { registration_id: undoTarget.id, reason: reason, device: DEVICE, session_id: sessionId() }).then(function (r) {
      if (r.status !== 200) { $("undo-error").textContent = (r.data.error && r.data.error.message) || T.error; return; }
      dialog.close();
      var a = byId[undoTarget.id]; if (a) { a.checked_in_at = null; a.checked_in_by = null; save("cache", cache); }
      var panel = $("result"); panel.className = "result result-warn"; panel.dataset.result = "undone";
      $("result-title").textContent = T.undone; $("result-undo").hidden = true;
      refreshCounts(); runSearch();
    }, function () { $("undo-error").textContent = T.error; });
  });

  // --- walk-in ------------------------------------------------------------------------------
  // The walk-in's address is already registered here: show whose registration it is and offer
  // checking it in (staff can see whether it is the person in front of them).
  var existing = null;
  function offerExisting(reg) {
    existing = reg;
    $("walkin-existing").hidden = !reg;
    if (!reg) { return; }
    $("walkin-existing-name").textContent = reg.name;
    $("walkin-existing-kana").textContent = reg.name_kana || "";
    $("walkin-existing-detail").textContent = [describe(reg), reg.email].filter(Boolean).join(" · ");
    var state = reg.status !== "confirmed" ? (T["status_" + reg.status] || reg.status)
      : reg.checked_in_at ? fmt(T.checked_in_badge, { time: timeOf(reg.checked_in_at) }) : T.status_confirmed;
    $("walkin-existing-state").textContent = state;
    $("walkin-existing-checkin").hidden = reg.status !== "confirmed" || !!reg.checked_in_at;
    $("walkin-existing-checkin").disabled = false;
  }
  $("walkin-existing-checkin").addEventListener("click", function () {
    if (!existing) { return; }
    unlockAudio(); $("walkin-existing-checkin").disabled = true;
    decide({ registration_id: existing.id }).then(function (answer) {
      show(answer, { offline: !!answer.offline });
      if (answer.result !== "error") {
        offerExisting(null); $("walkin-errors").textContent = ""; $("walkin-form").reset();
      } else { $("walkin-existing-checkin").disabled = false; }
    });
  });
  $("walkin-form").addEventListener("submit", function (ev) {
    ev.preventDefault(); unlockAudio();
    var form = ev.target, errors = $("walkin-errors");
    errors.textContent = ""; offerExisting(null);
    if (!online) { errors.textContent = T.offline_walkin; return; }
    var data = {}; new FormData(form).forEach(function (v, k) { if (v !== "") { data[k] = v; } });
    data.device = DEVICE; data.language = document.documentElement.lang === "en" ? "en" : "ja";
    request("POST", "/walk-in", data, 10000).then(function (r) {
      if (r.status === 200) { show(r.data); form.reset(); refreshAll(); return; }
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

  // --- survive a reload without network: a service worker keeps the page and its scripts ------
  if ("serviceWorker" in navigator && window.isSecureContext && root.dataset.sw) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/checkin/" }).then(function () {
      if (!window.caches) { return; }
      var assets = JSON.parse(root.dataset.assets || "[]");
      return caches.open("tsunagu-checkin-v1").then(function (cache) {
        return cache.addAll([location.pathname].concat(assets));
      }).then(function () { root.dataset.offlineReady = "1"; });
    }).catch(function () { /* the page still works; it just cannot reopen offline */ });
  }

  refreshAll(); sync();
})();
