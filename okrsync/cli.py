"""The `okrsync` command line (SPEC section 5)."""
from __future__ import annotations

import getpass
import sys

import click
from sqlalchemy import select

from okr_core.accounts import hash_password, hash_token, new_token
from okr_core.domain import Role
from okr_core.models import ApiToken, User
from okr_core.store import make_engine, make_sessionmaker, session_scope
from okr_core.wording import counted


def _settings():
    from config.settings import load_settings

    return load_settings()


def _sessions():
    return make_sessionmaker(make_engine(_settings().database_url))


@click.group()
def main() -> None:
    """okrsync: OKRs mirrored into Jira and Linear."""


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--workers", default=None, type=int, help="gunicorn processes (default: 1 embedded, one per core and at least 2 with Redis)")
def serve(host: str, port: int, workers: int | None) -> None:
    """Run the web app under gunicorn."""
    from okrsync.serve import run_gunicorn

    run_gunicorn(host, port, workers)


@main.command()
@click.option("--burst", is_flag=True, help="exit when the queues are empty")
def worker(burst: bool) -> None:
    """Run an RQ worker (with scheduler) for the default and analysis queues."""
    from okrsync.app import create_app
    from plumbing.worker_supervision import work_through_outages

    app = create_app()
    if not app.config["SETTINGS"].redis_url:
        raise click.ClickException("OKRSYNC_REDIS_URL is not set: embedded mode runs jobs in `serve`")
    if not burst:
        from plumbing.sweeper import start_sweeper_thread

        start_sweeper_thread(app)  # re-queues deliveries a Redis outage or a dead worker left behind
        from sync.reconcile.scheduler import start_scheduling

        start_scheduling(app)  # the periodic reconcile tick chain on RQ's scheduler
    work_through_outages(app, burst=burst)  # waits out Redis outages, reconnects, goes on


@main.command()
@click.option("--retry-failed", is_flag=True, help="also give failed deliveries another round")
def sweep(retry_failed: bool) -> None:
    """Queue webhook deliveries that were stored but never processed."""
    from okrsync.app import create_app
    from plumbing.sweeper import retry_failed_deliveries, sweep as sweep_deliveries

    # This command sweeps once itself: no background sweeper thread in this process.
    with create_app({"WEBHOOK_SWEEPER": False}).app_context():
        queued = sweep_deliveries()
        retried = retry_failed_deliveries() if retry_failed else 0
    click.echo(f"queued {queued} pending and {retried} failed deliveries")


@main.group()
def db() -> None:
    """Database migrations."""


@db.command()
def upgrade() -> None:
    """Apply every Alembic migration."""
    from okrsync.dbmigrate import upgrade as run_upgrade

    run_upgrade(_settings().database_url)
    click.echo("database is up to date")


@main.command()
@click.option("--reset", is_flag=True, help="load even when the database already has data")
def demo(reset: bool) -> None:
    """Load a believable demo company, cycle, OKRs, linked work and check-in history."""
    from config.secrets import SecretBox
    from okrsync.demo import load_demo

    box = SecretBox(_settings().encryption_keys)
    with session_scope(_sessions()) as session:
        summary = load_demo(session, force=reset, progress=lambda msg: click.echo(msg, err=True),
                            encrypt=box.encrypt)
        login = _demo_login(session)
    _analyse_demo()
    click.echo(summary)
    if login:
        click.echo(f"sign in at {_settings().base_url}/login as {login[0]} with password {login[1]} "
                   f"(also in {_settings().instance_path / 'demo-login.txt'})")


def _analyse_demo() -> None:
    """Run the analysis of every active cycle once, so the dashboard shows one from the start."""
    from okr_core.domain import CycleStatus
    from okr_core.models import Analysis, Cycle
    from okrsync.app import create_app
    from sync.analysis.jobs import refresh_cycle_analyses

    app = create_app()
    with app.app_context(), session_scope(_sessions()) as session:
        cycles = session.scalars(select(Cycle.id).where(Cycle.status == CycleStatus.ACTIVE)).all()
        analysed = set(session.scalars(select(Analysis.cycle_id)).all())
    with app.app_context():
        for cycle_id in sorted(set(cycles) - analysed):
            click.echo(f"analysing cycle {cycle_id}", err=True)
            refresh_cycle_analyses(cycle_id)


def _demo_login(session) -> tuple[str, str] | None:
    """Give the demo's admin a random password once, kept in the instance folder."""
    import secrets

    from okrsync.demo import DEMO_ADMIN_EMAIL

    user = session.scalar(select(User).where(User.email == DEMO_ADMIN_EMAIL))
    path = _settings().instance_path / "demo-login.txt"
    if user is None:
        return None
    if user.password_hash and path.exists():
        return DEMO_ADMIN_EMAIL, path.read_text().split()[-1]
    password = secrets.token_urlsafe(12)
    user.password_hash = hash_password(password)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"{DEMO_ADMIN_EMAIL} {password}\n")
    path.chmod(0o600)
    return DEMO_ADMIN_EMAIL, password


@main.group()
def admin() -> None:
    """Administrator accounts."""


@admin.command("create")
@click.option("--email", required=True)
@click.option("--password", default=None, help="prompted for when not given")
@click.option("--name", default=None)
def admin_create(email: str, password: str | None, name: str | None) -> None:
    """Create an admin account (or make an existing user admin and set the password)."""
    if password is None:
        password = getpass.getpass("Password: ")
        if password != getpass.getpass("Repeat: "):
            raise click.ClickException("the passwords differ")
    if len(password) < 10:
        raise click.ClickException("the password needs at least 10 characters")
    email = email.strip().lower()
    with session_scope(_sessions()) as session:
        user = session.scalar(select(User).where(User.email == email))
        if user is None:
            user = User(email=email, name=name or email.split("@")[0])
            session.add(user)
        user.role, user.password_hash, user.active = Role.ADMIN, hash_password(password), True
    click.echo(f"admin {email} is ready")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create")
