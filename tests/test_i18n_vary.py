"""Answers in the request's language say so to caches (Vary: Accept-Language, Cookie), so a shared
cache never hands an English page to a Japanese reader; answers that translate nothing do not."""
from __future__ import annotations

import pytest

LANGUAGE_VARY = {"accept-language", "cookie"}


def vary_of(response) -> set[str]:
    return {value.lower() for value in response.vary}


@pytest.fixture
def mixer(client, make_event, db_backend):
    make_event(slug="mixer", title="冬の交流会", title_translation="Winter Mixer")
    return client


@pytest.mark.parametrize("path", ["/", "/events/mixer", "/api/v1/events/mixer", "/no-such-page"])
def test_an_answer_in_the_chosen_language_varies_on_it(mixer, path):
    response = mixer.get(path, headers={"Accept-Language": "en"})
    assert LANGUAGE_VARY <= vary_of(response)


@pytest.mark.parametrize("path", ["/static/css/app.css", "/healthz"])
def test_an_answer_that_translates_nothing_does_not_vary_on_language(mixer, path):
    response = mixer.get(path, headers={"Accept-Language": "en"})
    response.close()
    assert response.status_code == 200
    assert "accept-language" not in vary_of(response)


def test_a_vary_the_view_set_is_kept(app, client):
    from flask import jsonify
    from flask_babel import gettext

    def probe():
        response = jsonify(message=gettext("Check-in"))
        response.vary.add("Origin")
        return response

    app.add_url_rule("/vary-probe", "vary_probe", probe)
    assert {"origin"} | LANGUAGE_VARY <= vary_of(client.get("/vary-probe"))
