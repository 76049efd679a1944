"""The command line on a real SQLite store: migrate, demo, admin, token, key rotation."""
from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from cryptography.fernet import Fernet

from okrsync.cli import main


def _point_at(monkeypatch, folder, key: str) -> None:
    """The command line's environment: an instance under `folder`, this key, no .env."""
    monkeypatch.setenv("OKRSYNC_INSTANCE_PATH", str(folder / "instance"))
    monkeypatch.setenv("OKRSYNC_ENCRYPTION_KEY", key)
    monkeypatch.setenv("OKRSYNC_DOTENV", str(folder / "absent.env"))
    monkeypatch.delenv("OKRSYNC_DATABASE_URL", raising=False)
    monkeypatch.delenv("OKRSYNC_REDIS_URL", raising=False)


@pytest.fixture
def env(tmp_path, monkeypatch):
    key = Fernet.generate_key().decode()
    _point_at(monkeypatch, tmp_path, key)
    runner = CliRunner()
    assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
    return runner, key, tmp_path


@pytest.fixture(scope="module")
def demo_instance(tmp_path_factory):
    """An instance folder where `okrsync demo` ran, made once for the module, and its key."""
    folder = tmp_path_factory.mktemp("demo")
    key = Fernet.generate_key().decode()
    with pytest.MonkeyPatch.context() as monkeypatch:
        _point_at(monkeypatch, folder, key)
        runner = CliRunner()
        assert runner.invoke(main, ["db", "upgrade"]).exit_code == 0
        loaded = runner.invoke(main, ["demo"])
        assert loaded.exit_code == 0, loaded.output
    return folder / "instance", key


@pytest.fixture
def demo_env(demo_instance, tmp_path, monkeypatch):
    """As `env`, on a copy of the module's demo instance (loading the demo takes seconds)."""
    instance, key = demo_instance
    shutil.copytree(instance, tmp_path / "instance")
    _point_at(monkeypatch, tmp_path, key)
    return CliRunner(), key, tmp_path


def test_demo_loads_once_with_an_analysis_and_prints_the_admin_sign_in(env):
    runner, _, tmp_path = env
    first = runner.invoke(main, ["demo"])
    assert first.exit_code == 0, first.output
    assert "12 objectives, 35 key results, 20 users" in first.output
    password = (tmp_path / "instance" / "demo-login.txt").read_text().split()[-1]
    assert password in first.output
    again = runner.invoke(main, ["demo"])
    assert "nothing loaded" in again.output
    import sqlite3

    with sqlite3.connect(tmp_path / "instance" / "okrsync.db") as db:
        analyses = db.execute("SELECT scope, state FROM analyses").fetchall()
    assert analyses == [("company", "done")]  # the dashboard has an analysis from the start


def test_the_demo_connection_has_a_webhook_secret_and_refuses_unsigned_deliveries(demo_env):
    runner, key, tmp_path = demo_env
    import sqlite3

    from config.secrets import SecretBox

    with sqlite3.connect(tmp_path / "instance" / "okrsync.db") as db:
        connection_id, sealed = db.execute(
            "SELECT id, webhook_secret_encrypted FROM connections").fetchone()
    assert len(SecretBox((key,)).decrypt(sealed)) >= 32
    from okrsync.app import create_app

    unsigned = create_app().test_client().post(f"/webhooks/jira/{connection_id}",
                                               json={"webhookEvent": "jira:issue_updated"})
    assert unsigned.status_code == 401