@click.option("--user", "email", required=True, help="the user's email")
@click.option("--name", default="cli")
def token_create(email: str, name: str) -> None:
    """Create an API token; it is printed once, as the last word of the output."""
    with session_scope(_sessions()) as session:
        user = session.scalar(select(User).where(User.email == email.strip().lower()))
        if user is None:
            raise click.ClickException(f"no user with email {email}")
        value = new_token()
        session.add(ApiToken(user_id=user.id, name=name, token_hash=hash_token(value),
                             prefix=value[:10]))
    click.echo(f"token for {email} (shown once): {value}")


@main.command()
@click.option("--connection", "connection_id", type=int, default=None, help="only this connection")
@click.option("--full", is_flag=True, help="re-read every item, so items that left a link stop counting")
def reconcile(connection_id: int | None, full: bool) -> None:
    """Reconcile now, in this process, with a progress bar."""
    from tqdm import tqdm

    from okr_core.models import Connection
    from okrsync.app import create_app
    from plumbing.db import job_session
    from sync.reconcile.passes import reconcile_connection
    from sync.reconcile.lock import PassAlreadyRunning

    with create_app().app_context():
        with job_session() as session:
            ids = session.scalars(select(Connection.id).order_by(Connection.id)).all()
        if connection_id is not None:
            if connection_id not in ids:
                raise click.ClickException(f"no connection {connection_id}")
            ids = [connection_id]
        failed = 0
        for cid in ids:
            with tqdm(desc=f"connection {cid}", unit=" items", file=sys.stderr) as bar:
                try:
                    counts = reconcile_connection(cid, full=full, progress=bar.update)
                except PassAlreadyRunning:
                    failed += 1
                    bar.write(f"connection {cid}: a pass is already running, skipped")
                    continue
            click.echo(f"connection {cid}: {counts.items_read} read, {counts.items_changed} changed, "
                       f"{counted(counts.key_results_moved, 'key result')} moved")
        if failed:
            raise click.ClickException(f"{failed} connection(s) were busy")


@main.group()
def checkins() -> None:
    """Weekly check-ins."""


@checkins.command("draft")
@click.option("--cycle", "cycle_id", type=int, default=None, help="only this cycle (default: every active one)")
def checkins_draft(cycle_id: int | None) -> None:
    """Draft this week's check-ins now (what the schedule does at each team's check-in time)."""
    from tqdm import tqdm

    from okr_core.models import Cycle
    from okrsync.app import create_app
    from plumbing.db import job_session
    from sync.checkins.drafts import draft_check_ins

    with create_app().app_context():
        if cycle_id is not None:
            with job_session() as session:
                if session.get(Cycle, cycle_id) is None:
                    raise click.ClickException(f"no cycle {cycle_id}")
        with tqdm(desc="drafting check-ins", unit=" drafts", file=sys.stderr) as bar:
            def progress(done: int, total: int) -> None:
                bar.total = total
                bar.update(1)
            run = draft_check_ins(cycle_id, force=True, progress=progress)
        click.echo(f"{run.created} check-ins drafted, {run.skipped} drafted already")


@main.group()
def notify() -> None:
    """Reminders and digests."""


@notify.command("send")
@click.option("--dry-run", is_flag=True, help="list what is due now without sending it")
def notify_send(dry_run: bool) -> None:
    """Send the reminders and digests due now (what the scheduler does each minute)."""
    from okrsync.app import create_app
    from okr_core.models import User
    from plumbing.db import job_session
    from sync.notify.content import KIND_LABELS
    from sync.notify.jobs import list_due, queue_due_notifications

    app = create_app()
    with app.app_context():
        if dry_run:
            due = list_due()
            with job_session() as session:
                names = {u.id: u.name for u in session.query(User).filter(
                    User.id.in_({d.user_id for d in due}))}
            for item in due:
                click.echo(f"{item.period}  {KIND_LABELS[item.kind]:<26} {item.channel:<6} "
                           f"{names.get(item.user_id, item.user_id)}")
            click.echo(f"{len(due)} message{'s' if len(due) != 1 else ''} due (dry run: nothing sent)")
            return
        ids = queue_due_notifications()
        queue = app.extensions["okrsync.queue"]
        if not app.config["SETTINGS"].redis_url:   # embedded: send before the command ends
            queue.drain(timeout=300, include_delayed=False)
            queue.shutdown()
        click.echo(f"{len(ids)} message{'s' if len(ids) != 1 else ''} queued"
                   + ("" if not app.config["SETTINGS"].redis_url else " for the workers"))


@main.group()
def keys() -> None:
    """Encryption keys of the secrets at rest."""


@keys.command("rotate")
def keys_rotate() -> None:
    """Re-encrypt every stored secret with the first key of OKRSYNC_ENCRYPTION_KEY."""
    from config.key_rotation import rotate_stored_secrets
    from config.secrets import SecretBox

    box = SecretBox(_settings().encryption_keys)
    with session_scope(_sessions()) as session:
        count = rotate_stored_secrets(session, box)
    click.echo(f"re-encrypted {count} stored secrets with the newest key")


if __name__ == "__main__":
    sys.exit(main())
