"""The RQ worker `okrsync worker` runs: every job inside an app context, on its own connections."""
from __future__ import annotations

from flask import Flask
from rq import Queue, Worker

from sync.queue import QUEUES


class AppWorker(Worker):
    """Forks a work horse per job (as RQ does) and runs the job within the Flask app."""

    flask_app: Flask | None = None

    def main_work_horse(self, job, queue):
        # The forked horse must not share the parent's pooled database sockets.
        self.flask_app.extensions["okrsync.engine"].dispose(close=False)
        with self.flask_app.app_context():
            return super().main_work_horse(job, queue)


class AppSimpleWorker(AppWorker):
    """Same, without forking: for tests that want the job in this process."""

    def execute_job(self, job, queue):
        from rq.worker.worker_classes import SimpleWorker

        with self.flask_app.app_context():
            return SimpleWorker.execute_job(self, job, queue)


def make_worker(app: Flask, queue_names=QUEUES, simple: bool = False) -> Worker:
    from redis import Redis

    connection = Redis.from_url(app.config["SETTINGS"].redis_url)
    cls = type("BoundWorker", (AppSimpleWorker if simple else AppWorker,), {"flask_app": app})
    return cls([Queue(name, connection=connection) for name in queue_names], connection=connection)
