"""The test Redis database of this test process: one of its own for each pytest-xdist worker.

Tests flush their database before and after they run, so two processes sharing one would empty
each other's queues mid-test. A serial run uses OKRSYNC_TEST_REDIS_URL (db 15 by default); xdist
worker gwN uses database 12 - N on the same server (gw0 -> 12, gw1 -> 11, ...): 13 and 14 are
the benchmarks' (bench/webhooks.py, bench/reconcile_workers.py, both flushed) and 0 is left to
whatever else uses the server, so at most 12 workers.
"""
from __future__ import annotations

import os
from urllib.parse import urlsplit

BASE_URL = os.environ.get("OKRSYNC_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
FIRST_WORKER_DB = 12


def worker_redis_url(base: str = BASE_URL, worker: str | None = None) -> str:
    worker = os.environ.get("PYTEST_XDIST_WORKER", "") if worker is None else worker
    if not worker:
        return base
    db = FIRST_WORKER_DB - int(worker.removeprefix("gw"))
    if db < 1:
        raise RuntimeError(f"xdist worker {worker} has no Redis database of its own: "
                           f"run at most {FIRST_WORKER_DB} workers")
    return urlsplit(base)._replace(path=f"/{db}").geturl()


REDIS_URL = worker_redis_url()
