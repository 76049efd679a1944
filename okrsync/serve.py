"""`okrsync serve`: gunicorn, with uvicorn workers, in front of the app factory."""
from __future__ import annotations

import multiprocessing

from gunicorn.app.base import BaseApplication
from uvicorn_worker import UvicornWorker


class _Gunicorn(BaseApplication):
    def __init__(self, options: dict):
        self._options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self._options.items():
            self.cfg.set(key, value)

    def load(self):
        return served_asgi()


class ServeWorker(UvicornWorker):
    """gunicorn's worker for okrsync/intake_asgi.py: uvicorn with uvloop and httptools (their
    "auto"), and the app's lifespan, so a stopping worker commits the deliveries it holds."""

    CONFIG_KWARGS = {"loop": "auto", "http": "auto", "lifespan": "on"}


def served_asgi():
    """What `okrsync serve` runs: the ASGI front (deliveries) around served_app() (the rest)."""
    from okrsync.intake_asgi import IntakeFront

    return IntakeFront(served_app())


def served_app():
    """The Flask app as `okrsync serve` runs it, behind served_asgi()."""
    from okrsync.app import create_app
    from sync.reconcile.scheduler import start_scheduling

    app = create_app({"WEBHOOK_SWEEPER": True})  # embedded: this process sweeps deliveries
    if not app.config["SETTINGS"].redis_url:
        start_scheduling(app)  # embedded: periodic reconcile on a timer thread in this process
    return app


def gunicorn_options(bind: str, workers: int) -> dict:
    """The gunicorn settings `okrsync serve` runs with; bench/webhooks.py runs both apps on them."""
    return {"bind": bind, "workers": workers, "worker_class": "okrsync.serve.ServeWorker",
            "accesslog": "-", "timeout": 60, "graceful_timeout": 20}


def scaled_out_workers() -> int:
    """Processes `okrsync serve` starts with Redis: one event loop per core (at least two, so one
    answers while the other restarts). More loops than cores only split the deliveries arriving
    together into smaller batches: under wrk on 2 cores, 5 processes answered 2,205-3,723/s,
    2 processes 3,714-4,621/s (issue 14)."""
    return max(2, multiprocessing.cpu_count())


def run_gunicorn(host: str, port: int, workers: int | None) -> None:
    """Embedded mode keeps one process (its job threads live there); with Redis, scale out."""
    from config.settings import load_settings

    embedded = not load_settings().redis_url
    if workers is None:
        workers = 1 if embedded else scaled_out_workers()
    if embedded and workers != 1:
        raise SystemExit("embedded mode (no OKRSYNC_REDIS_URL) runs in a single process")
    _Gunicorn(gunicorn_options(f"{host}:{port}", workers)).run()
