"""Operator forms. They only parse; the services check the rules and name the fields at fault.

Numbers are text fields on purpose: what was typed ("-5", "abc") comes back exactly as typed
with the service's message next to it.
"""
from __future__ import annotations

import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DateTimeLocalField, EmailField, PasswordField, SelectField,
                     SelectMultipleField, StringField, TextAreaField)
from wtforms.fields.choices import SelectChoice
from wtforms.validators import DataRequired, Optional
from wtforms.widgets import CheckboxInput, ListWidget

COMMON_ZONES = ("Asia/Tokyo", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Asia/Bangkok", "Asia/Kolkata",
                "Asia/Dubai", "Australia/Sydney", "Pacific/Auckland", "Europe/London", "Europe/Paris",
                "Europe/Berlin", "America/New_York", "America/Chicago", "America/Los_Angeles",
                "America/Sao_Paulo", "UTC")
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M", "%Y/%m/%d %H:%M", "%Y/%m/%dT%H:%M"]
EXAMPLE_DATETIME = _l("Enter a date and time, for example 2026-12-01 18:00.")


def options(*pairs) -> list[SelectChoice]:
    return [SelectChoice(value, label) for value, label in pairs]


class Required:
    """Marks a field as required (asterisk, aria) without checking: the service checks it."""

    field_flags = {"required": True}

    def __call__(self, form, field):
        pass


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class RequiredDate(Optional):
    """Marked required, but an empty value is left to the service ("This field is required.")."""

    field_flags = {"required": True}


class WallClockField(DateTimeLocalField):
    """A date and time as an operator types it: the browser's picker sends 2026-12-01T18:30, but a
    typed value may come with slashes (2026/12/01 18:30) or in full-width digits from a Japanese
    IME; both are read. What cannot be read gets an example of what can, not WTForms' own
    "Not a valid datetime value" (「無効な時間型です。」)."""

    def process_formdata(self, valuelist):
        if valuelist:
            valuelist = [unicodedata.normalize("NFKC", value).strip() for value in valuelist]
            self.raw_data = valuelist  # what was typed still comes back, as the form shows it
        try:
            super().process_formdata(valuelist)
        except ValueError:
            self.data = None
            raise ValueError(str(EXAMPLE_DATETIME)) from None


def when(label, *, required: bool = False):
    return WallClockField(label, format=DATETIME_FORMATS, validators=[RequiredDate() if required else Optional()])


def kind_choices():
    return options(("networking", _l("Networking")), ("business_discussion", _l("Business discussion")),
                   ("webinar", _l("Webinar")), ("hybrid", _l("Hybrid (venue and online)")))


class EventForm(FlaskForm):
    title = StringField(_l("Title"), validators=[Required()])
    title_translation = StringField(_l("Title in the other language"))
    kind = SelectField(_l("Kind"), choices=kind_choices())
    language = SelectField(_l("Language of the content"), choices=options(("ja", _l("Japanese")), ("en", _l("English"))))
    description = TextAreaField(_l("Description (Markdown)"))
    description_translation = TextAreaField(_l("Description in the other language"))
    timezone = StringField(_l("Time zone"), default="Asia/Tokyo", validators=[Required()])
    starts_at = when(_l("Starts"), required=True)
    ends_at = when(_l("Ends"), required=True)
    venue_name = StringField(_l("Venue"))
    venue_address = StringField(_l("Address"))
    venue_map_url = StringField(_l("Map link"))
    venue_latitude = StringField(_l("Latitude"))
    venue_longitude = StringField(_l("Longitude"))
    online_url = StringField(_l("Online join URL (never shown publicly)"))
    capacity = StringField(_l("Seats at the venue"))
    online_capacity = StringField(_l("Online seats"))
    registration_opens_at = when(_l("Registration opens"))
    registration_closes_at = when(_l("Registration closes"))
    audience = MultiCheckboxField(_l("Who may register"), choices=options(
        ("alumni", _l("Alumni (OB/OG)")), ("employee", _l("Current employees")), ("guest", _l("Guests"))),
        default=["alumni", "employee"])
    requires_approval = BooleanField(_l("Registrations need approval"))
    session_choice_required = BooleanField(_l("Attendees must choose at least one breakout session"))
    visibility = SelectField(_l("Visibility"), choices=options(
        ("listed", _l("Listed on the event list")), ("unlisted", _l("Unlisted: only people with the link"))))
    slug = StringField(_l("Address (slug)"))
    reminder_hours_before = StringField(_l("Reminder, hours before the start"), default="24")
    online_reminder_minutes_before = StringField(_l("Online attendees' join link, minutes before the start"),
                                                 default="15")
    survey_enabled = BooleanField(_l("Send the feedback survey to those who came"), default=True)
    survey_closes_at = when(_l("Survey closes"))
    checkin_opens_minutes = StringField(_l("Door check-in opens, minutes before the start"))

    DATETIME_FIELDS = ("starts_at", "ends_at", "registration_opens_at", "registration_closes_at", "survey_closes_at")

    def to_values(self) -> dict:
        """The service's input; times stay naive: they are wall-clock times in the event's zone."""
        data = {name: field.data for name, field in self._fields.items() if name != "csrf_token"}
        for name in self.DATETIME_FIELDS:
            if self[name].errors:  # unparsable: keep the form's own message, do not report "required"
                data[name] = None
        return data


