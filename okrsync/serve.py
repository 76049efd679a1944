"""`okrsync serve`: gunicorn in front of the app factory."""
from __future__ import annotations

import multiprocessing

from gunicorn.app.base import BaseApplication

from plumbing.db import REQUEST_THREADS


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return served_app()


def served_app():
    """The app as `okrsync serve` runs it (bench/webhooks.py loads this one too)."""
    from okrsync.app import create_app
    from sync.reconcile.scheduler import start_scheduling

    app = create_app({"WEBHOOK_SWEEPER": True})  # embedded: this process sweeps deliveries
    if not app.config["SETTINGS"].redis_url:
        start_scheduling(app)  # embedded: periodic reconcile on a timer thread in this process
    return app


def gunicorn_options(bind: str, workers: int) -> dict:
    """The gunicorn settings `okrsync serve` runs with; bench/webhooks.py runs both apps on them."""
    return {"bind": bind, "workers": workers, "worker_class": "gthread",
            "threads": REQUEST_THREADS, "accesslog": "-", "timeout": 60, "graceful_timeout": 20}


def run_gunicorn(host: str, port: int, workers: int | None) -> None:
    """Embedded mode keeps one process (its job threads live there); with Redis, scale out."""
    from config.settings import load_settings

    embedded = not load_settings().redis_url
    if workers is None:
        workers = 1 if embedded else multiprocessing.cpu_count() * 2 + 1
    if embedded and workers != 1:
        raise SystemExit("embedded mode (no OKRSYNC_REDIS_URL) runs in a single process")
    _Gunicorn(gunicorn_options(f"{host}:{port}", workers)).run()
