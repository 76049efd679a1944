"""The pages' words for a field's rules, one wording for every form in the app.

WTForms' own messages ("This field is required.", "Invalid email address.", "Field must be
between 12 and 1000 characters long.") read differently from the workspace's; every form takes
its rules from here instead, so a person meets the same sentence for the same mistake anywhere.
"""
from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Email, Length

from okr_core.domain import holds_nul

FILL_IN = "Fill this in."
NO_NUL = "Take out the invisible NUL character; it cannot be stored."
EXAMPLE_EMAIL = "name@example.com"


def too_long(limit: int) -> str:
    return f"Keep it to {limit:,} characters or fewer."


def required(message: str = FILL_IN) -> DataRequired:
    """A field that must not be left empty; empty, it says so in the pages' words, not WTForms'."""
    return DataRequired(message)


def at_most(limit: int) -> Length:
    """Text of at most `limit` characters."""
    return Length(max=limit, message=too_long(limit))


def between(low: int, high: int) -> Length:
    """Text of `low` to `high` characters (a password, say)."""
    return Length(min=low, max=high, message=f"Use at least {low} characters (and at most {high:,}).")


def email_address(example: str = EXAMPLE_EMAIL) -> Email:
    """An email address, with an example of one when what was typed is not."""
    return Email(message=f"Enter an email address such as {example}.")


# WTForms' own messages for what a field cannot parse or pick, in the words the workspace's body
# checks use (ui_panel/form_rules.py): a form built on PageForm never shows WTForms' wording.
WTFORMS_MESSAGES = {
    "This field is required.": FILL_IN,
    "Not a valid choice.": "Pick one of the choices.",
    "Invalid Choice: could not coerce.": "Pick one of the choices.",
    "Not a valid float value.": "Enter a number.",
    "Not a valid decimal value.": "Enter a number.",
    "Not a valid integer value.": "Enter a whole number.",
    "Not a valid date value.": "Enter a date.",
    "Not a valid time value.": "Enter a time such as 14:00.",
    "Not a valid datetime value.": "Enter a date and a time.",
    "Invalid email address.": f"Enter an email address such as {EXAMPLE_EMAIL}.",
    "Invalid URL.": "Enter an absolute URL.",
}


class PageWords:
    """A translations object for WTForms (its Meta.get_translations) that answers in the pages' words."""

    def gettext(self, string: str) -> str:
        return WTFORMS_MESSAGES.get(string, string)

    def ngettext(self, singular: str, plural: str, n: int) -> str:
        return self.gettext(singular if n == 1 else plural)


PAGE_WORDS = PageWords()


class PageForm(FlaskForm):
    """The base of every form of the app: CSRF from Flask-WTF, messages in the pages' words."""

    class Meta:
        def get_translations(self, form):
            return PAGE_WORDS

    def validate(self, extra_validators=None) -> bool:
        """The fields' own rules, and for every field: no U+0000, which the store cannot hold (a
        crafted post can send it; it was a 500 on PostgreSQL)."""
        valid = super().validate(extra_validators)
        for field in self:
            if holds_nul(field.data):
                field.errors = [*field.errors, NO_NUL]
                valid = False
        return valid
