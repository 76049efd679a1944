"""CPU per delivery of the app alone (no gunicorn, no client): the intake answered in front of
Flask (okrsync/intake_wsgi.py) against the same delivery routed through Flask, interleaved in
one process on one PostgreSQL schema and Redis, so the machine's load falls on both alike.

Usage: python bench/webhook_front.py [--rounds 6] [--requests 300]
PostgreSQL and Redis as for bench/webhooks.py (OKRSYNC_BENCH_PG_URL, OKRSYNC_BENCH_REDIS_URL).
"""
from __future__ import annotations

import argparse
import io
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import redis  # noqa: E402
from cryptography.fernet import Fernet  # noqa: E402

from bench.webhook_load import signed  # noqa: E402
from bench.webhooks import FIXTURE, REDIS_URL, cleanup, prepare_store  # noqa: E402


def delivery_environ(path: str, body: bytes, delivery_id: str) -> dict:
    """The WSGI environ gunicorn would build for one signed Jira delivery."""
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": path, "SERVER_NAME": "127.0.0.1",
               "SERVER_PORT": "80", "SERVER_PROTOCOL": "HTTP/1.1", "wsgi.url_scheme": "http",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(body), "wsgi.errors": sys.stderr}
    for name, value in signed(body, delivery_id).items():
        if name != "Content-Type":
            environ["HTTP_" + name.upper().replace("-", "_")] = value
    return environ


def cpu_ms_per_delivery(wsgi, path: str, body: bytes, count: int) -> float:
    start = time.process_time()
    for _ in range(count):
        statuses = []
        b"".join(wsgi(delivery_environ(path, body, uuid.uuid4().hex),
                      lambda status, _headers: statuses.append(status)))
        assert statuses[0].startswith("200"), statuses
    return (time.process_time() - start) / count * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--requests", type=int, default=300)
    args = parser.parse_args()
    instance = tempfile.mkdtemp(prefix="okrsync-bench-")
    env = {"OKRSYNC_REDIS_URL": REDIS_URL, "OKRSYNC_SECRET_KEY": uuid.uuid4().hex,
           "OKRSYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
           "OKRSYNC_INSTANCE_PATH": instance, "OKRSYNC_DOTENV": os.path.join(instance, "none.env"),
           "OKRSYNC_LOG_FORMAT": "json"}
    os.environ.update(env)
    url, connection_id = prepare_store(env)
    os.environ["OKRSYNC_DATABASE_URL"] = url
    try:
        from okrsync.app import create_app

        app = create_app()
        front = app.wsgi_app
        arms = {"in front of Flask": front, "through Flask": front.flask_wsgi}
        path, body = f"/webhooks/jira/{connection_id}", FIXTURE.read_bytes()
        figures = {name: [] for name in arms}
        for name, wsgi in arms.items():   # warm-up: lookups cached, pools filled
            cpu_ms_per_delivery(wsgi, path, body, 50)
        for _ in range(args.rounds):
            for name, wsgi in arms.items():
                figures[name].append(cpu_ms_per_delivery(wsgi, path, body, args.requests))
        app.extensions["okrsync.engine"].dispose()
    finally:
        cleanup(url, redis.Redis.from_url(REDIS_URL))
    medians = {name: statistics.median(values) for name, values in figures.items()}
    for name, median in medians.items():
        print(f"{name}: {median:.3f} ms CPU per delivery (median of {args.rounds} rounds of "
              f"{args.requests})")
    print(f"ratio {medians['in front of Flask'] / medians['through Flask']:.2f}; "
          f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs (shared machine)")


if __name__ == "__main__":
    main()
