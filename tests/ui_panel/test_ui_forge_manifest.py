"""The Jira Forge app: built with esbuild and validated by Atlassian's @forge/manifest."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from tests.ui_panel.forge_app import FORGE, build_app, forge_folder_alone, npm_run

pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm")]


@pytest.fixture(scope="module")
def built_app():
    with forge_folder_alone():   # the module's whole run: see forge_folder_alone
        yield build_app()


def _lint(folder: Path = FORGE) -> tuple[int, dict, str]:
    """The Forge CLI's client-side linters (scripts/forge-lint.js): exit code, summary, report."""
    result = npm_run("node", "scripts/forge-lint.js", check=False, cwd=folder)
    return result.returncode, json.loads(result.stdout.strip().splitlines()[-1]), result.stdout


def test_the_forge_linters_pass(built_app):
    code, summary, report = _lint()
    assert (code, summary["errors"], summary["warnings"]) == (0, 0, 0), report
    assert {"FullManifestLinter", "InvokeEndpointLinter", "HandlerLinter"} <= set(summary["linters"])
    assert npm_run("npm", "run", "lint").returncode == 0


def test_the_forge_linters_catch_a_module_without_its_endpoint(built_app, tmp_path):
    for name in ("src", "scripts", "static"):
        shutil.copytree(FORGE / name, tmp_path / name)
    (tmp_path / "node_modules").symlink_to(FORGE / "node_modules")
    manifest = (FORGE / "manifest.yml").read_text()
    (tmp_path / "manifest.yml").write_text(
        manifest.replace("        endpoint: okrsync-remote", "        endpoint: nowhere"))
    code, summary, report = _lint(tmp_path)
    assert code == 1 and summary["errors"] == 2
    assert "references undefined endpoint module with key 'nowhere'" in report


def _validate(manifest: Path) -> tuple[int, dict]:
    result = npm_run("node", "scripts/validate-manifest.js", str(manifest), check=False)
    return result.returncode, json.loads(result.stdout)


def test_the_manifest_passes_forge_validation(built_app):
    assert {p.name for p in built_app.iterdir()} >= {"index.html", "app.js", "panel.css",
                                                      "icon.svg"}
    code, report = _validate(FORGE / "manifest.yml")
    assert (code, report["errors"]) == (0, [])
    assert report["modules"] == ["jira:issuePanel", "jira:projectPage", "endpoint"]


@pytest.mark.parametrize("base_url, reason", [
    (None, "OKRSYNC_BASE_URL is not set"), ("", "OKRSYNC_BASE_URL is not set"),
    ("http://okrsync.acme.test", "must use https://"),
    ("https://okrsync.example.com", "placeholder host"), ("not a url", "is not a URL")])
def test_the_build_and_validation_refuse_a_missing_or_plain_http_base_url(built_app, base_url,
                                                                          reason):
    for script in ("build", "validate"):
        result = npm_run("npm", "run", script, check=False, base_url=base_url)
        assert result.returncode != 0 and reason in result.stderr, (script, result.stderr)


def test_the_manifest_lets_the_issue_panel_size_itself(built_app):
    lines = [line for line in (FORGE / "manifest.yml").read_text().splitlines()
             if not line.lstrip().startswith("#")]
    assert not [line for line in lines if "viewportSize" in line or "example.com" in line]
    assert "    baseUrl: ${OKRSYNC_BASE_URL}" in lines


def test_a_broken_manifest_fails_forge_validation(built_app, tmp_path):
    broken = tmp_path / "manifest.yml"
    text = (FORGE / "manifest.yml").read_text()
    broken.write_text(text.replace("      title: OKRs this issue moves\n", ""))
    code, report = _validate(broken)
    assert code == 1 and "jira:issuePanel required properties" in report["errors"][0]["message"]


@pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)
def test_the_custom_ui_calls_endpoints_okrsync_serves(app, built_app):
    source = (FORGE / "src" / "index.js").read_text()
    paths = set(re.findall(r"'(/panel/forge/[a-z]+)'", source))
    served = {rule.rule for rule in app.url_map.iter_rules()}
    assert paths == {"/panel/forge/issue", "/panel/forge/project"} and paths <= served
    # The approval's path carries the draft's id: `/panel/forge/check-in-drafts/${draft.id}/approve`.
    assert "`/panel/forge/check-in-drafts/${draft.id}/approve`" in source
    assert "/panel/forge/check-in-drafts/<int:draft_id>/approve" in served
    assert "invokeRemote" in (built_app / "app.js").read_text()
