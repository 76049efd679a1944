"""The HTTP request handler behind SimTracker: latency, auth, faults, then the API answer."""
from __future__ import annotations

import json
import math
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qsl, urlsplit

from tests.simtracker.linear_api import operation_name

JIRA_UNAUTHORIZED = {"errorMessages": ["You are not authenticated. Authentication required to perform this operation."]}
LINEAR_UNAUTHORIZED = {"errors": [{"message": "Authentication required, not authenticated",
                                   "extensions": {"code": "AUTHENTICATION_ERROR"}}]}


def make_handler(sim):
    """A handler class bound to one SimTracker."""

    class SimHandler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"   # keep-alive, like the real services
        disable_nagle_algorithm = True  # headers and body go out in two writes; do not stall on ACKs

        def log_message(self, format, *args):  # noqa: A002 - the stdlib's signature
            """Quiet: tests read sim.calls instead of the access log."""

        def do_GET(self):
            self._serve("GET")

        def do_POST(self):
            self._serve("POST")

        def do_PUT(self):
            self._serve("PUT")

        def do_DELETE(self):
            self._serve("DELETE")

        def _serve(self, method: str) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            raw = self.rfile.read(length) if length else b""
            if sim.latency_ms:
                time.sleep(sim.latency_ms / 1000)
            parts = urlsplit(self.path)
            linear = parts.path == "/graphql"
            try:
                body = json.loads(raw) if raw else None
            except ValueError:
                body = None
            operation = operation_name(body) if linear and isinstance(body, dict) else None
            fault = "429" if sim.over_rate_limit() else sim.next_fault()
            self._call = (method, parts.path, operation, fault)
            self._answer(method, parts, body, linear, fault)

        def _record(self, status: int) -> None:
            """Count the call before answering, so a client never sees an answer not yet counted."""
            method, path, operation, fault = self._call
            sim.record(method, path, operation, status, fault)

        def _answer(self, method, parts, body, linear, fault) -> int:
            if fault == "slow":
                time.sleep(sim.slow_seconds)
            if fault in ("429", "500", "502", "503"):
                return self._fault(fault, linear)
            if not sim.auth_ok:
                return self._json(400 if linear else 401, LINEAR_UNAUTHORIZED if linear else JIRA_UNAUTHORIZED)
            if linear:
                status, payload = sim.linear.handle(body if isinstance(body, dict) else {})
            else:
                status, payload = sim.jira.handle(method, parts.path, _query(parts.query), body)
            if fault == "malformed":
                return self._send(200, b'{"issues": [{"id": ', "application/json")
            data = b"" if payload is None else json.dumps(payload).encode()
            if fault == "truncate":
                return self._truncated(status, data)
            return self._send(status, data, "application/json")

        def _fault(self, fault: str, linear: bool) -> int:
            wait = sim.rate_limit_wait_seconds
            if fault == "429" and linear:
                # https://linear.app/developers/rate-limiting: HTTP 400, code RATELIMITED, resets in epoch ms
                reset_ms = int((time.time() + wait) * 1000)
                headers = {"X-RateLimit-Requests-Remaining": "0", "X-RateLimit-Requests-Reset": str(reset_ms),
                           "X-RateLimit-Complexity-Remaining": "250000",
                           "X-RateLimit-Complexity-Reset": str(reset_ms)}
                body = {"errors": [{"message": "Rate limit exceeded", "extensions": {"code": "RATELIMITED"}}]}
                return self._json(400, body, headers)
            if fault == "429":
                return self._json(429, {"errorMessages": ["Rate limit exceeded"]}, {"Retry-After": str(math.ceil(wait))})
            if fault == "503" and not linear:
                # https://developer.atlassian.com/cloud/jira/platform/rate-limiting/: "a 503 response
                # may be returned when a resource limit has been reached", with Retry-After.
                return self._send(503, b"<html>503 from the simulator</html>", "text/html",
                                  {"Retry-After": str(math.ceil(wait))})
            return self._send(int(fault), f"<html>{fault} from the simulator</html>".encode(), "text/html")

        def _json(self, status: int, payload, headers: dict | None = None) -> int:
            return self._send(status, json.dumps(payload).encode(), "application/json", headers)

        def _send(self, status: int, data: bytes, content_type: str, headers: dict | None = None) -> int:
            self._record(status)
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            for name, value in (headers or {}).items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(data)
            return status

        def _truncated(self, status: int, data: bytes) -> int:
            """Promise the whole body, send half, hang up: what a dropped connection looks like."""
            self._record(status)
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return status

    return SimHandler



def _query(text: str) -> dict:
    """Query parameters; one repeated (keys=A&keys=B) becomes a list of its values."""
    params: dict = {}
    for name, value in parse_qsl(text):
        if name in params:
            before = params[name]
            params[name] = [*before, value] if isinstance(before, list) else [before, value]
        else:
            params[name] = value
    return params
