"""Styled error pages for people (403, 404, 500...), the favicon, and who the navigation shows."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, g, render_template, request, send_from_directory
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from ui_panel.signin import current_web_user
from api.errors import StoreUnavailable, api_http_error, headers_besides_body

STATIC = Path(__file__).parent / "static"

# Machine endpoints keep their own error bodies (JSON for the API, plain for webhooks).
MACHINE_PREFIXES = ("/api/", "/webhooks/", "/panel/forge/")
PAGE_CODES = (400, 403, 404, 405, 409, 413, 422, 500, 503)
EXPLANATIONS = {
    400: ("Something in the request was not right", "Go back, reload the page and try again."),
    403: ("You may not open this page", "It needs another role. Ask an admin if you should have it."),
    404: ("This page does not exist", "It may have been deleted, or the address is mistyped."),
    405: ("That action is not available here", "Use the page's buttons rather than the address bar."),
    409: ("This cannot change any more", "Closed and archived cycles are read-only."),
    413: ("That was too large to send", "Send less at once."),
    422: ("Some fields need another look", "Go back and check the highlighted fields."),
    500: ("Something went wrong on our side", "The error was logged. Try again in a moment."),
    503: ("okrsync is briefly unavailable", "This is on our side, not yours. Wait a minute, then "
          "reload the page. If you were saving a change, it was not saved: send it again once "
          "the page loads."),
}
CSRF_EXPLANATION = ("This form has expired",
                    "It was sent without a valid security (CSRF) token, or the token expired. "
                    "Reload the page and send the form again.")


def render_error_page(exc: HTTPException):
    """The error page for people; machine paths keep the handler the API registered."""
    if request.path.startswith(MACHINE_PREFIXES):
        return api_http_error(exc)
    code = exc.code or 500
    heading, advice = (CSRF_EXPLANATION if isinstance(exc, CSRFError)
                       else EXPLANATIONS.get(code, (exc.name, "")))
    if isinstance(exc, StoreUnavailable):
        g.web_user = None   # who is signed in is in the store: show the page as to a stranger
    try:
        user = current_web_user()
    except Exception:  # noqa: BLE001 - the store may be what failed; the page must still render
        g.web_user = user = None   # nor does the navigation ask again
    return render_template("error.html", code=code, heading=heading, advice=advice,
                           nav_user=user), code, headers_besides_body(exc)


def _internal_error(exc):
    return render_error_page(exc if isinstance(exc, HTTPException) else InternalServerError())


def init_error_pages(app: Flask) -> None:
    # Flask looks for a handler by code before the API's HTTPException handler
    # (app:code, then app:HTTPException; pallets/flask#2304), so these win for pages and hand
    # machine paths back to the API's handler.
    for code in PAGE_CODES:
        app.register_error_handler(code, render_error_page if code != 500 else _internal_error)
    app.add_url_rule("/favicon.ico", "favicon", lambda: send_from_directory(
        STATIC, "favicon.svg", mimetype="image/svg+xml"))

    @app.context_processor
    def _navigation():
        try:
            return {"nav_user": current_web_user()}
        except RuntimeError:  # outside a request (templates rendered by jobs)
            return {"nav_user": None}
