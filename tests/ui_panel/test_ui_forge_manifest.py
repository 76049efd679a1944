"""The Jira Forge app: built with esbuild and validated by Atlassian's @forge/manifest."""
from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

import pytest

FORGE = Path(__file__).resolve().parents[2] / "ui_panel" / "forge"
pytestmark = [pytest.mark.slow,
              pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm")]


def _run(*command: str, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run(command, cwd=FORGE, capture_output=True, text=True, timeout=300,
                          check=check)


@pytest.fixture(scope="module")
def built_app():
    """node_modules from the lock file (installed once: `npm ci`), then the Custom UI build."""
    if not (FORGE / "node_modules" / "@forge" / "manifest").is_dir():
        _run("npm", "ci", "--no-audit", "--no-fund")
    _run("npm", "run", "build")
    return FORGE / "static" / "build"


def _validate(manifest: Path) -> tuple[int, dict]:
    result = _run("node", "scripts/validate-manifest.js", str(manifest), check=False)
    return result.returncode, json.loads(result.stdout)


def test_the_manifest_passes_forge_validation(built_app):
    assert {p.name for p in built_app.iterdir()} >= {"index.html", "app.js", "panel.css",
                                                      "icon.svg"}
    code, report = _validate(FORGE / "manifest.yml")
    assert (code, report["errors"]) == (0, [])
    assert report["modules"] == ["jira:issuePanel", "jira:projectPage", "endpoint"]


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
    assert "invokeRemote" in (built_app / "app.js").read_text()
