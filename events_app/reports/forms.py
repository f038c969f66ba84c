"""Forms of the reports capability: the attendee's survey, operators' notes and export filters."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, RadioField, SelectField, SelectMultipleField, TextAreaField
from wtforms.fields.choices import SelectChoice
from wtforms.validators import InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from .survey import TEXT_LIMIT


class SurveyForm(FlaskForm):
    score = RadioField(
        _l("How likely are you to recommend this event to a colleague or former colleague? (0 = not at all, 10 = very likely)"),
        choices=[SelectChoice(str(i), str(i)) for i in range(11)],
        validators=[InputRequired(message=_l("Choose a score from 0 to 10."))],
    )
    most_useful = TextAreaField(_l("What was most useful to you?"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    comments = TextAreaField(_l("Comments and suggestions"), validators=[Optional(), Length(max=TEXT_LIMIT)])
    introduction_requests = TextAreaField(
        _l("Who would you like to be introduced to? (a person, a department, a company or a topic)"),
        validators=[Optional(), Length(max=TEXT_LIMIT)])
    would_host = BooleanField(_l("I would be willing to host a discussion table at a future event"))


class NoteForm(FlaskForm):
    body = TextAreaField(_l("Note or highlight"), validators=[InputRequired(message=_l("Write the note first.")),
                                                             Length(max=TEXT_LIMIT)])
    highlight = BooleanField(_l("Show as a highlight in the summary"))


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class FilterForm(FlaskForm):
    """Export filters, read from the query string (GET, so no CSRF token)."""

    class Meta:
        csrf = False

    status = MultiCheckboxField(_l("Status"), choices=[
        SelectChoice("confirmed", _l("Confirmed")), SelectChoice("pending", _l("Pending approval")), SelectChoice("waitlisted", _l("Waitlisted")),
        SelectChoice("cancelled", _l("Cancelled")), SelectChoice("rejected", _l("Declined"))], validate_choice=False)
    affiliation = SelectField(_l("Affiliation"), choices=[
        SelectChoice("", _l("Everyone")), SelectChoice("alumni", _l("Alumni")), SelectChoice("employee", _l("Employees")), SelectChoice("guest", _l("Guests"))],
        validate_choice=False)
    session = SelectField(_l("Session"), choices=[], validate_choice=False)
    attended = SelectField(_l("Attendance"), choices=[
        SelectChoice("", _l("Everyone")), SelectChoice("yes", _l("Attended")), SelectChoice("no", _l("Did not attend"))], validate_choice=False)
