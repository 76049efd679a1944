"""The API's error format: {"error": {"code", "message", "fields"?}} with a fitting status."""
from __future__ import annotations

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException


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


# The Forge app's remote answers JSON only: Forge's invokeRemote cannot read an HTML error page.
JSON_ERROR_PREFIXES = ("/api/", "/panel/forge/")


def api_http_error(exc: HTTPException):
    """HTTP errors under /api/ and /panel/forge/ in the API's JSON format; other paths keep the exception."""
    if not request.path.startswith(JSON_ERROR_PREFIXES):
        return exc
    code = (exc.name or "error").lower().replace(" ", "_")
    return ApiError(exc.code or 500, code, exc.description or exc.name).to_response()


def register_error_handlers(app: Flask) -> None:
    app.register_error_handler(ApiError, lambda exc: exc.to_response())
    app.register_error_handler(HTTPException, api_http_error)
