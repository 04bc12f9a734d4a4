"""Staff portal forms.  POST forms carry CSRF; search/filter forms are GETs
without it.  Every staff action asks for a typed reason."""

from __future__ import annotations

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    DateField,
    DecimalField,
    HiddenField,
    IntegerField,
    RadioField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional, ValidationError

from shop.models import ApplicationStatus

REASON = [DataRequired("Type the reason."), Length(min=5, max=500, message="Between 5 and 500 characters.")]


class SearchForm(FlaskForm):
    """GET filters: no CSRF (nothing changes)."""

    class Meta:
        csrf = False


class RevealForm(FlaskForm):
    field = HiddenField(validators=[DataRequired()])
    reason = StringField("Reason for revealing", validators=REASON)


class DecisionForm(FlaskForm):
    decision = RadioField(
        "Decision", choices=[("approve", "Approve"), ("decline", "Decline")], validators=[InputRequired()]
    )
    tier = SelectField("Tier", choices=[], validate_choice=False, validators=[Optional()])
    line = DecimalField("Credit line ($)", places=2, validators=[Optional(), NumberRange(min=1)])
    reasons = SelectMultipleField("Decline reasons (up to four)", choices=[], validators=[Optional()])
    note = TextAreaField("Note (why)", validators=REASON)

    def validate_reasons(self, field):
        if len(field.data or []) > 4:
            raise ValidationError("Choose at most four reasons.")


class ApplicationSearchForm(SearchForm):
    outcome = SelectField(
        "Outcome", choices=[("", "Any")] + [(o.value, o.value) for o in ApplicationStatus], validators=[Optional()]
    )
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


class LoanSearchForm(SearchForm):
    q = StringField("Loan number, order number, e-mail or last four of the ID", validators=[Optional()])
    status = SelectField(
        "Status",
        choices=[
            ("", "Any"),
            ("active", "active"),
            ("paid_off", "paid off"),
            ("charged_off", "charged off"),
            ("closed", "closed"),
        ],
        validators=[Optional()],
    )


class InstallmentActionForm(FlaskForm):
    installment = IntegerField("Installment number", validators=[InputRequired(), NumberRange(min=1)])
    reason = StringField("Reason", validators=REASON)


class OfflinePaymentForm(FlaskForm):
    amount = DecimalField("Amount received ($)", places=2, validators=[InputRequired(), NumberRange(min=0.01)])
    reason = StringField("Reason (e.g. bank transfer reference)", validators=REASON)
    key = HiddenField(validators=[DataRequired()])


class ReverseForm(FlaskForm):
    action_id = IntegerField("Action", validators=[InputRequired()])
    reason = StringField("Reason", validators=REASON)


class NoteForm(FlaskForm):
    reason = TextAreaField("Note", validators=REASON)


class PolicyDraftForm(FlaskForm):
    document = TextAreaField("Policy JSON", validators=[Optional()])
    upload = FileField("…or upload a JSON file")


class ReasonForm(FlaskForm):
    reason = StringField("Reason", validators=REASON)


class SimulateForm(SearchForm):
    n = IntegerField("Last N applications", default=200, validators=[Optional(), NumberRange(min=1, max=5000)])


class AuditFilterForm(SearchForm):
    actor = StringField("Actor (e-mail)", validators=[Optional()])
    action = StringField("Action", validators=[Optional()])
    subject = StringField("Subject (type or type:id)", validators=[Optional()])
    since = DateField("From", validators=[Optional()])
    until = DateField("To", validators=[Optional()])


class ViewsFilterForm(SearchForm):
    staff = IntegerField("Staff id", validators=[Optional()])
    since = StringField("From", validators=[Optional()])
    until = StringField("To", validators=[Optional()])
