"""Every form words a field's mistakes the same way, from ui_panel/field_words.py: an empty
required field says "Fill this in.", never WTForms' own "This field is required."; text too long,
a password too short and an address that is not one have the pages' sentences too."""
from __future__ import annotations

import pytest
from flask_wtf import FlaskForm
from wtforms.validators import DataRequired, Email, InputRequired, Length, NumberRange

from okrsync.demo import DEMO_ADMIN_EMAIL
from tests.ui_panel.conftest import csrf_token
from ui_panel.field_words import FILL_IN, NO_NUL, PageForm, too_long

WTFORMS_WORDS = "This field is required."


def app_forms() -> list[type[FlaskForm]]:
    """Every form class of the app's own packages (the app fixture has imported them all)."""
    found, waiting = [], list(FlaskForm.__subclasses__())
    while waiting:
        form = waiting.pop()
        waiting.extend(form.__subclasses__())
        if form.__module__.startswith(("okrsync.", "ui_panel.")):
            found.append(form)
    return found


def test_no_required_field_of_any_form_falls_back_to_wtforms_words(app):
    forms = app_forms()
    assert len(forms) >= 15, [f.__name__ for f in forms]
    required = 0
    with app.test_request_context():
        for form_class in forms:
            form = form_class(formdata=None, meta={"csrf": False})
            for field in form:
                for rule in field.validators:
                    if isinstance(rule, (DataRequired, InputRequired)):
                        assert rule.message, f"{form_class.__name__}.{field.name}"
                        required += 1
    assert required >= 15


@pytest.mark.parametrize("page, action, fields", [
    ("/admin/connections/new", "/admin/connections/new",
     {"tracker": "jira", "name": "", "base_url": "https://jira.example.com"}),
    ("/admin/people", "/admin/users", {"name": "", "email": "new@northwind.example", "role": "member"}),
    ("/admin/people", "/admin/teams", {"name": "", "kind": "team", "check_in_weekday": "4",
                                       "check_in_time": "14:00", "time_zone": "UTC"}),
    ("/admin/tokens", "/admin/tokens", {"name": ""}),
    ("/admin/llm", "/admin/llm", {"model": "", "base_url": ""}),
    ("/admin/notifications", "/admin/notifications/smtp",
     {"host": "", "port": "587", "tls": "starttls", "mail_from": "okrs@example.com"}),
])
def test_an_empty_required_field_says_fill_this_in_on_every_admin_form(admin_client, page, action,
                                                                      fields):
    response = admin_client.post(action, data={"csrf_token": csrf_token(admin_client, page), **fields})
    assert response.status_code == 422
    assert f'<p class="field-error">{FILL_IN}</p>' in response.text
    assert WTFORMS_WORDS not in response.text


def test_the_sign_in_form_says_fill_this_in_for_an_empty_password(app, demo):
    client = app.test_client()
    response = client.post("/login", data={"csrf_token": csrf_token(client, "/login"),
                                           "email": DEMO_ADMIN_EMAIL, "password": ""})
    assert response.status_code == 400
    assert f'<p class="field-error">{FILL_IN}</p>' in response.text and WTFORMS_WORDS not in response.text


def test_no_length_email_or_range_rule_of_any_form_falls_back_to_wtforms_words(app):
    worded = 0
    with app.test_request_context():
        for form_class in app_forms():
            form = form_class(formdata=None, meta={"csrf": False})
            for field in form:
                for rule in field.validators:
                    if isinstance(rule, (Length, Email, NumberRange)):
                        assert rule.message, f"{form_class.__name__}.{field.name}: {type(rule).__name__}"
                        worded += 1
    assert worded >= 30


@pytest.mark.parametrize("fields, words", [
    ({"email": "not-an-address"}, "Enter an email address such as name@example.com."),
    ({"password": "short"}, "Use at least 12 characters (and at most 1,000)."),
    ({"name": "n" * 201}, too_long(200)),
])
def test_the_add_a_user_form_words_a_bad_address_a_short_password_and_a_long_name(admin_client, fields,
                                                                                   words):
    typed = {"name": "Ines Duarte", "email": "ines@northwind.example", "role": "member", **fields}
    response = admin_client.post("/admin/users", data={
        "csrf_token": csrf_token(admin_client, "/admin/people"), **typed})
    assert response.status_code == 422
    assert f'<p class="field-error">{words}</p>' in response.text
    assert "Invalid email address." not in response.text and "Field must be" not in response.text


def test_every_form_of_the_app_is_a_page_form_so_wtforms_words_never_show(app):
    assert all(issubclass(form, PageForm) for form in app_forms()), \
        [form.__name__ for form in app_forms() if not issubclass(form, PageForm)]


@pytest.mark.parametrize("fields, words", [
    ({"role": "owner"}, "Pick one of the choices."),
    ({"team_id": "not-a-team"}, "Pick one of the choices."),
    ({"team_id": " "}, "Pick one of the choices."),   # Optional() let it through to int(): a 500
])
def test_a_choice_nobody_offered_is_refused_in_the_pages_words(admin_client, fields, words):
    typed = {"name": "Ines Duarte", "email": "ines@northwind.example", "role": "member", **fields}
    response = admin_client.post("/admin/users", data={
        "csrf_token": csrf_token(admin_client, "/admin/people"), **typed})
    assert response.status_code == 422
    assert f'<p class="field-error">{words}</p>' in response.text
    assert "Not a valid" not in response.text


def test_a_nul_character_is_refused_beside_its_field_and_nothing_is_stored(admin_client):
    """A crafted post can send U+0000, which PostgreSQL cannot store (it was a 500 there)."""
    typed = {"name": "Ines\x00 Duarte", "email": "ines@northwind.example", "role": "member"}
    response = admin_client.post("/admin/users", data={
        "csrf_token": csrf_token(admin_client, "/admin/people"), **typed})
    assert response.status_code == 422
    assert f'<p class="field-error">{NO_NUL}</p>' in response.text
    assert "ines@northwind.example" not in admin_client.get("/admin/people").text