def test_token_create_prints_the_token_last_and_it_authenticates(env):
    runner, _, _ = env
    made = runner.invoke(main, ["admin", "create", "--email", "Boss@Example.com",
                                "--password", "a long enough password"])
    assert made.exit_code == 0, made.output
    result = runner.invoke(main, ["token", "create", "--user", "boss@example.com"])
    token = result.output.split()[-1]
    assert token.startswith("okr_")
    from okrsync.app import create_app

    client = create_app().test_client()
    assert client.get("/api/v1/cycles", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_admin_create_refuses_a_short_password_and_token_an_unknown_user(env):
    runner, _, _ = env
    short = runner.invoke(main, ["admin", "create", "--email", "a@b.example", "--password", "short"])
    assert short.exit_code != 0 and "at least 10 characters" in short.output
    unknown = runner.invoke(main, ["token", "create", "--user", "nobody@example.com"])
    assert unknown.exit_code != 0 and "no user with email" in unknown.output


def test_keys_rotate_re_encrypts_stored_secrets_with_the_new_key(env, monkeypatch):
    runner, old_key, _ = env
    from okrsync.app import create_app

    app = create_app()
    from okr_core.models import Connection
    from okr_core.store import session_scope

    with app.app_context():
        box = app.extensions["okrsync.secret_box"]
        with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
            session.add(Connection(tracker="jira", name="j", base_url="https://x.example",
                                   credentials_encrypted=box.encrypt_json({"api_token": "t0ps3cret"})))
    new_key = Fernet.generate_key().decode()
    monkeypatch.setenv("OKRSYNC_ENCRYPTION_KEY", f"{new_key},{old_key}")
    result = runner.invoke(main, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "re-encrypted 1 stored secrets" in result.output
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        stored = session.query(Connection).one().credentials_encrypted
    assert json.loads(Fernet(new_key.encode()).decrypt(stored.encode())) == {"api_token": "t0ps3cret"}


def test_checkins_draft_drafts_the_demo_weeks_once_with_progress_and_refuses_an_unknown_cycle(
        demo_env):
    runner, _, _ = demo_env
    first = runner.invoke(main, ["checkins", "draft"])
    assert first.exit_code == 0, first.output
    created = int(first.stdout.split(" check-ins drafted")[0].strip().splitlines()[-1])
    assert created > 0 and "drafting check-ins" in first.stderr
    again = runner.invoke(main, ["checkins", "draft"])
    assert again.stdout.strip().endswith(f"0 check-ins drafted, {created} drafted already")
    unknown = runner.invoke(main, ["checkins", "draft", "--cycle", "999999"])
    assert unknown.exit_code != 0 and "no cycle 999999" in unknown.output


def test_notify_send_dry_run_lists_what_is_due_and_sending_delivers_each_once(demo_env,
                                                                             monkeypatch):
    from sqlalchemy import update

    from config.notification_settings import NotificationDefaults, save_defaults
    from okr_core.models import Team
    from okrsync.app import create_app
    from plumbing.db import job_session
    from tests.sync.notify.smtp_inbox import SmtpServer

    runner, _, _ = demo_env
    with SmtpServer() as server:
        monkeypatch.setenv("OKRSYNC_SMTP_URL", f"smtp://127.0.0.1:{server.port}")
        monkeypatch.setenv("OKRSYNC_MAIL_FROM", "okrs@demo.example")
        app = create_app()
        with app.app_context(), job_session() as session:   # every team's check-in due from Monday
            session.execute(update(Team).values(check_in_weekday=0, check_in_time="00:00", time_zone="UTC"))
            save_defaults(session, None, NotificationDefaults(skip_days=0))
        app.extensions["okrsync.queue"].shutdown()

        dry = runner.invoke(main, ["notify", "send", "--dry-run"])
        assert dry.exit_code == 0, dry.output
        listed = [line for line in dry.output.splitlines() if " email " in line]
        assert listed and "Weekly check-in reminder" in dry.output and "Monday digest" in dry.output
        assert f"{len(listed)} messages due (dry run: nothing sent)" in dry.output
        assert server.inbox.received == []

        sent = runner.invoke(main, ["notify", "send"])
        assert sent.exit_code == 0, sent.output
        assert f"{len(listed)} messages queued" in sent.output
        assert len(server.inbox.received) == len(listed)
        again = runner.invoke(main, ["notify", "send", "--dry-run"])
        assert "0 messages due" in again.output
        assert runner.invoke(main, ["notify", "send"]).output.startswith("0 messages queued")
        assert len(server.inbox.received) == len(listed)
