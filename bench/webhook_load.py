"""Load for bench/webhooks.py: gunicorn started as `okrsync serve` configures it (workers,
threads, access log), and keep-alive
clients posting signed deliveries at fixed concurrency (closed loop) or at a fixed rate."""
from __future__ import annotations

import http.client
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECRET = "bench-webhook-secret"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(target: str, workers: int, env: dict, log_path: Path | None = None,
                   overrides: dict | None = None) -> tuple[subprocess.Popen, int]:
    """gunicorn on `okrsync serve`'s settings (okrsync.serve), its access log included, written
    where a deployment's stdout goes (a file here, so the benchmark's output stays readable);
    `overrides` replace some of them."""
    from gunicorn.config import KNOWN_SETTINGS

    from okrsync.serve import gunicorn_options

    port = free_port()
    options = {**gunicorn_options(f"127.0.0.1:{port}", workers), "loglevel": "warning",
               **(overrides or {})}
    flag = {setting.name: setting.cli[-1] for setting in KNOWN_SETTINGS if setting.cli}
    flags = [f"{flag[name]}={value}" for name, value in options.items() if value is not None]
    command = [sys.executable, "-m", "gunicorn", *flags, target]
    log = (log_path or Path(os.devnull)).open("ab")
    process = subprocess.Popen(command, cwd=REPO, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
        except OSError:
            time.sleep(0.1)
            continue
        if workers_booted(process.pid, workers, deadline + 60):
            return process, port
        break
    process.kill()
    raise SystemExit(f"gunicorn {target} did not start")


def workers_booted(master: int, workers: int, deadline: float) -> bool:
    """Whether all `workers` have loaded the app (their CPU has gone quiet) before `deadline`.

    The master listens before its workers have imported the app: measuring then would count
    the import (seconds, for okrsync, on a loaded machine) against the app measured first.
    """
    while time.monotonic() < deadline:
        before = cpu_seconds(master)
        time.sleep(0.5)
        if len(_children(master)) == workers and cpu_seconds(master) - before < 0.05:
            return True
    return False


def _children(pid: int) -> list[str]:
    children = []
    for entry in Path("/proc").glob("[0-9]*"):
        try:
            if int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1]) == pid:
                children.append(entry.name)
        except (OSError, IndexError):
            continue
    return children


def signed(body: bytes, delivery_id: str) -> dict:
    from webhooks.events import expected_signature

    return {"Content-Type": "application/json", "X-Atlassian-Webhook-Identifier": delivery_id,
            "X-Hub-Signature": expected_signature("jira", body, SECRET)}