class CancelForm(FlaskForm):
    reason = TextAreaField(_l("Reason (shown to attendees)"))
    confirm = BooleanField(_l("Yes, cancel this event and notify everyone registered"),
                           validators=[DataRequired(message=_l("Tick the box to confirm."))])


class DuplicateForm(FlaskForm):
    starts_at = when(_l("New start (in the event's time zone)"))


class SessionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(("breakout", _l("Breakout table")), ("timetable", _l("Timetable item"))))
    title = StringField(_l("Title"), validators=[Required()])
    title_translation = StringField(_l("Title in the other language"))
    description = TextAreaField(_l("Description"))
    host_id = SelectField(_l("Host"), choices=[], validate_choice=False)
    starts_at = when(_l("Starts"), required=True)
    ends_at = when(_l("Ends"), required=True)
    room = StringField(_l("Room or table"))
    online_url = StringField(_l("Online URL (breakout room)"))
    capacity = StringField(_l("Seats"))


class HostForm(FlaskForm):
    role = SelectField(_l("Role"), choices=options(("host", _l("Host")), ("speaker", _l("Speaker")),
                                            ("moderator", _l("Moderator"))))
    name = StringField(_l("Name"), validators=[Required()])
    name_kana = StringField(_l("Name reading (furigana)"))
    current_company = StringField(_l("Company now"))
    current_title = StringField(_l("Title now"))
    current_title_translation = StringField(_l("Title now in the other language"))
    former_department = StringField(_l("Former department"))
    joined_year = StringField(_l("Year joined"))
    left_year = StringField(_l("Year left"))
    profile = TextAreaField(_l("Where they are now (short profile)"))
    profile_translation = TextAreaField(_l("Profile in the other language"))


class QuestionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=options(
        ("text", _l("Free text")), ("single_choice", _l("One choice")),
        ("multiple_choice", _l("Several choices")), ("yes_no", _l("Yes or no"))))
    label = StringField(_l("Question"), validators=[Required()])
    label_translation = StringField(_l("Question in the other language"))
    choices = TextAreaField(_l("Choices (one per line)"))
    choices_translation = TextAreaField(_l("Choices in the other language (one per line, same order)"))
    required = BooleanField(_l("An answer is required"))

    def to_values(self) -> dict:
        return {"kind": self.kind.data, "label": self.label.data, "label_translation": self.label_translation.data,
                "choices": [line.strip() for line in (self.choices.data or "").splitlines() if line.strip()],
                "choices_translation": [line.strip() for line in (self.choices_translation.data or "").splitlines()
                                        if line.strip()],
                "required": bool(self.required.data)}


def role_choices():
    return options(("operator", _l("Operator")), ("checkin", _l("Check-in staff")), ("admin", _l("Administrator")))


class StaffForm(FlaskForm):
    email = EmailField(_l("Email"))
    name = StringField(_l("Name"))
    role = SelectField(_l("Role"), choices=role_choices())
    password = PasswordField(_l("Password (leave empty to generate one)"))


class RoleForm(FlaskForm):
    role = SelectField(_l("Role"), choices=role_choices())


class AssignForm(FlaskForm):
    event_id = SelectField(_l("Event"), choices=[], validate_choice=False)


class TokenForm(FlaskForm):
    name = StringField(_l("Label (what the token is for)"))


class ConfirmForm(FlaskForm):
    """An empty form: only its CSRF token, for buttons that change something."""
