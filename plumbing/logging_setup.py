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
        if record.exc_info or record.exc_text:
            entry["exc"] = record.exc_text or self.formatException(record.exc_info)
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
        record.msg, record.args = _scrub(record.getMessage(), secrets), ()
        if record.exc_info and not record.exc_text:
            # Formatters reuse exc_text, so the traceback is scrubbed once, here.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = _scrub(record.exc_text, secrets)
        for name, value in list(vars(record).items()):
            if name not in _STANDARD and isinstance(value, str):
                setattr(record, name, _scrub(value, secrets))
        return True


def _scrub(text: str, secrets: list[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "[redacted]")
    return text


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
