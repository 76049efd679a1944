"""Signed-in pages: password login (argon2), session cookie, role checks, logout."""
from __future__ import annotations

import functools
import secrets

from flask import (
    Blueprint, abort, current_app, flash, g, redirect, render_template, request, session, url_for,
)
from flask.sessions import SecureCookieSessionInterface
from sqlalchemy import select
from wtforms import EmailField, PasswordField

from ui_panel.field_words import PageForm, at_most, email_address, required
from ui_panel.login_limit import (
    WINDOW as LIMIT_WINDOW, attempt_key, is_limited, record_failure, record_success,
)
from config.redirects import same_site_path
from okr_core.accounts import hash_password, verify_password
from okr_core.domain import Role
from okr_core.models import User
from okr_core.models.user_sessions import end_sessions
from okr_core.visibility import Viewer, make_viewer
from plumbing.db import request_session

bp = Blueprint("auth", __name__, template_folder="templates")


class LoginForm(PageForm):
    email = EmailField("Email", validators=[required(), email_address(), at_most(320)])
    password = PasswordField("Password", validators=[required(), at_most(1000)])


def current_web_user() -> User | None:
    """The signed-in user of this request, or None."""
    if "web_user" not in g:
        user_id = session.get("user_id")
        user = request_session().get(User, user_id) if isinstance(user_id, int) else None
        # A session from before the user's last sign-out, password change or deactivation
        # carries an older generation: it has ended, whatever the cookie says.
        current = user is not None and user.active and \
            session.get("generation") == user.session_generation
        g.web_user = user if current else None
    return g.web_user


def current_web_viewer() -> Viewer:
    return make_viewer(request_session(), current_web_user())


def login_required(role: Role | None = None):
    """Send strangers to the login page; answer 403 to users without `role`."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            user = current_web_user()
            if user is None:
                return redirect(url_for("auth.login", next=request.full_path))
            if role is not None and user.role != role:
                abort(403)
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _safe_next(target: str | None) -> str:
    """Only same-site paths, never `//host` or absolute URLs (open redirect)."""
    path = same_site_path(target)
    if path is not None:
        return path
    return url_for("dashboard.index") if "dashboard.index" in current_app.view_functions else "/"


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        return _sign_in(form)
    status = 400 if request.method == "POST" else 200
    return render_template("login.html", form=form), status


@functools.cache
def _decoy_hash() -> str:
    return hash_password(secrets.token_urlsafe(16))


def _sign_in(form: LoginForm):
    """Check the password unless this email and address failed too often lately."""
    db = request_session()
    email = form.email.data.strip().lower()
    key = attempt_key(email, request.remote_addr)
    if is_limited(db, key):
        minutes = int(LIMIT_WINDOW.total_seconds() // 60)
        flash(f"Too many failed sign-ins for this account from your address. "
              f"Wait {minutes} minutes and try again.", "error")
        response = current_app.make_response((render_template("login.html", form=form), 429))
        response.headers["Retry-After"] = str(int(LIMIT_WINDOW.total_seconds()))
        return response
    user = db.scalar(select(User).where(User.email == email))
    # Unknown emails cost one hash too, so timing does not tell which accounts exist.
    # So do accounts without a password (invited, or signed in elsewhere only).
    has_password = user is not None and bool(user.password_hash)
    stored_hash = user.password_hash if has_password else _decoy_hash()
    if not verify_password(stored_hash, form.password.data) or not has_password \
            or not user.active:
        record_failure(db, key)
        flash("Email or password is wrong.", "error")
        return render_template("login.html", form=form), 401
    record_success(db, user.id, key)
    session.clear()
    session["user_id"] = user.id
    session["generation"] = user.session_generation
    session.permanent = True
    return redirect(_safe_next(request.args.get("next")))


@bp.post("/logout")
def logout():
    form = PageForm()
    if not form.validate_on_submit():
        abort(400)
    user = current_web_user()
    if user is not None:
        end_sessions(user)  # every session of this user, not only this browser's cookie
        request_session().commit()
    session.clear()
    return redirect(url_for("auth.login"))


class CookieSessionInterface(SecureCookieSessionInterface):
    """Flask's signed-cookie session; a request with no cookie at all (webhooks, API calls) gets
    an empty one without building the signer, which cost more than the rest of opening it."""

    def open_session(self, app, request):
        if app.secret_key and "HTTP_COOKIE" not in request.environ:
            return self.session_class()
        return super().open_session(app, request)


def init_web_auth(app) -> None:
    from datetime import timedelta

    settings = app.config["SETTINGS"]
    # Flask defines these keys itself (SameSite None, 31 days), so setdefault would keep its
    # values: https://flask.palletsprojects.com/en/stable/config/#builtin-configuration-values
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=settings.is_production or settings.base_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=timedelta(hours=12))
    app.session_interface = CookieSessionInterface()
    from flask_wtf.csrf import CSRFProtect

    # Every browser form is CSRF-checked; machine endpoints authenticate otherwise
    # (bearer tokens, webhook signatures, Forge invocation tokens) and carry no cookie session.
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False
    csrf = CSRFProtect(app)

    @app.before_request
    def _csrf_for_browser_forms():
        if request.method in ("GET", "HEAD", "OPTIONS") or request.path.startswith(
                CSRF_EXEMPT_PREFIXES):
            return
        csrf.protect()

    app.register_blueprint(bp)


# The unsubscribe link's signed token is its own proof (mail clients post it: RFC 8058).
CSRF_EXEMPT_PREFIXES = ("/api/", "/webhooks/", "/panel/forge/", "/unsubscribe/")
