"""Real HTTP servers for browser tests: the okrsync app and tiny parent pages that frame it."""
from __future__ import annotations

import os
import shutil
import threading
from contextlib import contextmanager
from pathlib import Path

from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from tests.ui_panel.forge_tokens import QuietHandler

SCREENSHOTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"
# Debian's Chromium (scripts/ensure-chromium.sh installs it); OKRSYNC_CHROMIUM points elsewhere.
CHROMIUM = os.environ.get("OKRSYNC_CHROMIUM") or shutil.which("chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@contextmanager
def serve(wsgi_app, host: str = "127.0.0.1"):
    """Serve a WSGI app on a free port in a thread; yields the port."""
    server = make_server(host, 0, wsgi_app, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_port
    finally:
        server.shutdown()
        thread.join(5)


@contextmanager
def serve_url(wsgi_app):
    """Serve a WSGI app on a free local port in a thread; yields its base URL."""
    with serve(wsgi_app) as port:
        yield f"http://127.0.0.1:{port}"


def framing_page(src: str):
    """A WSGI app whose only page embeds `src` in an iframe."""
    html = (f'<!doctype html><title>tracker</title><h1>Tracker issue</h1>'
            f'<iframe id="okrsync" src="{src}" width="800" height="600"></iframe>')

    @Request.application
    def app(_request):
        return Response(html, content_type="text/html")

    return app


def screenshot(page, name: str) -> Path:
    """Save a full-page screenshot as a test artefact."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    path = SCREENSHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def signed_in_page(browser, live: str, email: str, password: str, viewport: dict):
    """(context, page) of a browser signed in through the login page; close the context after."""
    context = browser.new_context(viewport=viewport)
    page = context.new_page()
    page.goto(f"{live}/login")
    page.fill("#email", email)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{live}/")
    return context, page
