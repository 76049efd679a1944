"""Structured logs: one JSON object a line in production, readable text in development."""
from __future__ import annotations

import json
import logging
import sys
from datetime import datetime, timezone

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}


class JSONFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "ts": datetime.fromtimestamp(record.created, timezone.utc).isoformat(),
            "level": record.levelname.lower(),
            "logger": record.name,
            "event": record.getMessage(),
        }
        entry.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str)


class RedactingFilter(logging.Filter):
    """Replaces every configured secret in a log record with a marker, whatever logged it."""

    def __init__(self, secrets_provider):
        super().__init__()
        self._secrets = secrets_provider

    def filter(self, record: logging.LogRecord) -> bool:
        secrets = [s for s in self._secrets() if s and len(s) >= 6]
        if not secrets:
            return True
        message = record.getMessage()
        for secret in secrets:
            message = message.replace(secret, "[redacted]")
        record.msg, record.args = message, ()
        return True


def configure_logging(fmt: str, secrets_provider=lambda: ()) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JSONFormatter() if fmt == "json" else logging.Formatter(
        "%(asctime)s %(levelname)s %(name)s %(message)s"))
    handler.addFilter(RedactingFilter(secrets_provider))
    root = logging.getLogger()
    for old in [h for h in root.handlers if getattr(h, "_okrsync", False)]:
        root.removeHandler(old)
    handler._okrsync = True
    root.addHandler(handler)
    root.setLevel(logging.INFO)