class Load:
    """Sends signed deliveries from `concurrency` keep-alive clients; records status and latency."""

    def __init__(self, port: int, path: str, body: bytes, concurrency: int):
        self.port, self.path, self.body, self.concurrency = port, path, body, concurrency
        self.signature = signed(body, "x")["X-Hub-Signature"]
        self.latencies: list[float] = []
        self.statuses: dict[int, int] = {}
        self._lock = threading.Lock()
        self._next = 0

    def _claim(self, limit: int) -> int | None:
        with self._lock:
            if self._next >= limit:
                return None
            self._next += 1
            return self._next - 1

    def _send(self, conn: http.client.HTTPConnection, index: int) -> None:
        headers = {"Content-Type": "application/json", "X-Hub-Signature": self.signature,
                   "X-Atlassian-Webhook-Identifier": f"bench-{index}-{uuid.uuid4().hex}"}
        started = time.perf_counter()
        conn.request("POST", self.path, body=self.body, headers=headers)
        response = conn.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        with self._lock:
            self.latencies.append(elapsed)
            self.statuses[response.status] = self.statuses.get(response.status, 0) + 1

    def _client(self, limit: int, start: float, rate: float | None) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        while (index := self._claim(limit)) is not None:
            if rate:
                time.sleep(max(0.0, start + index / rate - time.perf_counter()))
            self._send(conn, index)
        conn.close()

    def run(self, total: int, rate: float | None = None) -> float:
        """Send `total` deliveries (at `rate` per second when given); the seconds it took."""
        start = time.perf_counter()
        threads = [threading.Thread(target=self._client, args=(total, start, rate))
                   for _ in range(self.concurrency)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return time.perf_counter() - start


def cpu_seconds(root: int) -> float:
    """CPU seconds used so far by process `root` and its children (gunicorn and its workers)."""
    tick, total = os.sysconf("SC_CLK_TCK"), 0
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        if int(entry.name) == root or int(fields[1]) == root:
            total += int(fields[11]) + int(fields[12])
    return total / tick


def processes_cpu_seconds(pids: list[int]) -> dict[int, float]:
    """CPU seconds used so far by each of the processes `pids` that is still running."""
    used = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            continue
        used[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return used


class CpuMeter:
    """CPU per request of the app measured (gunicorn and its workers) and, when it has one, of
    the PostgreSQL backends serving it (`store_pids()`: their process ids, the server being on
    this machine): what the machine spends on a request, which bounds the rate once it is busy."""

    def __init__(self, server_pid: int, store_pids=None):
        self.server_pid, self.store_pids = server_pid, store_pids

    def start(self) -> None:
        self._server, self._store = cpu_seconds(self.server_pid), self._store_cpu()
        self._busy, self._all = machine_busy()

    def per_request(self, requests: int) -> dict:
        busy, every = machine_busy()
        server = cpu_seconds(self.server_pid) - self._server
        # A backend opened meanwhile (the pool grew) spent all its CPU in the interval.
        store = sum(used - self._store.get(pid, 0.0) for pid, used in self._store_cpu().items())
        return {"server_cpu_ms": server / max(requests, 1) * 1000,
                "store_cpu_ms": store / max(requests, 1) * 1000,
                "machine_busy": (busy - self._busy) / max(every - self._all, 1)}

    def _store_cpu(self) -> dict[int, float]:
        return processes_cpu_seconds(self.store_pids()) if self.store_pids else {}


def machine_busy() -> tuple[int, int]:
    """(busy, all) jiffies of every CPU so far, from /proc/stat."""
    jiffies = [int(value) for value in Path("/proc/stat").read_text().split()[1:11]]
    return sum(jiffies) - jiffies[3] - jiffies[4], sum(jiffies)


def summary(load: Load, seconds: float) -> dict:
    cuts = statistics.quantiles(load.latencies, n=100)
    return {"requests": len(load.latencies), "statuses": load.statuses,
            "throughput": len(load.latencies) / seconds, "p50_ms": cuts[49] * 1000,
            "p99_ms": cuts[98] * 1000, "max_ms": max(load.latencies) * 1000}


def measure(port: int, path: str, body: bytes, args, meter: CpuMeter) -> dict:
    """Closed loop at fixed concurrency, then open loop at the target rate. The closed loop also
    records the CPU per request of the server and its store, and how busy the whole machine was
    (this run's other processes, such as the clients, and anything else running)."""
    warm = Load(port, path, body, args.concurrency)
    warm_result = summary(warm, warm.run(200))  # warms connections, pools and imports
    closed = Load(port, path, body, args.concurrency)
    meter.start()
    closed_result = summary(closed, closed.run(args.requests))
    closed_result.update(meter.per_request(args.requests))
    paced = Load(port, path, body, args.concurrency)
    paced_result = summary(paced, paced.run(int(args.rate * args.seconds), rate=args.rate))
    return {"warmup": warm_result, "closed": closed_result, "paced": paced_result}


def measure_wrk(port: int, path: str, body: bytes, seconds: float, connections: int,
                meter: CpuMeter | None = None) -> dict | None:
    """Requests per second wrk (C, from outside the Python process) gets on `connections`
    keep-alive connections, and the CPU they cost (with a meter); None when wrk is not installed
    (Debian package `wrk`)."""
    if not shutil.which("wrk") or seconds <= 0:
        return None
    if meter:
        meter.start()
    with tempfile.NamedTemporaryFile(suffix=".json") as body_file:
        body_file.write(body)
        body_file.flush()
        env = {**os.environ, "WRK_BODY": body_file.name,
               "WRK_SIGNATURE": signed(body, "x")["X-Hub-Signature"]}
        done = subprocess.run(
            ["wrk", "-t2", f"-c{connections}", f"-d{seconds:.0f}s", "-s",
             str(REPO / "bench/wrk_webhooks.lua"), f"http://127.0.0.1:{port}{path}"],
            env=env, capture_output=True, text=True, check=True)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", done.stdout)
    refused = re.search(r"Non-2xx or 3xx responses: (\d+)", done.stdout)
    requests = int(re.search(r"(\d+) requests in", done.stdout).group(1))
    return {"throughput": float(rate.group(1)), "non_2xx": int(refused.group(1)) if refused else 0,
            "requests": requests, **(meter.per_request(requests) if meter else {})}
