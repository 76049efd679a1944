"""The one `enqueue` every caller uses: RQ on Redis when configured, in-process threads otherwise."""
from __future__ import annotations

import logging
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Callable

from flask import Flask, current_app

from plumbing.jobs import job_function, job_path

log = logging.getLogger("okrsync.queue")

DEFAULT_QUEUE = "default"
ANALYSIS_QUEUE = "analysis"
QUEUES = (DEFAULT_QUEUE, ANALYSIS_QUEUE)


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long apart a failed job is tried again."""

    max: int = 3
    intervals: tuple[int, ...] = (5, 30, 120)


NO_RETRY = RetryPolicy(max=0, intervals=())
# RQ job statuses of a job it will still run (JobStatus values).
PENDING_STATUSES = frozenset({"created", "queued", "scheduled", "deferred", "started",
                              "rate_limited", "ready_to_enqueue"})
RERUN_CLAIM_KEY = "okrsync:rerun-claim:"
RERUN_CLAIM_SECONDS = 60
SCHEDULED_OVERDUE_SECONDS = 60   # a scheduled job this long past its time is not moving
SILENT_AFTER_SECONDS = 60   # a started job without a heartbeat this long is dead (RQ beats: 30 s)


class QueueUnavailable(RuntimeError):
    """The job could not be handed to the queue (Redis down); the caller keeps it durable."""


class EmbeddedQueue:
    """Runs jobs on worker threads inside this process, each inside an app context."""

    def __init__(self, app: Flask, workers: int = 2, retry_scale: float = 1.0):
        self._app = app
        self._pool = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="okrsync-job")
        self._active: set[str] = set()
        self._delayed: dict[str, threading.Timer] = {}   # of _active, those waiting for their delay
        self._retrying: dict[str, threading.Timer] = {}  # of _active, failed and waiting to retry
        self._lock = threading.Lock()
        self._retry_scale = retry_scale
        self._closed = False   # shut down: nothing more is submitted to the pool

    def enqueue(self, func: Callable | str, *args, job_id: str | None = None,
                queue: str = DEFAULT_QUEUE, retry: RetryPolicy = RetryPolicy(),
                delay: float = 0.0, timeout: int | None = None) -> str | None:
        """Run `func` (a function, or a job's name in the job table) on a worker thread."""
        if isinstance(func, str):
            func = job_function(func)
        job_id = job_id or f"{func.__name__}-{time.monotonic_ns()}"
        with self._lock:
            if self._closed:
                raise QueueUnavailable("the embedded queue is shut down")
            if job_id in self._active:
                return None
            self._active.add(job_id)
        self._submit_in(delay, func, args, job_id, retry, 0)
        return job_id

    def is_pending(self, job_id: str, silent_after: float = 0.0) -> bool:
        """Whether the job of that id is waiting (delayed, or to retry) or running."""
        with self._lock:
            return job_id in self._active

    def rerun(self, func: Callable | str, *args, job_id: str, queue: str = DEFAULT_QUEUE,
              retry: RetryPolicy = RetryPolicy(), silent_after: float = 0.0) -> str | None:
        """Queue the job under `job_id` unless one of that id is pending (ids leave when done)."""
        return self.enqueue(func, *args, job_id=job_id, queue=queue, retry=retry)

    def _submit_in(self, delay: float, func: Callable, args: tuple, job_id: str,
                   retry: RetryPolicy, attempt: int) -> None:
        """Run the job now, or `delay` seconds from now on a timer (no pool thread waits).

        After shutdown the job is dropped (as a process exit drops it), never submitted to the
        closed pool: the lock orders every submission before the pool closes or not at all.
        """
        with self._lock:
            if self._closed:
                self._active.discard(job_id)
                log.info("queue.embedded.dropped-at-shutdown", extra={"job_id": job_id})
                return
            if delay <= 0:
                self._pool.submit(self._run, func, args, job_id, retry, attempt)
                return
            timer = threading.Timer(delay, self._submit_due, (func, args, job_id, retry, attempt))
            timer.daemon = True
            (self._retrying if attempt else self._delayed)[job_id] = timer
            timer.start()

    def _submit_due(self, func: Callable, args: tuple, job_id: str, retry: RetryPolicy,
                    attempt: int) -> None:
        with self._lock:
            waiting = self._retrying if attempt else self._delayed
            if waiting.pop(job_id, None) is None or self._closed:
                return   # cancelled by shutdown
            self._pool.submit(self._run, func, args, job_id, retry, attempt)

    def _run(self, func: Callable, args: tuple, job_id: str, retry: RetryPolicy,
             attempt: int) -> None:
        """One attempt; a failure with attempts left is tried again after its interval, as RQ's
        Retry does, on a timer rather than by sleeping on this pool thread."""
        try:
            with self._app.app_context():
                func(*args)
        except Exception:
            log.exception("queue.embedded.job-failed", extra={"job_id": job_id,
                                                              "attempt": attempt + 1})
            if attempt < retry.max:
                delay = retry.intervals[min(attempt, len(retry.intervals) - 1)]
                self._submit_in(max(delay * self._retry_scale, 0.001), func, args, job_id,
                                retry, attempt + 1)
                return
        with self._lock:
            self._active.discard(job_id)

    def drain(self, timeout: float = 30.0, include_delayed: bool = True) -> None:
        """Wait until no job is running or queued (tests, benchmarks and `okrsync demo`).

        `include_delayed=False` does not wait for jobs whose delay has not run out yet.
        """
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._lock:
                if not (self._active - (set() if include_delayed else set(self._delayed))):
                    return
            time.sleep(0.01)
        raise TimeoutError("embedded jobs still running")

    def shutdown(self) -> None:
        """Finish running jobs; delayed jobs not yet due are dropped, as a process exit drops them."""
        with self._lock:
            self._closed = True
            timers = [*self._delayed.values(), *self._retrying.values()]
            self._delayed, self._retrying = {}, {}
        for timer in timers:
            timer.cancel()
        self._pool.shutdown(wait=True)


class RedisQueue:
    """Hands jobs to RQ; a worker started by `okrsync worker` runs them."""

    def __init__(self, redis_url: str):
        from redis import Redis

        self.redis_url = redis_url
        self.connection = Redis.from_url(redis_url, socket_connect_timeout=2, socket_timeout=5)

    def enqueue(self, func: Callable | str, *args, job_id: str | None = None,
                queue: str = DEFAULT_QUEUE, retry: RetryPolicy = RetryPolicy(),
                delay: float = 0.0, timeout: int | None = None) -> str | None:
        """Hand `func` (a function, or a job's name: RQ stores its dotted path) to RQ."""
        from datetime import timedelta

        from redis.exceptions import RedisError
        from rq import Queue, Retry
        from rq.exceptions import DuplicateJobError

        rq_retry = Retry(max=retry.max, interval=list(retry.intervals)) if retry.max else None
        options = dict(job_id=job_id, retry=rq_retry, unique=job_id is not None, result_ttl=3600,
                       failure_ttl=7 * 86400)
        if timeout:
            options["job_timeout"] = timeout
        rq_queue = Queue(queue, connection=self.connection)
        if isinstance(func, str):
            func = job_path(func)
        try:
            if delay > 0:  # RQ's scheduler (`okrsync worker` runs one) moves it to the queue
                job = rq_queue.enqueue_in(timedelta(seconds=delay), func, *args, **options)
            else:
                job = rq_queue.enqueue(func, *args, **options)
        except DuplicateJobError:
            return None
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc
        return job.id

    def is_pending(self, job_id: str, silent_after: float = SILENT_AFTER_SECONDS) -> bool:
        """Whether RQ holds the job of that id to run: queued, scheduled, deferred or started."""
        from redis.exceptions import RedisError

        try:
            return self._status(job_id, silent_after) == "pending"
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc

    def _status(self, job_id: str, silent_after: float) -> str | None:
        """'pending', 'ended', or None when RQ keeps no job of that id.

        Counted as ended too: a job scheduled for a time long past (RQ's scheduler stopped with
        a Redis outage and never moved it), and a started job silent for `silent_after` seconds
        (its worker was killed: RQ's own clean-up of such jobs comes only every few minutes).
        """
        from datetime import datetime, timezone

        from rq.job import Job
        from rq.registry import ScheduledJobRegistry
        from rq.utils import utcparse

        status, origin, beat, started = self.connection.hmget(
            Job.key_for(job_id), "status", "origin", "last_heartbeat", "started_at")
        if status is None:
            return None
        if status.decode() not in PENDING_STATUSES:
            return "ended"
        if status.decode() == "scheduled":
            due = self.connection.zscore(
                ScheduledJobRegistry.key_template.format((origin or b"").decode()), job_id)
            if due is None or due < time.time() - SCHEDULED_OVERDUE_SECONDS:
                return "ended"
        if status.decode() == "started" and (beat or started):
            last = utcparse((beat or started).decode()).replace(tzinfo=timezone.utc)
            if (datetime.now(timezone.utc) - last).total_seconds() > silent_after:
                return "ended"
        return "pending"

    def rerun(self, func: Callable | str, *args, job_id: str, queue: str = DEFAULT_QUEUE,
              retry: RetryPolicy = RetryPolicy(),
              silent_after: float = SILENT_AFTER_SECONDS) -> str | None:
        """Queue the job under `job_id` unless one of that id is pending; a job of that id that
        ended (finished, failed, stopped, or stuck as `_status` tells) is replaced.
        None when nothing was queued.

        RQ refuses a second job of an id it still keeps (an ended job is kept for a while), so
        the ended one is deleted first; a claim key makes sure one process alone replaces it.
        """
        from redis.exceptions import RedisError
        from rq.exceptions import NoSuchJobError
        from rq.job import Job

        try:
            status = self._status(job_id, silent_after)
            if status is not None:
                if status == "pending" or not self.connection.set(
                        RERUN_CLAIM_KEY + job_id, 1, nx=True, ex=RERUN_CLAIM_SECONDS):
                    return None
                try:
                    Job.fetch(job_id, connection=self.connection).delete()
                except NoSuchJobError:
                    pass   # it expired meanwhile
        except RedisError as exc:
            raise QueueUnavailable(str(exc)) from exc
        return self.enqueue(func, *args, job_id=job_id, queue=queue, retry=retry)

    def ping(self) -> bool:
        return bool(self.connection.ping())

    def drain(self, timeout: float = 30.0) -> None:
        raise NotImplementedError("RQ jobs run in separate worker processes")

    def shutdown(self) -> None:
        self.connection.close()


def init_queue(app: Flask) -> None:
    settings = app.config["SETTINGS"]
    if settings.redis_url:
        app.extensions["okrsync.queue"] = RedisQueue(settings.redis_url)
    else:
        scale = float(app.config.get("EMBEDDED_RETRY_SCALE", 1.0))
        app.extensions["okrsync.queue"] = EmbeddedQueue(app, settings.embedded_workers, scale)


def get_queue():
    return current_app.extensions["okrsync.queue"]


def rerun(job: str, *args, job_id: str, queue: str = DEFAULT_QUEUE,
          retry: RetryPolicy = RetryPolicy(),
          silent_after: float = SILENT_AFTER_SECONDS) -> str | None:
    """Queue the job named `job` under `job_id` unless a job of that id is waiting or running
    (an ended one is replaced, and so is a started one silent for `silent_after` seconds); the
    job id, or None when nothing was queued."""
    job_path(job)
    return get_queue().rerun(job, *args, job_id=job_id, queue=queue, retry=retry,
                             silent_after=silent_after)


def enqueue(job: str, *args, job_id: str | None = None, queue: str = DEFAULT_QUEUE,
            retry: RetryPolicy = RetryPolicy(), delay: float = 0.0,
            timeout: int | None = None) -> str | None:
    """Queue the job named `job` in the job table with `args` (to run `delay` seconds from now;
    on RQ, stopped after `timeout` seconds, RQ's default when None); the job id, or None when a
    job with that id is already queued."""
    job_path(job)   # an unknown name fails here, in the caller, not later in a worker
    return get_queue().enqueue(job, *args, job_id=job_id, queue=queue, retry=retry, delay=delay,
                               timeout=timeout)
