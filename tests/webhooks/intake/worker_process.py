"""A real `okrsync worker` process on the test store, and waiting for what it does."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from tests.conftest import REDIS_URL

REPO = Path(__file__).resolve().parents[3]


def start_worker(settings, log_path: Path, stale_after: float = 2,
                 redis_url: str = REDIS_URL) -> subprocess.Popen:
    """`okrsync worker` on the test store, sweeping every half second."""
    env = {**os.environ, "OKRSYNC_DATABASE_URL": settings.database_url,
           "OKRSYNC_REDIS_URL": redis_url, "OKRSYNC_SECRET_KEY": settings.secret_key,
           "OKRSYNC_ENCRYPTION_KEY": settings.encryption_keys[0],
           "OKRSYNC_INSTANCE_PATH": str(settings.instance_path),
           "OKRSYNC_OUTBOUND_ALLOWLIST": ",".join(settings.outbound_allowlist),
           "OKRSYNC_DOTENV": str(log_path.parent / "no.env"),
           "OKRSYNC_SWEEP_INTERVAL": "0.5", "OKRSYNC_SWEEP_STALE_AFTER": str(stale_after)}
    with log_path.open("ab") as log:
        return subprocess.Popen([sys.executable, "-m", "okrsync.cli", "worker"], cwd=REPO, env=env,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)


def stop_worker(worker: subprocess.Popen) -> None:
    worker.terminate()
    worker.wait(20)


def wait_for(condition, timeout: float, what: str):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}")
