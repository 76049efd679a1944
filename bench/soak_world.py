"""The soak's world: a private Redis, PostgreSQL behind a proxy it can cut, `okrsync serve` and
`okrsync worker` processes, a simulated tracker, and a connection whose tracker is down."""
from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from cryptography.fernet import Fernet
from sqlalchemy import create_engine, text

from tests.faults.private_redis import PrivateRedis, free_port
from tests.faults.tcp_proxy import TcpProxy

REPO = Path(__file__).resolve().parent.parent
PG_URL = os.environ.get("OKRSYNC_BENCH_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SECRET = "soak-webhook-secret-0123456789"


class World:
    def __init__(self, issues: int):
        self.folder = Path(tempfile.mkdtemp(prefix="okrsync-soak-"))
        self.redis = PrivateRedis(self.folder / "redis").start()
        self.schema = "soak_" + uuid.uuid4().hex[:10]
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'CREATE SCHEMA "{self.schema}"'))
        self.direct_url = f"{PG_URL}?options=-csearch_path%3D{self.schema}"
        target = urlsplit(PG_URL)
        self.proxy = TcpProxy(target.hostname, target.port or 5432).start()
        proxied = target._replace(netloc=f"{target.username}@127.0.0.1:{self.proxy.port}")
        self.url = urlunsplit(proxied) + f"?options=-csearch_path%3D{self.schema}"
        self.env = {**os.environ, "OKRSYNC_DATABASE_URL": self.url,
                    "OKRSYNC_REDIS_URL": self.redis.url, "OKRSYNC_SECRET_KEY": uuid.uuid4().hex,
                    "OKRSYNC_ENCRYPTION_KEY": Fernet.generate_key().decode(),
                    "OKRSYNC_INSTANCE_PATH": str(self.folder / "instance"),
                    "OKRSYNC_DOTENV": str(self.folder / "none.env"),
                    "OKRSYNC_OUTBOUND_ALLOWLIST": "127.0.0.1", "PYTHONPATH": str(REPO)}
        self.workers: list[subprocess.Popen] = []
        self.web: subprocess.Popen | None = None
        self.port = free_port()
        self.issues = issues

    def arrange(self, sim_url: str, sim_keys: list[str]) -> dict:
        """Tables, a healthy and a dead Jira connection, one KR per simulated issue."""
        from config.secrets import SecretBox
        from okr_core.models import Base, Connection, Cycle, KeyResult, Objective, WorkLink
        from okr_core.store import make_engine, make_sessionmaker, session_scope

        engine = make_engine(self.direct_url)
        Base.metadata.create_all(engine)
        box = SecretBox((self.env["OKRSYNC_ENCRYPTION_KEY"],))
        credentials = box.encrypt_json({"email": "soak@x.test", "api_token": "t"})
        with session_scope(make_sessionmaker(engine)) as session:
            healthy = Connection(tracker="jira", name="healthy", base_url=sim_url, settings={},
                                 credentials_encrypted=credentials,
                                 webhook_secret_encrypted=box.encrypt(SECRET))
            dead = Connection(tracker="jira", name="dead", base_url=f"http://127.0.0.1:{free_port()}",
                              settings={}, credentials_encrypted=credentials,
                              webhook_secret_encrypted=box.encrypt(SECRET))
            cycle = Cycle(name="soak", start_date=date.today() - timedelta(days=30),
                          end_date=date.today() + timedelta(days=60), status="active")
            session.add_all([healthy, dead, cycle])
            session.flush()
            objective = Objective(cycle_id=cycle.id, title="soak")
            session.add(objective)
            session.flush()
            for key in sim_keys:
                kr = KeyResult(objective_id=objective.id, title=f"kr {key}", start_value=0.0,
                               target_value=1.0, measure="work_done_ratio")
                session.add(kr)
                session.flush()
                session.add(WorkLink(key_result_id=kr.id, connection_id=healthy.id, kind="issue",
                                     ref=key))
            ids = {"healthy": healthy.id, "dead": dead.id}
        engine.dispose()
        return ids

    def start_web(self) -> None:
        """`okrsync serve` as deployed: its default gunicorn settings and access log."""
        self.web = self._spawn(["serve", "--port", str(self.port), "--workers", "2"], "web.log")
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit("okrsync serve did not start")

    def start_worker(self) -> subprocess.Popen:
        worker = self._spawn(["worker"], f"worker{len(self.workers)}.log")
        self.workers.append(worker)
        return worker

    def _spawn(self, args: list[str], log_name: str) -> subprocess.Popen:
        log = (self.folder / log_name).open("ab")
        return subprocess.Popen([sys.executable, "-m", "okrsync.cli", *args], cwd=REPO,
                                env=self.env, stdout=log, stderr=subprocess.STDOUT,
                                start_new_session=True)

    def kill_worker(self, worker: subprocess.Popen) -> None:
        """SIGKILL the worker and everything it forked (its work horse, its scheduler)."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(10)

    def stop(self) -> None:
        for process in [*self.workers, self.web]:
            if process is not None and process.poll() is None:
                os.killpg(process.pid, signal.SIGTERM)
        for process in [*self.workers, self.web]:
            if process is not None:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    os.killpg(process.pid, signal.SIGKILL)
        self.redis.stop()
        self.proxy.cut()
        with create_engine(PG_URL, isolation_level="AUTOCOMMIT").connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{self.schema}" CASCADE'))
