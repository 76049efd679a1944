"""Webhook deliveries answered in front of Flask: the same intake, without the request machinery.

`POST /webhooks/<tracker>/<id>` is most of what a busy deployment serves. Under gunicorn, Flask's
request context, URL matching, session opening, before/after-request hooks and error dispatch
cost about as much CPU as verifying and storing the delivery (py-spy, issue 14). This middleware
answers exactly that route (a known tracker, an id the store can hold) with werkzeug's request,
webhooks.views.intake and the same security headers and error format; every other request,
including other methods on that path and ids out of range, goes to Flask as before. Intake's own
answers (a status and a JSON body) are written straight to WSGI with headers made once: building
a werkzeug response for each and having it compute its headers cost more than the JSON.
"""
from __future__ import annotations

import logging
import re

from flask import Flask
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError
from werkzeug.http import HTTP_STATUS_CODES
from werkzeug.wrappers import Request

from api.errors import http_error_response, store_unavailable_response
from config.headers import add_security_headers, machine_answer_headers, over_https
from okr_core.ids import MAX_ID
from webhooks.views import KNOWN_TRACKERS, Answer, intake

ROUTE = re.compile(r"/webhooks/([a-z]+)/([0-9]+)")   # as the blueprint's rule, ASCII digits only
log = logging.getLogger("okrsync.webhooks")


def answer_webhooks_first(app: Flask) -> None:
    """Put the intake in front of `app.wsgi_app` (the test client goes through it too)."""
    app.wsgi_app = WebhookIntake(app, app.wsgi_app)


class WebhookIntake:
    def __init__(self, app: Flask, flask_wsgi):
        self.app, self.flask_wsgi = app, flask_wsgi

    def __call__(self, environ, start_response):
        route = intake_route(environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", ""))
        if route is None:
            return self.flask_wsgi(environ, start_response)
        source = Request(environ)
        source.max_content_length = self.app.config.get("MAX_CONTENT_LENGTH")   # as Flask's
        with self.app.app_context():
            answered = self._answer(source, *route)
        if isinstance(answered, Answer):
            return _write(answered, over_https(source), start_response)
        return add_security_headers(answered, source)(environ, start_response)

    def _answer(self, source: Request, tracker: str, connection_id: int):
        """What the Flask route and the app's error handlers would answer."""
        try:
            return intake(tracker, connection_id, source)
        except HTTPException as exc:   # a body cut short (400), over MAX_CONTENT_LENGTH (413)
            return error_response(*http_error_response(exc))
        except OperationalError as exc:
            return error_response(*store_unavailable_response(exc))
        except Exception as exc:
            propagate = self.app.config.get("PROPAGATE_EXCEPTIONS")
            if propagate or (propagate is None and (self.app.testing or self.app.debug)):
                raise   # as Flask does
            log.exception("webhooks.intake-failed", extra={"connection_id": connection_id})
            return error_response(*http_error_response(InternalServerError(original_exception=exc)))


def _write(answered: Answer, secure: bool, start_response) -> list[bytes]:
    """Intake's answer as the Flask route's response would be sent: same status line and headers."""
    status = f"{answered.status} {HTTP_STATUS_CODES[answered.status].upper()}"
    start_response(status, answer_headers(answered, secure))
    return [answered.body]


def answer_headers(answered: Answer, secure: bool) -> list[tuple[str, str]]:
    """The headers of intake's answer, as the Flask route's response has them."""
    return [("Content-Type", "application/json"), ("Content-Length", str(len(answered.body))),
            *machine_answer_headers(secure)]


def error_response(response, status: int):
    """A (response, status) pair of the error handlers as the one response Flask makes of it."""
    response.status_code = status
    return response


def intake_route(method: str | None, path: str) -> tuple[str, int] | None:
    """(tracker, connection id) of a delivery answered in front of Flask; None for the rest."""
    if method != "POST":
        return None
    matched = ROUTE.fullmatch(path)
    if matched is None or matched[1] not in KNOWN_TRACKERS:
        return None
    connection_id = int(matched[2])
    return (matched[1], connection_id) if connection_id <= MAX_ID else None
