"""The one wording of a required field left empty, for every form in the app."""
from __future__ import annotations

from wtforms.validators import DataRequired

FILL_IN = "Fill this in."


def required(message: str = FILL_IN) -> DataRequired:
    """A field that must not be left empty; empty, it says so in the pages' words, not WTForms'."""
    return DataRequired(message)
