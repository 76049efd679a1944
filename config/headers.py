"""Security headers on every response; only views that opt in may be framed, and only by trackers."""
from __future__ import annotations

import functools

from flask import Flask, g, request
from werkzeug.wrappers import Request, Response

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
    if over_https(source):
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    return response


def over_https(source) -> bool:
    """Whether the request came over HTTPS, directly or through a proxy that says so."""
    return source.is_secure or source.headers.get("X-Forwarded-Proto") == "https"


@functools.cache
def machine_answer_headers(secure: bool) -> tuple[tuple[str, str], ...]:
    """The headers `add_security_headers` sets on an answer to a machine (not framed, nobody
    signed in, outside /admin, /login and /api/), for answers written straight to WSGI: taken
    from it once, so the two cannot differ."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": "/", "SERVER_NAME": "localhost",
               "SERVER_PORT": "443" if secure else "80",
               "wsgi.url_scheme": "https" if secure else "http"}
    headers = add_security_headers(Response(), Request(environ)).headers
    return tuple((name, value) for name, value in headers.items()
                 if name.lower() not in ("content-type", "content-length"))


def init_headers(app: Flask) -> None:
    app.after_request(_apply)
