"""The compose form of a message to registrants. It parses; `registration.messages` validates."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from flask_babel import pgettext
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, SelectMultipleField, StringField, TextAreaField
from wtforms.widgets import CheckboxInput, ListWidget

from ..enums import Affiliation
from ..events.models import Event
from ..templating import localized
from .message_input import VALUE_FIELDS, message_values
from .models import MESSAGE_BODY_MAX, MESSAGE_SUBJECT_MAX


class RegistrantMessageForm(FlaskForm):
    # No WTForms validators: the service checks (one set of rules and translated messages).
    subject = StringField(_l("Subject"), render_kw={"maxlength": MESSAGE_SUBJECT_MAX})
    body = TextAreaField(_l("Message text"), render_kw={"rows": 12, "maxlength": MESSAGE_BODY_MAX})
    subject_en = StringField(_l("Subject in English"), render_kw={"maxlength": MESSAGE_SUBJECT_MAX, "lang": "en"})
    body_en = TextAreaField(_l("Message text in English"),
                            render_kw={"rows": 12, "maxlength": MESSAGE_BODY_MAX, "lang": "en"})
    statuses = SelectMultipleField(_l("Registrations to include"), default=["confirmed"], validate_choice=False,
                                   widget=ListWidget(prefix_label=False), option_widget=CheckboxInput())
    attendance = SelectField(_l("Attendance"), validate_choice=False)
    affiliation = SelectField(_l("Affiliation"), validate_choice=False)
    session = SelectField(_l("Session"), validate_choice=False)
    attended = SelectField(_l("Came to the event or not"), validate_choice=False)
    # Typed in the event's time zone; empty sends at once.
    send_at = StringField(_l("Send at"), render_kw={"type": "datetime-local"})
    idempotency_key = HiddenField()
    # How many recipients the preview showed, to say so if the number changed by the time of sending.
    previewed_count = HiddenField()

    def fit_to(self, event: Event, *, affiliation_label) -> RegistrantMessageForm:
        """The choices this event offers (labels in the reader's language)."""
        self.timezone = event.timezone
        everyone = pgettext("message recipients", "Everyone")
        self.statuses.choices = [("confirmed", _l("Confirmed")), ("waitlisted", _l("Waitlist")),
                                 ("pending", _l("Awaiting approval"))]
        self.attendance.choices = [("", everyone), ("in_person", _l("In person")), ("online", _l("Online"))]
        self.affiliation.choices = [("", everyone)] + [(a.value, affiliation_label(a)) for a in Affiliation]
        self.session.choices = [("", everyone)] + [(str(s.id), localized(s, "title")) for s in event.sessions]
        self.attended.choices = [("", everyone), ("yes", _l("People who came")),
                                 ("no", _l("People who did not come"))]
        return self

    def values(self) -> dict:
        """What the service takes: the typed text and the chosen filters."""
        values = message_values({name: getattr(self, name).data for name in VALUE_FIELDS})
        values["send_at"] = _with_zone(values["send_at"], self.timezone)
        return values

    def add_service_errors(self, fields: dict[str, list[str]]) -> None:
        for name, messages in fields.items():
            target = getattr(self, name, None)
            if name in VALUE_FIELDS and target is not None:
                target.errors = list(target.errors) + list(messages)


def _with_zone(text: str, timezone: str) -> str:
    """A local date and time as typed, as ISO 8601 in the event's zone; anything else unchanged
    (the service then says what is wrong with it)."""
    try:
        local = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    return local.isoformat() if local.tzinfo else local.replace(tzinfo=ZoneInfo(timezone)).isoformat()


class CancelMessageForm(FlaskForm):
    """The history's "Cancel" button: a CSRF token and nothing else."""
