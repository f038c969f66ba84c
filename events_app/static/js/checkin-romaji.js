/* Romaji at the door, offline: a query typed in Latin letters read as katakana (vendored
   wanakana), so the cached list is searched by フリガナ as the server searches it. The same rules
   as events_app/tickets/romaji.py (jaconv there); keep the two in step — a browser test compares
   them. */
(function (global) {
  "use strict";
  var ROMAJI = /^[a-z'\-\s]+$/;
  // How people write romaji vs. what an IME-style converter expects.
  var SPELLINGS = [
    [/[āâ]/g, "aa"], [/[īî]/g, "ii"], [/[ūû]/g, "uu"], [/[ēê]/g, "ee"], [/[ōô]/g, "ou"],
    [/oh(?![aeiouy])/g, "ou"],      // passport style: Itoh, Ohno
    [/m(?=[bmp])/g, "n"],           // Hepburn: Homma, Namba
    [/nn(?=[aeiouy])/g, "n'n"],     // Shinnosuke is シンノスケ, not シンオスケ
    [/nn/g, "n"],                   // IME habit: kenn for ケン
    [/tch/g, "cch"],                // Hepburn: matcha
    [/l/g, "r"],                    // no l in Japanese; IME input reads la as ァ
    [/[b-df-hj-mp-tv-z]+$/, ""]     // a syllable still being typed
  ];
  // Long vowels and sounds romaji cannot tell apart, folded on both sides of the comparison; a
  // kana's own vowel repeated after it is dropped in every row, so ā (aa) finds マーサ and マサ.
  var A_ROW = "アカガサザタダナハバパマヤラワャァ", I_ROW = "イキギシジチヂニヒビピミリィ",
      U_ROW = "ウクグスズツヅヌフブプムユルュゥ", E_ROW = "エケゲセゼテデネヘベペメレェ",
      O_ROW = "オコゴソゾトドノホボポモヨロョォ";
  var FOLDS = [["ー", ""]];
  function foldRow(row, vowel) { row.split("").forEach(function (k) { FOLDS.push([k + vowel, k]); }); }
  foldRow(O_ROW, "ウ"); foldRow(O_ROW, "オ"); foldRow(U_ROW, "ウ");
  foldRow(A_ROW, "ア"); foldRow(I_ROW, "イ"); foldRow(E_ROW, "エ");
  FOLDS.push(["ヅ", "ズ"], ["ヂ", "ジ"]);

  function plainVowels(text) { return text.normalize("NFKD").replace(/[\u0300-\u036f]/g, ""); }

  // The query's words in katakana, or null when it is not romaji.
  function kanaWords(query) {
    var text = (query || "").normalize("NFKC").toLowerCase().trim();
    if (!text || !global.wanakana || !ROMAJI.test(plainVowels(text))) { return null; }
    // Word by word, so a final n stays ン: "Ken Ito" is ケンイト, not ケニト.
    var words = text.split(/[\s\-]+/).map(function (word) {
      SPELLINGS.forEach(function (rule) { word = word.replace(rule[0], rule[1]); });
      // A stray consonant is ッ, as the server's converter reads it.
      return word ? global.wanakana.toKatakana(word).replace(/'/g, "").replace(/[a-z]/g, "ッ") : "";
    });
    return words.join("") ? words : null;
  }
  // The katakana a romaji query spells (spaces dropped), or null when it is not romaji.
  function reading(query) {
    var words = kanaWords(query);
    return words ? words.join("") : null;
  }
  // Also the words in reverse order: "Yuki Tanaka" in Western order finds タナカ ユキ too.
  function readings(query) {
    var words = kanaWords(query);
    if (!words) { return []; }
    var kana = words.join(""), reversed = words.slice().reverse().join("");
    return reversed === kana ? [kana] : [kana, reversed];
  }
  function fold(kana) {
    kana = (kana || "").replace(/[\s\u3000]/g, "");
    FOLDS.forEach(function (pair) { kana = kana.split(pair[0]).join(pair[1]); });
    return kana;
  }
  // Whether a フリガナ holds the reading once both are folded; katakana() takes hiragana too.
  function readsAs(nameKana, kana) {
    return !!nameKana && fold(global.TicketCodes.katakana(nameKana)).indexOf(fold(kana)) >= 0;
  }
  // One call per attendee while searching: the query's reading is worked out once.
  var last = { query: null, kana: [] };
  function matches(query, nameKana) {
    if (last.query !== query) { last = { query: query, kana: readings(query) }; }
    return last.kana.some(function (kana) { return readsAs(nameKana, kana); });
  }
  global.DoorRomaji = { reading: reading, readings: readings, fold: fold, readsAs: readsAs, matches: matches };
})(window);
