"""A redis-server of the test's own on an ephemeral port, to stop and start at will."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path

import redis


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class PrivateRedis:
    """`start()`, `stop()` (SIGKILL: no goodbye to clients) and `start()` again on the same port."""

    def __init__(self, folder: Path, port: int | None = None):
        self.folder = folder
        self.port = port or free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self, timeout: float = 10.0) -> "PrivateRedis":
        binary = shutil.which("redis-server")
        assert binary, "redis-server is not installed"
        self.folder.mkdir(parents=True, exist_ok=True)
        # Persistence as a production Redis has it (AOF): a restart keeps the queues.
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--dir", str(self.folder),
             "--appendonly", "yes", "--save", ""],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:   # e.g. the port was taken meanwhile (xdist)
                raise RuntimeError(f"redis-server on port {self.port} exited at start")
            try:
                answer = redis.Redis.from_url(self.url, socket_timeout=0.5).info("server")
            except redis.RedisError:
                time.sleep(0.05)
                continue
            # Ours, not another test process's server that got the port first.
            assert answer["process_id"] == self.process.pid, f"port {self.port} is taken"
            return self
        raise TimeoutError(f"redis-server on port {self.port} did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    def restart(self) -> None:
        self.stop()
        self.start()
