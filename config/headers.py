"""Security headers on every response; only views that opt in may be framed, and only by trackers."""
from __future__ import annotations

import functools

from flask import Flask, g, request

BASE_CSP = ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'")


def frameable(ancestors_provider):
    """Let this view be embedded by the origins `ancestors_provider()` returns (tracker sites)."""
    def decorator(view):
        @functools.wraps(view)
        def wrapped(*args, **kwargs):
            g.frame_ancestors = tuple(ancestors_provider())
            return view(*args, **kwargs)
        return wrapped
    return decorator


def _apply(response):
    # Anything shown to someone signed in (a page, a panel, an API answer) stays out of caches.
    signed_in = g.get("web_user") is not None or g.get("viewer") is not None
    return add_security_headers(response, request, g.get("frame_ancestors"), signed_in)


def add_security_headers(response, source, ancestors=None, signed_in: bool = False):
    """The headers `_apply` sets; `source` is the (Flask or werkzeug) request answered."""
    if ancestors:
        frame = "frame-ancestors " + " ".join(ancestors)
    else:
        frame = "frame-ancestors 'none'"
        response.headers["X-Frame-Options"] = "DENY"
    response.headers.setdefault("Content-Security-Policy", f"{BASE_CSP}; {frame}")
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Referrer-Policy"] = "same-origin"
    if signed_in or source.path.startswith(("/admin", "/login", "/api/")):
        response.headers["Cache-Control"] = "no-store"
    if source.is_secure or source.headers.get("X-Forwarded-Proto") == "https":
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def init_headers(app: Flask) -> None:
    app.after_request(_apply)
