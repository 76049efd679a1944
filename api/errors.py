"""The API's error format: {"error": {"code", "message", "fields"?}} with a fitting status."""
from __future__ import annotations

import logging

from flask import Flask, current_app, jsonify, request
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable


RETRY_AFTER_SECONDS = 5


class StoreUnavailable(ServiceUnavailable):
    """The database did not answer; pages show it as a 503 that reads nothing from the store."""

    def __init__(self):
        super().__init__(retry_after=RETRY_AFTER_SECONDS)


class ApiError(Exception):
    def __init__(self, status: int, code: str, message: str, fields: dict | None = None):
        super().__init__(message)
        self.status, self.code, self.message, self.fields = status, code, message, fields

    def to_response(self):
        body = {"code": self.code, "message": self.message}
        if self.fields:
            body["fields"] = self.fields
        return jsonify({"error": body}), self.status


def not_found(what: str, ident) -> ApiError:
    return ApiError(404, "not_found", f"{what} {ident} does not exist")


def forbidden(message: str = "you may not change this") -> ApiError:
    return ApiError(403, "forbidden", message)


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, code, message)


# Machine paths answer in the JSON error format; the Forge app's remote must, since Forge's
# invokeRemote cannot read an HTML error page.
JSON_PREFIXES = ("/api/", "/webhooks/", "/panel/forge/")


def api_http_error(exc: HTTPException):
    """HTTP errors on machine paths in the API's JSON format; other paths keep the exception."""
    if not request.path.startswith(JSON_PREFIXES):
        return exc
    return http_error_response(exc)


def http_error_response(exc: HTTPException):
    """(response, status) of an HTTP error in the error format; needs an application context."""
    code = (exc.name or "error").lower().replace(" ", "_")
    body, status = ApiError(exc.code or 500, code, exc.description or exc.name).to_response()
    body.headers.extend(headers_besides_body(exc))
    return body, status


def headers_besides_body(exc: HTTPException) -> list[tuple[str, str]]:
    """What an HTTP error says besides its body: `Allow` on a 405 (RFC 9110 section 15.5.6),
    `Retry-After` on a 503 (section 10.2.3)."""
    return [(name, value) for name, value in exc.get_headers() if name.lower() != "content-type"]


def _store_unavailable(exc: OperationalError):
    """The database did not answer: 503 in the error format, so clients retry; pages get the
    handler registered for a 503 (the styled page), or Werkzeug's plain one without it."""
    if not request.path.startswith(JSON_PREFIXES):
        logging.getLogger("okrsync.pages").error("pages.store-unavailable",
                                                 extra={"error": type(exc.orig).__name__})
        return current_app.handle_http_exception(StoreUnavailable())
    return store_unavailable_response(exc)


def store_unavailable_response(exc: OperationalError):
    """(response, status): 503 in the error format, Retry-After; needs an application context."""
    logging.getLogger("okrsync.api").error("api.store-unavailable",
                                           extra={"error": type(exc.orig).__name__})
    body, status = ApiError(503, "store_unavailable",
                            "the store is unavailable, retry later").to_response()
    body.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return body, status


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, lambda exc: exc.to_response())
    app.register_error_handler(HTTPException, api_http_error)
    app.register_error_handler(OperationalError, _store_unavailable)
