"""The Jira app's Custom UI in Chromium, served locally with a stub Forge bridge that forwards
invokeRemote to a live okrsync with real signed tokens: each answer in words, in Jira's light and
dark themes (Atlassian's own token CSS from @atlaskit/tokens, as Jira injects it)."""
from __future__ import annotations

import json
import shutil
from datetime import date, datetime, timezone
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from werkzeug.middleware.shared_data import SharedDataMiddleware

from okr_core.models import CheckIn, CheckInDraft, KeyResult, User, WorkItem
from tests.ui_panel.conftest import ACCOUNT, linked_issue
from tests.ui_panel.forge_app import build_app, forge_folder_alone, npm_run
from tests.ui_panel.forge_tokens import SITE, SITE_URL
from tests.ui_panel.live_server import screenshot, serve

STUB_BRIDGE = (Path(__file__).parent / "forge_stub_bridge.js").read_text()
THEMES = {"light": ("atlassian-light", "rgb(41, 42, 46)"),   # --ds-text, light: #292A2E
          "dark": ("atlassian-dark", "rgb(206, 207, 210)")}  # --ds-text, dark: #CECFD2
pytestmark = [pytest.mark.browser, pytest.mark.slow,
              pytest.mark.skipif(shutil.which("npm") is None, reason="needs node and npm"),
              pytest.mark.parametrize("database_url", ["sqlite"], indirect=True)]


def _node(*args: str) -> str:
    return npm_run("node", *args).stdout


@pytest.fixture(scope="module")
def built_ui():
    with forge_folder_alone():   # the module's whole run: see forge_folder_alone
        yield build_app()


@pytest.fixture(scope="module")
def theme_css(built_ui):
    """Atlassian's theme CSS per colour mode (colours, spacing, typography, shape)."""
    def css(name: str) -> str:
        return _node("-e", "process.stdout.write(require('@atlaskit/tokens/dist/cjs/artifacts/"
                     f"themes/{name}.js').default)")
    shared = "".join(css(n) for n in ("atlassian-spacing", "atlassian-typography",
                                      "atlassian-shape"))
    return {mode: css(theme) + shared for mode, (theme, _) in THEMES.items()}



@pytest.fixture
def remote(app, forge, built_ui):
    """okrsync and the built Custom UI on one origin (Forge proxies the calls; no CORS here)."""
    combined = SharedDataMiddleware(app.wsgi_app, {"/forge-ui": str(built_ui)})
    with serve(combined) as port:
        yield f"http://127.0.0.1:{port}"


def _unlinked_issue_key(db, connection_id: int) -> str:
    """A synced issue that counts toward no key result."""
    db.add(WorkItem(connection_id=connection_id, external_id="quiet-1", key="PLAT-9001",
                    title="Tidy the build", status_category="todo",
                    tracker_updated_at=datetime.now(timezone.utc)))
    db.commit()
    return "PLAT-9001"


def _show(browser, remote, theme_css, mode, *, signer, claims, extension, down=False):
    context = browser.new_context(viewport={"width": 420, "height": 400},
                                  color_scheme="dark" if mode == "dark" else "light")
    page = context.new_page()
    stub = {"colorMode": mode, "themeCss": theme_css[mode], "token": signer.token(claims),
            "remoteBaseUrl": "http://127.0.0.1:9" if down else remote,
            "context": {"cloudId": SITE, "siteUrl": SITE_URL, "extension": extension}}
    page.add_init_script(f"window.__OKRSYNC_STUB__ = {json.dumps(stub)};\n{STUB_BRIDGE}")
    page.goto(f"{remote}/forge-ui/index.html")
    page.wait_for_selector("#root .notice, #root .kr, #root .objective")
    return context, page


def _issue(key):
    return {"type": "jira:issuePanel", "issue": {"key": key}}


