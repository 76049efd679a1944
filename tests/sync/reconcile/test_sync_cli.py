"""`okrsync reconcile [--connection ID] [--full]` runs passes in the calling process."""
from __future__ import annotations

from urllib.parse import urlsplit

from click.testing import CliRunner

from okr_core.domain import LinkKind, TrackerKind
from okrsync.cli import main
from tests.sync.sync_world import expected_ratio, epic_children


def invoke(settings, encryption_key, sim, *args):
    env = {"OKRSYNC_OUTBOUND_ALLOWLIST": urlsplit(sim.url).netloc,"OKRSYNC_DATABASE_URL": settings.database_url, "OKRSYNC_ENCRYPTION_KEY": encryption_key,
           "OKRSYNC_INSTANCE_PATH": str(settings.instance_path), "OKRSYNC_SECRET_KEY": "cli-test",
           "OKRSYNC_REDIS_URL": None, "OKRSYNC_DOTENV": "/nonexistent/.env"}
    return CliRunner().invoke(main, ["reconcile", *args], env=env)


def test_reconcile_one_connection_fully_from_the_command_line(app, sim, jira, sync_world, settings,
                                                              encryption_key):
    kr = sync_world.linked_kr(jira, LinkKind.EPIC, "SIM-1")
    result = invoke(settings, encryption_key, sim, "--connection", str(jira), "--full")
    assert result.exit_code == 0, result.output
    assert f"connection {jira}: 300 read, 300 changed, 1 key result moved" in result.output
    row = sync_world.kr(kr)
    assert (row.items_done, row.items_total) == expected_ratio(sim, epic_children(sim, "SIM-1"))
    assert sync_world.sync_state(jira).last_kind == "full"


def test_every_connection_without_an_option_and_unknown_ones_refused(app, sim, sync_world, settings,
                                                                     encryption_key):
    first = sync_world.connection(TrackerKind.JIRA, sim.url)
    sync_world.team(first)   # homed in project SIM: a Jira pass reads what the connection tracks
    second = sync_world.connection(TrackerKind.LINEAR, sim.url)
    result = invoke(settings, encryption_key, sim)
    assert result.exit_code == 0, result.output
    assert f"connection {first}: 300 read" in result.output
    assert f"connection {second}: 300 read" in result.output
    refused = invoke(settings, encryption_key, sim, "--connection", "999")
    assert refused.exit_code != 0 and "no connection 999" in refused.output
