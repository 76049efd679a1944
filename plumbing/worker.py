"""The RQ worker `okrsync worker` runs: every job inside an app context, on its own connections."""
from __future__ import annotations

from flask import Flask
from rq import Queue, Worker

from plumbing.handoff import dispatch_all, start_dispatcher_thread
from plumbing.queue import QUEUES


class AppWorker(Worker):
    """Forks a work horse per job (as RQ does) and runs the job within the Flask app.

    It also turns handed-off delivery ids into their jobs (plumbing.handoff): on a thread while it
    works, or once up front in burst mode.
    """

    flask_app: Flask | None = None

    def work(self, burst: bool = False, **kwargs) -> bool:
        if burst:
            dispatch_all(self.flask_app)
            return super().work(burst=burst, **kwargs)
        stop = start_dispatcher_thread(self.flask_app)
        try:
            return super().work(burst=burst, **kwargs)
        finally:
            stop.set()

    def main_work_horse(self, job, queue):
        # The forked horse must not share the parent's pooled database sockets.
        autocommit = self.flask_app.extensions["okrsync.autocommit_engine"]
        if autocommit is not None:
            autocommit.dispose(close=False)
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
