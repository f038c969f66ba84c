/* Ticket codes on the device: the same canonical form as events_app/tickets/codes.py.
   The offline list holds SHA-256 hashes of codes, never codes, so a copied cache prints no tickets. */
(function (global) {
  "use strict";
  function canonical(text) {
    // NFKC first: a Japanese phone keyboard types full-width letters and digits.
    text = (text || "").normalize("NFKC").trim();
    var m = text.match(/\/t\/([^\/?#\s]+)/);
    if (m) { text = m[1]; }
    return text.replace(/[\s\-_.]/g, "").toUpperCase().replace(/0/g, "O").replace(/1/g, "I").replace(/8/g, "B");
  }
  function codeHash(text) {
    if (!(global.crypto && global.crypto.subtle)) { return Promise.resolve(null); }
    var bytes = new TextEncoder().encode(canonical(text));
    return global.crypto.subtle.digest("SHA-256", bytes).then(function (buf) {
      var hex = Array.prototype.map.call(new Uint8Array(buf), function (b) { return b.toString(16).padStart(2, "0"); }).join("");
      return hex.slice(0, 32);
    });
  }
  function katakana(text) {
    return (text || "").replace(/[\u3041-\u3096]/g, function (c) { return String.fromCharCode(c.charCodeAt(0) + 0x60); });
  }
  function squeeze(text) { return katakana((text || "").normalize("NFKC").toLowerCase().replace(/[\s\u3000]/g, "")); }
  global.TicketCodes = { canonical: canonical, codeHash: codeHash, katakana: katakana, squeeze: squeeze };
})(window);
