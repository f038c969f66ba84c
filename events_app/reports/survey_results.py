"""Survey results for the report: score distribution, NPS, themes, comments, introductions.

Themes are simple keyword counts (see THEME_KEYWORDS), not language understanding.
"""
from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from flask_babel import gettext as _
from sqlalchemy import select

from ..events.models import Event
from ..extensions import db
from ..people.models import Person
from ..registration.models import Registration
from .models import SurveyResponse


@dataclass
class SurveyFigures:
    responses: int = 0
    attended: int = 0
    distribution: list[int] = field(default_factory=lambda: [0] * 11)
    scored: int = 0
    average: float | None = None
    promoters: int = 0
    passives: int = 0
    detractors: int = 0
    nps: int | None = None
    themes: list[tuple[str, int]] = field(default_factory=list)
    common_answers: list[tuple[str, int]] = field(default_factory=list)
    comments: list[dict] = field(default_factory=list)
    introductions: list[dict] = field(default_factory=list)
    hosts: list[dict] = field(default_factory=list)

    @property
    def response_rate(self) -> str:
        return "–" if not self.attended else f"{self.responses / self.attended * 100:.0f}%"


# Themes are simple keyword counts over "most useful" and the comments: a response counts
# once per theme when any of the theme's words occurs in it (case-insensitive). Transparent
# and predictable; not a language model.
THEME_KEYWORDS: dict[str, tuple[str, ...]] = {
    "networking": ("交流", "人脈", "つながり", "繋がり", "ネットワーク", "名刺", "network", "connect", "meet"),
    "cohort": ("同期", "先輩", "後輩", "懐かし", "cohort", "former colleague", "old friends"),
    "business": ("事業", "ビジネス", "壁打ち", "カベウチ", "協業", "商談", "business", "partnership", "collaborat"),
    "career": ("キャリア", "転職", "採用", "復職", "出戻り", "career", "hiring", "rejoin", "boomerang"),
    "talks": ("講演", "登壇", "トーク", "パネル", "発表", "基調", "talk", "speaker", "panel", "presentation"),
    "tables": ("テーブル", "ディスカッション", "議論", "分科会", "table", "discussion", "breakout"),
    "online": ("オンライン", "配信", "zoom", "teams", "online", "stream"),
    "venue": ("会場", "食事", "料理", "飲み物", "venue", "food", "drink", "room"),
    "time": ("時間", "短", "長", "time", "longer", "shorter"),
}


def theme_labels() -> dict[str, str]:
    return {
        "networking": _("Networking and new contacts"),
        "cohort": _("Meeting former colleagues and 同期"),
        "business": _("Business ideas and collaboration"),
        "career": _("Careers and re-hiring"),
        "talks": _("Talks and speakers"),
        "tables": _("Discussion tables"),
        "online": _("Online participation"),
        "venue": _("Venue, food and drink"),
        "time": _("Timing and length"),
    }


def _themes(texts: list[str]) -> list[tuple[str, int]]:
    counts: Counter[str] = Counter()
    for text in texts:
        lowered = text.lower()
        for theme, words in THEME_KEYWORDS.items():
            if any(w in lowered for w in words):
                counts[theme] += 1
    return [(theme, n) for theme, n in counts.most_common() if n]


_SPACES = re.compile(r"[\s　]+")


def _common_answers(answers: list[str], limit: int = 8) -> list[tuple[str, int]]:
    """Short "most useful" answers given by more than one person, normalised for spacing and case."""
    counts: Counter[str] = Counter()
    shown: dict[str, str] = {}
    for answer in answers:
        text = _SPACES.sub(" ", answer).strip().rstrip("。.!！")
        if not text or len(text) > 40:
            continue
        norm = text.lower()
        counts[norm] += 1
        shown.setdefault(norm, text)
    return [(shown[k], n) for k, n in counts.most_common(limit) if n > 1]


def nps(distribution: list[int]) -> tuple[int, int, int, int | None]:
    """(promoters, passives, detractors, NPS): 9–10 promote, 7–8 are passive, 0–6 detract."""
    promoters = sum(distribution[9:11])
    passives = sum(distribution[7:9])
    detractors = sum(distribution[0:7])
    total = promoters + passives + detractors
    score = None if not total else round((promoters - detractors) * 100 / total)
    return promoters, passives, detractors, score


def survey_figures(event: Event, attended: int, *, comment_limit: int = 8) -> SurveyFigures:
    figures = SurveyFigures(attended=attended)
    rows = db.session.execute(
        select(SurveyResponse.score, SurveyResponse.most_useful, SurveyResponse.comments,
               SurveyResponse.introduction_requests, SurveyResponse.would_host, SurveyResponse.updated_at,
               Person.name, Person.affiliation, Person.company, Person.joined_year)
        .join(Registration, Registration.id == SurveyResponse.registration_id)
        .join(Person, Person.id == Registration.person_id)
        .where(SurveyResponse.event_id == event.id)
        .order_by(SurveyResponse.id)
    ).all()
    figures.responses = len(rows)
    texts, useful, comments = [], [], []
    for row in rows:
        person = {"name": row.name, "affiliation": row.affiliation, "company": row.company,
                  "joined_year": row.joined_year}
        if row.score is not None:
            figures.distribution[row.score] += 1
        if row.most_useful.strip():
            useful.append(row.most_useful)
        text = "\n".join(t for t in (row.most_useful, row.comments) if t.strip())
        if text:
            texts.append(text)
        if row.comments.strip():
            comments.append({"text": row.comments.strip(), "score": row.score, **person})
        if row.introduction_requests.strip():
            figures.introductions.append({"text": row.introduction_requests.strip(), **person})
        if row.would_host:
            figures.hosts.append(person)
    figures.scored = sum(figures.distribution)
    if figures.scored:
        figures.average = sum(i * n for i, n in enumerate(figures.distribution)) / figures.scored
    figures.promoters, figures.passives, figures.detractors, figures.nps = nps(figures.distribution)
    figures.themes = _themes(texts)
    figures.common_answers = _common_answers(useful)
    # Selected comments: the fullest ones (substance over "good"), in a mix of scores, trimmed.
    comments.sort(key=lambda c: -min(len(c["text"]), 400))
    for comment in comments[:comment_limit]:
        if len(comment["text"]) > 400:
            comment["text"] = comment["text"][:399] + "…"
        figures.comments.append(comment)
    return figures


