"""Browser forms checked by the API's own rules: its body models and its reference checks.

A WTForms form parses what was typed (numbers, dates, choices) and refuses markup; the API's
pydantic body model then applies the same lengths, ranges and orders the API does, and the
API's reference checks raise ApiError with per-field messages. Both end up beside the field.
"""
from __future__ import annotations

import re

from flask import g
from pydantic import BaseModel, ValidationError as ModelError
from wtforms import ValidationError

from ui_panel.field_words import FILL_IN, too_long
from ui_panel.signin import current_web_user, current_web_viewer
from api.errors import ApiError
from plumbing.db import request_session

MARKUP = re.compile(r"<\s*/?\s*[a-zA-Z!?]")
MESSAGES = {
    "missing": FILL_IN,
    "string_too_short": FILL_IN,
    "greater_than": "Enter a number above {gt:g}.",
    "greater_than_equal": "Enter {ge:g} or more.",
    "less_than": "Enter a number below {lt:g}.",
    "less_than_equal": "Enter {le:g} or less.",
    "finite_number": "Enter a finite number.",
    "float_type": "Enter a number.",
    "int_type": "Enter a whole number.",
    "date_type": "Enter a date.",
    "enum": "Pick one of the choices.",
    "literal_error": "Pick one of the choices.",
}


def no_markup(form, field) -> None:
    """Text fields take plain text: refuse tags rather than store markup nobody will see."""
    if field.data and MARKUP.search(field.data):
        raise ValidationError("Write plain text: HTML tags such as <b> are not allowed here.")


def act_as_api_caller() -> None:
    """Let the API's rule helpers (which read g.viewer) judge the signed-in web user."""
    g.user = current_web_user()
    g.viewer = current_web_viewer()


def model_message(error: dict) -> str:
    """A pydantic error in words for people, with the limit it names."""
    if error["type"] == "string_too_long":
        return too_long(error["ctx"]["max_length"])
    template = MESSAGES.get(error["type"])
    if template:
        return template.format(**(error.get("ctx") or {}))
    text = str(error.get("msg", "This value is not valid."))
    return text.removeprefix("Value error, ").replace("_", " ").capitalize().rstrip(".") + "."


def check_with_model(form, model: type[BaseModel], data: dict, whole: str) -> BaseModel | None:
    """The API body model built from the form's data, or None with errors beside the fields.

    Call it after form.validate(): fields that already have an error keep only theirs. Errors
    about the whole body (such as dates out of order) go beside the field `whole`.
    """
    try:
        body = model.model_validate(data)
    except ModelError as exc:
        for error in exc.errors():
            name = str(error["loc"][0]) if error["loc"] else whole
            name = name if name in form else whole
            if not form[name].errors:
                add_error(form, name, model_message(error))
        return None
    return None if has_errors(form) else body


def apply_api_error(form, exc: ApiError, whole: str) -> None:
    """An ApiError's per-field messages beside their fields (or its message beside `whole`)."""
    for name, text in (exc.fields or {whole: exc.message}).items():
        add_error(form, name if name in form else whole, _sentence(text))


def add_error(form, name: str, message: str) -> None:
    field = form[name]
    field.errors = [*field.errors, message]


def has_errors(form) -> bool:
    return any(field.errors for field in form)


def _sentence(text: str) -> str:
    text = text.replace("_id", "").replace("_", " ")
    return text[:1].upper() + text[1:].rstrip(".") + "."


def checked_form(form, model: type[BaseModel], extra: dict) -> BaseModel | None:
    """Parse, check the picks, then the API's body model (form.api_fields() plus `extra`)."""
    form.validate()
    form.check_choices()
    act_as_api_caller()
    return check_with_model(form, model, {**extra, **form.api_fields()}, whole="title")


def saved(form, action, whole: str = "title") -> bool:
    """Run an API service call; on ApiError undo it and show its messages beside the fields."""
    try:
        action()
    except ApiError as exc:
        request_session().rollback()
        apply_api_error(form, exc, whole=whole)
        return False
    return True
