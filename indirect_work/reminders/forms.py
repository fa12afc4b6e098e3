"""The reminder preferences on the account page."""

from wtforms import BooleanField

from indirect_work.core.inputs import CheckedForm


class ReminderPreferencesForm(CheckedForm):
    weekly = BooleanField("Weekly: a reminder when I have logged nothing in the week")
    month_end = BooleanField("Month end: my teams' months that are not locked, and who logged nothing")
    month_ready = BooleanField("Month ready: a provider I commission has locked a month in every team")
