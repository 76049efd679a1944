"""Each person's Notifications page (channels and cadence), and the signed unsubscribe link
from emails, which works without signing in."""
from __future__ import annotations

from flask import Blueprint, current_app, render_template, request
from wtforms import BooleanField

from okr_core.models import User, utcnow
from plumbing.db import request_session
from sync.notify.links import user_of_token
from sync.notify.preferences import choices_of, preference_row
from ui_panel.field_words import PageForm
from ui_panel.signin import current_web_user, login_required

bp = Blueprint("notification_prefs", __name__)


class PreferencesForm(PageForm):
    email = BooleanField("By email")
    slack = BooleanField("In Slack (your team's channel)")
    reminders = BooleanField("Weekly check-in reminders")
    digests = BooleanField("Digests (Monday digest, team digest)")


def _page(form=None, status: int = 200, **extra):
    user = current_web_user()
    current = choices_of(request_session(), user.id)
    form = form or PreferencesForm(formdata=None, data={
        "email": current.email and not current.unsubscribed, "slack": current.slack,
        "reminders": current.reminders, "digests": current.digests})
    return render_template("dashboard/notifications.html", form=form, user=user, cycles=[],
                           cycle=None, section="notifications", current=current, **extra), status


@bp.get("/notifications")
@login_required()
def preferences():
    return _page()


@bp.post("/notifications")
@login_required()
def save_preferences():
    form = PreferencesForm()
    if not form.validate_on_submit():
        return _page(form, 422)
    row = preference_row(request_session(), current_web_user().id)
    row.email, row.slack = bool(form.email.data), bool(form.slack.data)
    row.reminders, row.digests = bool(form.reminders.data), bool(form.digests.data)
    if row.email:
        row.unsubscribed_at = None   # choosing email again undoes an unsubscribe
    request_session().commit()
    return _page(saved=True)


def _token_user(token: str) -> User | None:
    user_id = user_of_token(current_app.config["SETTINGS"].secret_key, token)
    return request_session().get(User, user_id) if user_id is not None else None


@bp.get("/unsubscribe/<token>")
def unsubscribe_page(token: str):
    user = _token_user(token)
    if user is None:
        return render_template("dashboard/unsubscribe.html", invalid=True), 404
    done = choices_of(request_session(), user.id).unsubscribed
    return render_template("dashboard/unsubscribe.html", token=token, done=done, name=user.name)


@bp.post("/unsubscribe/<token>")
def unsubscribe(token: str):
    """The confirm button, or a mail client's one-click POST (RFC 8058)."""
    user = _token_user(token)
    if user is None:
        return render_template("dashboard/unsubscribe.html", invalid=True), 404
    row = preference_row(request_session(), user.id)
    row.email = False
    row.unsubscribed_at = row.unsubscribed_at or utcnow()
    request_session().commit()
    if request.form.get("List-Unsubscribe") == "One-Click":
        return "", 204
    return render_template("dashboard/unsubscribe.html", token=token, done=True, name=user.name)
