"""Flask-WTF forms of the attendee pages. The service does the domain validation; these parse."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms.fields.choices import SelectChoice
from wtforms import BooleanField, EmailField, HiddenField, RadioField, StringField, TextAreaField
from wtforms.validators import Length

from ..enums import Affiliation, AttendanceMode, QuestionKind
from ..events.models import Event


class RegistrationForm(FlaskForm):
    # No WTForms validators: the service validates (one set of rules and messages for form and API).
    name = StringField(_l("Name"), render_kw={"autocomplete": "name"})
    name_kana = StringField(_l("Name in katakana (フリガナ)"))
    email = EmailField(_l("Email"),
                       render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "off"})
    affiliation = RadioField(_l("You are"), choices=[
        SelectChoice(Affiliation.ALUMNI.value, _l("An alumnus/alumna (OB/OG)")),
        SelectChoice(Affiliation.EMPLOYEE.value, _l("A current employee")),
        SelectChoice(Affiliation.GUEST.value, _l("A guest")),
    ], validate_choice=False)
    company = StringField(_l("Current company"), render_kw={"autocomplete": "organization"})
    job_title = StringField(_l("Job title"), render_kw={"autocomplete": "organization-title"})
    department = StringField(_l("Department"))
    former_department = StringField(_l("Former department (出身部署)"))
    joined_year = StringField(_l("Year of joining (入社年)"),
                              render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "placeholder": "2008"})
    left_year = StringField(_l("Year of leaving (退職年)"),
                            render_kw={"inputmode": "numeric", "pattern": "[0-9]*", "placeholder": "2016"})
    attendance = RadioField(_l("How will you attend?"), choices=[
        SelectChoice(AttendanceMode.IN_PERSON.value, _l("In person")),
        SelectChoice(AttendanceMode.ONLINE.value, _l("Online")),
    ], validate_choice=False)
    consent = BooleanField(_l("I agree to the privacy notice: my details are used to run this event and the alumni programme."))
    # Left empty by people; bots fill every field. Hidden by CSS, not by type=hidden.
    website = StringField(_l("Leave this field empty"), render_kw={"autocomplete": "off", "tabindex": "-1"})
    idempotency_key = HiddenField()

    def __init__(self, *args, require_kana: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        # Marked as required for people (the asterisk); the service enforces it.
        for name in ("name", "email", "affiliation", "consent") + (("name_kana",) if require_kana else ()):
            getattr(self, name).flags.required = True

    def fit_to(self, event: Event) -> "RegistrationForm":
        """Offer only the affiliations the event admits (an employees-only event asks no one to
        pick "alumni" only to be refused after filling in everything); one is chosen already."""
        self.affiliation.choices = [c for c in self.affiliation.choices if c.value in event.audience]
        if len(self.affiliation.choices) == 1 and not self.affiliation.data:
            self.affiliation.data = self.affiliation.choices[0].value
        return self

    def service_data(self, event: Event, form_data) -> dict:
        """The plain dict the registration service takes (same shape as the JSON API)."""
        data = {key: getattr(self, key).data for key in (
            "name", "name_kana", "email", "affiliation", "company", "job_title", "department",
            "former_department", "joined_year", "left_year", "attendance")}
        data["consent"] = bool(self.consent.data)
        data["session_ids"] = form_data.getlist("session_ids")
        data["answers"] = answers_from_form(event, form_data)
        return data

    def add_service_errors(self, fields: dict[str, list[str]]) -> dict[str, list[str]]:
        """Put field messages next to their fields; returns the ones that are not WTForms fields."""
        rest = {}
        for key, messages in fields.items():
            target = getattr(self, key, None)
            if target is not None and hasattr(target, "errors") and key not in ("data", "meta"):
                target.errors = list(target.errors) + list(messages)
            else:
                rest[key] = messages
        return rest


def answers_from_form(event: Event, form_data) -> dict[str, object]:
    answers: dict[str, object] = {}
    for question in event.questions:
        key = f"q-{question.id}"
        if question.kind == QuestionKind.MULTIPLE_CHOICE:
            answers[str(question.id)] = form_data.getlist(key)
        else:
            answers[str(question.id)] = form_data.get(key, "")
    return answers


class ChoicesForm(FlaskForm):
    """Change session choices and answers from the attendee's page (inputs rendered by hand)."""


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (optional)"), validators=[Length(max=1000)])
    confirm = BooleanField(_l("Yes, cancel my registration"))


class ResendLinkForm(FlaskForm):
    email = EmailField(_l("Email"), validators=[Length(max=254)],
                       render_kw={"autocomplete": "email", "inputmode": "email", "autocapitalize": "off"})
