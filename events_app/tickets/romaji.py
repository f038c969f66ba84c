"""Romaji at the door: a query typed in Latin letters read as katakana, so staff on an English
keyboard find people by their フリガナ. The door screen's offline search does the same in
static/js/checkin-romaji.js; keep the two in step."""
from __future__ import annotations

import re
import unicodedata

import jaconv

# A query that could be romaji: Latin letters, apostrophes (n'), hyphens and spaces.
_ROMAJI = re.compile(r"[a-z'\-\s]+")

# How people write romaji vs. what jaconv (an IME-style converter) expects.
_SPELLINGS = [
    (re.compile(r"[āâ]"), "aa"), (re.compile(r"[īî]"), "ii"), (re.compile(r"[ūû]"), "uu"),
    (re.compile(r"[ēê]"), "ee"), (re.compile(r"[ōô]"), "ou"),
    (re.compile(r"oh(?![aeiouy])"), "ou"),            # passport style: Itoh, Ohno
    (re.compile(r"m(?=[bmp])"), "n"),                 # Hepburn: Homma, Namba
    (re.compile(r"nn(?=[aeiouy])"), "n'n"),           # Shinnosuke is シンノスケ, not シンオスケ
    (re.compile(r"nn"), "n"),                         # IME habit: kenn for ケン
    (re.compile(r"tch"), "cch"),                      # Hepburn: matcha
    (re.compile(r"l"), "r"),                          # no l in Japanese; IME input reads la as ァ
    (re.compile(r"[b-df-hj-mp-tv-z]+$"), ""),         # a syllable still being typed
]

# Long vowels and sounds romaji cannot tell apart, folded on both sides of the comparison:
# サトウ / サトオ / サトー and サト compare equal, and so do オオノ and オノ, ツヅキ and ツズキ.
# A macron or circumflex (ā ī ū ē ō, â î û ê ô) spells its vowel twice above, so マーサ, ニイミ
# and ケート fold the same way: a kana's own vowel repeated after it is dropped in every row.
_A_ROW = "アカガサザタダナハバパマヤラワャァ"
_I_ROW = "イキギシジチヂニヒビピミリィ"
_U_ROW = "ウクグスズツヅヌフブプムユルュゥ"
_E_ROW = "エケゲセゼテデネヘベペメレェ"
_O_ROW = "オコゴソゾトドノホボポモヨロョォ"
FOLDS: list[tuple[str, str]] = (
    [("ー", "")] + [(k + "ウ", k) for k in _O_ROW] + [(k + "オ", k) for k in _O_ROW]
    + [(k + "ウ", k) for k in _U_ROW] + [(k + "ア", k) for k in _A_ROW] + [(k + "イ", k) for k in _I_ROW]
    + [(k + "エ", k) for k in _E_ROW] + [("ヅ", "ズ"), ("ヂ", "ジ")]
)


def kana_reading(query: str) -> str | None:
    """The katakana a romaji query spells (spaces dropped), or None when it is not romaji."""
    words = _kana_words(query)
    return "".join(words) if words else None


def kana_readings(query: str) -> list[str]:
    """The query's reading and, for two or more words, the words' reading in reverse order: staff
    type Western order ("Yuki Tanaka") as often as the フリガナ's family-name-first タナカ ユキ."""
    words = _kana_words(query)
    if not words:
        return []
    readings = ["".join(words), "".join(reversed(words))]
    return readings[:1] if readings[0] == readings[1] else readings


def _kana_words(query: str) -> list[str] | None:
    """The query's words in katakana, or None when it is not romaji."""
    text = unicodedata.normalize("NFKC", query or "").lower().strip()
    if not text or not _ROMAJI.fullmatch(_plain_vowels(text)):
        return None
    words = []
    # Word by word, so a final n stays ン: "Ken Ito" is ケンイト, not ケニト.
    for word in re.split(r"[\s\-]+", text):
        for pattern, replacement in _SPELLINGS:
            word = pattern.sub(replacement, word)
        words.append(jaconv.hira2kata(jaconv.alphabet2kana(word)).replace("'", "") if word else "")
    reading = "".join(words)
    return words if reading and not re.search(r"[a-z]", reading) else None


def fold(kana: str) -> str:
    kana = "".join(kana.split())
    for long, short in FOLDS:
        kana = kana.replace(long, short)
    return kana


def reads_as(name_kana: str | None, reading: str) -> bool:
    """Whether a フリガナ holds `reading` once both are folded (spaces, long vowels, ヅ/ヂ)."""
    return bool(name_kana) and fold(reading) in fold(name_kana)


def like_pattern(reading: str) -> str:
    """A LIKE pattern every フリガナ that `reads_as` the reading matches, and few others.

    Folding only drops characters or swaps ヅ→ズ and ヂ→ジ, so what folds to the reading holds its
    characters in order (any character where a ズ or ジ stands). It lets the database narrow the
    candidates with no nested REPLACE (SQLite's parser refuses fifty of them)."""
    return "%" + "".join(("_" if c in "ズジ" else c) + "%" for c in fold(reading))


def _plain_vowels(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))