@pytest.mark.parametrize("mode", sorted(THEMES))
def test_each_answer_reads_in_words_in_both_themes(browser, remote, theme_css, db, forge, mode):
    connection_id, key, kr_title = linked_issue(db)
    quiet_key = _unlinked_issue_key(db, connection_id)
    kr = db.scalar(select(KeyResult).where(KeyResult.title == kr_title))
    kr.owner_id = db.scalar(select(User.id).where(User.jira_account_id == ACCOUNT))
    db.commit()
    ok = forge.claims(ACCOUNT)
    cases = [
        ("krs", dict(claims=ok, extension=_issue(key)), [kr_title, "complete", "you own it"]),
        ("no-okrs", dict(claims=ok, extension=_issue(quiet_key)), ["No OKRs for this issue"]),
        ("not-synced", dict(claims=ok, extension=_issue("NOPE-404")),
         ["No OKRs for this issue yet", "has not synced this issue"]),
        ("not-linked", dict(claims=forge.claims("557058:nobody"),
                            extension=_issue(key)), ["not linked to okrsync yet"]),
        ("site-not-connected",
         dict(claims=forge.claims(ACCOUNT, site="cloud-2",
                                  installation="ari:cloud:ecosystem::installation/2"),
              extension=_issue(key)), ["This Jira site is not connected to okrsync"]),
        ("okrsync-down", dict(claims=ok, extension=_issue(key), down=True),
         ["okrsync is not answering right now"]),
        ("project", dict(claims=ok, extension={"type": "jira:projectPage",
                                              "project": {"key": "PLAT"}}),
         ["A sync engine that never loses an update", "Cycle:"]),
    ]
    for name, arrange, words in cases:
        context, page = _show(browser, remote, theme_css, mode, signer=forge, **arrange)
        text = page.inner_text("#root")
        for word in words:
            assert word in text, (name, text)
        assert "{" not in text and "error" not in text.lower(), (name, text)  # no raw JSON
        assert page.evaluate("getComputedStyle(document.body).color") == THEMES[mode][1]
        assert page.evaluate("document.documentElement.dataset.colorMode") == mode
        screenshot(page, f"forge-ui-{name}-{mode}")
        context.close()


def test_the_project_page_does_not_repeat_its_title(browser, remote, theme_css, forge):
    context, page = _show(browser, remote, theme_css, "light", signer=forge,
                          claims=forge.claims(ACCOUNT), extension={"type": "jira:projectPage", "project": {"key": "PLAT"}})
    assert page.locator("h1, h2").count() == 0  # Jira shows the module title "OKRs" above
    context.close()


def test_the_owner_approves_a_drafted_check_in_from_the_issue_panel(browser, remote, theme_css, db,
                                                                   forge):
    _, key, kr_title = linked_issue(db)
    kr = db.scalar(select(KeyResult).where(KeyResult.title == kr_title))
    kr.owner_id = db.scalar(select(User.id).where(User.jira_account_id == ACCOUNT))
    draft = CheckInDraft(key_result_id=kr.id, owner_id=kr.owner_id, week_start=date(2026, 11, 23),
                         suggested_status="on_track", note="Three issues done this week.")
    db.add(draft)
    db.commit()
    context, page = _show(browser, remote, theme_css, "light", signer=forge,
                          claims=forge.claims(ACCOUNT), extension=_issue(key))
    approve = page.get_by_role("button", name="Approve drafted check-in")
    assert page.get_by_role("link", name="Review or edit it in okrsync").is_visible()
    draft.state = "approved"   # approved in okrsync meanwhile: the panel's click is refused
    db.commit()
    approve.click()
    expect(page.locator(".draft .notice")).to_contain_text("This check-in was not approved")
    assert approve.is_enabled() and "{" not in page.inner_text("#root")
    screenshot(page, "forge-ui-draft-refused-light")
    draft.state = "waiting"
    db.commit()
    approve.click()
    expect(page.get_by_role("status")).to_contain_text("Check-in approved and sent to the tracker")
    assert page.locator(".draft .notice, .draft-approve").count() == 0
    screenshot(page, "forge-ui-draft-approved-light")
    context.close()
    db.expire_all()
    assert db.get(CheckInDraft, draft.id).state == "approved"
    assert db.scalar(select(CheckIn.note).where(CheckIn.key_result_id == kr.id)
                     .order_by(CheckIn.id.desc()).limit(1)) == "Three issues done this week."
