"""The Jira Forge app's folder for tests: node_modules from the lock file, npm scripts, the build."""
from __future__ import annotations

import fcntl
import os
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

FORGE = Path(__file__).resolve().parents[2] / "ui_panel" / "forge"
BASE_URL = "https://okrsync.acme.test"  # the https remote the build and validation require
# One package per part of package.json: when one is missing, `npm ci` runs again.
NPM_MARKERS = ("@forge/manifest", "@forge/lint", "@atlaskit/tokens", "esbuild")


def npm_run(*command: str, check: bool = True, base_url: str | None = BASE_URL,
            cwd: Path = FORGE) -> subprocess.CompletedProcess:
    """Run a command in the app's folder with OKRSYNC_BASE_URL set to `base_url` (None: unset)."""
    env = {k: v for k, v in os.environ.items() if k != "OKRSYNC_BASE_URL"}
    if base_url is not None:
        env["OKRSYNC_BASE_URL"] = base_url
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, timeout=300,
                          check=check, env=env)


@contextmanager
def forge_folder_alone() -> Iterator[None]:
    """Hold the app's folder alone (an exclusive lock on the folder) while a test module installs,
    builds and reads it: two xdist workers would otherwise run `npm ci` in one folder at once, or
    one would read static/build while the other's build rewrites it."""
    fd = os.open(FORGE, os.O_RDONLY)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)   # releases the lock


def build_app() -> Path:
    """Install node_modules once (`npm ci`, install scripts off by .npmrc), build the Custom UI."""
    if not all((FORGE / "node_modules" / name).is_dir() for name in NPM_MARKERS):
        npm_run("npm", "ci", "--no-audit", "--no-fund")
    npm_run("npm", "run", "build")
    return FORGE / "static" / "build"
