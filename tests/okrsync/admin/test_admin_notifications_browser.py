"""In Chromium, at 360 px and wide: the admin's email and Slack settings (errors beside the
fields, the test buttons, an unreachable server, a revoked token) and a person's Notifications
page with the unsubscribe link followed without signing in."""
from __future__ import annotations


import pytest
import responses

from okr_core.domain import Role
from okr_core.models import User
from okr_core.store import session_scope
from sync.notify.links import unsubscribe_url
from tests.okrsync.admin.conftest import PLANTED
from tests.okrsync.admin.test_admin_browser import database_url  # noqa: F401 (fixture)
from tests.okrsync.admin.web import PASSWORD, make_user
from tests.sync.notify.smtp_inbox import SmtpServer, free_port
from tests.ui_panel.live_server import screenshot, serve_url

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NARROW, WIDE = {"width": 360, "height": 900}, {"width": 1280, "height": 900}


def sign_in(page, base: str, email: str, target: str) -> None:
    page.goto(f"{base}{target}")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base}{target}")


def beside(page, field_id: str) -> str:
    """The error text inside the field's own block."""
    return page.locator(f".field:has(#{field_id}) .field-error").inner_text()


def test_the_admin_sets_up_email_and_slack_and_sees_each_failure_in_words(app, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.set_viewport_size(NARROW)
    app.config["OUTBOUND_RESOLVER"] = lambda host, port: ["34.120.1.1"]
    email = make_user(app, Role.ADMIN)
    with SmtpServer() as smtp, serve_url(app) as base, \
            responses.RequestsMock(assert_all_requests_are_fired=False) as slack:
        sign_in(page, base, email, "/admin/notifications")
        page.fill("#host", "smtp://mail example")
        page.fill("#port", "70000")
        page.fill("#mail_from", "not an address")
        page.click("text=Save email settings")
        expect(page.locator(".field:has(#host) .field-error")).to_contain_text("without scheme or port")
        assert beside(page, "port") == "A port between 1 and 65535."
        assert beside(page, "mail_from") == "Enter an email address such as okrs@example.com."
        assert page.input_value("#host") == "smtp://mail example"      # what was typed stays
        screenshot(page, "admin-notifications-errors-360")

        page.fill("#host", "127.0.0.1")
        page.fill("#port", str(smtp.port))
        page.select_option("#tls", "none")
        page.fill("#mail_from", "okrs@northwind.example")
        page.click("text=Save email settings")
        expect(page.get_by_role("status").first).to_have_text("Email settings saved.")
        page.click("text=Send test email")
        expect(page.locator("#email-result")).to_have_text(f"A test email went to {email}.")
        assert [rcpts for rcpts, _ in smtp.inbox.received] == [[email]]

        page.fill("#port", str(free_port()))
        page.click("text=Save email settings")
        page.click("text=Send test email")
        expect(page.locator("#email-result")).to_contain_text("could not be reached.")

        page.fill("#bot_token", "not-a-token")
        page.click("text=Save bot token and channel")
        assert beside(page, "bot_token") == "A Slack bot token starts with xoxb-."
        page.fill("#bot_token", PLANTED.slack_token)
        page.fill("#default_channel", "#okrs")
        page.click("text=Save bot token and channel")
        expect(page.locator("text=Slack settings saved.")).to_be_visible()
        assert page.input_value("#bot_token") == ""                     # never sent back
        slack.post("https://slack.com/api/chat.postMessage", json={"ok": False, "error": "token_revoked"})
        page.click("text=Send test message")
        expect(page.locator("#slack-result")).to_contain_text(
            "Slack refused the bot token (token_revoked): it was revoked or is wrong.")
        screenshot(page, "admin-notifications-slack-revoked-360")

        page.fill("#skip_days", "99")
        page.click("text=Save defaults")
        assert beside(page, "skip_days") == "Between 0 and 14 days."
        page.fill("#skip_days", "2")
        page.click("text=Save defaults")
        expect(page.get_by_role("status").first).to_have_text("Defaults saved.")
        assert page.input_value("#skip_days") == "2"
        assert page.locator("#checkin_weekday").count() == 0          # each team's day, not one for all
        screenshot(page, "admin-notifications-defaults-360")
        page.locator("p.hint a", has_text="Users & teams").click()
        page.wait_for_url(f"{base}/admin/people")
        page.goto(f"{base}/admin/notifications")
        assert page.input_value("#skip_days") == "2"
        page.set_viewport_size(WIDE)
        screenshot(page, "admin-notifications-wide")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
        assert PLANTED.slack_token not in page.content()


def test_a_person_chooses_channels_and_unsubscribes_through_the_emailed_link(app, browser):
    from playwright.sync_api import expect

    page = browser.new_page()
    page.set_viewport_size(NARROW)
    email = make_user(app, Role.MEMBER)
    with session_scope(app.extensions["okrsync.sessionmaker"]) as session:
        user_id = session.query(User).filter_by(email=email).one().id
    with serve_url(app) as base:
        sign_in(page, base, email, "/notifications")
        expect(page.get_by_role("heading", name="Notifications")).to_be_visible()
        assert page.is_checked("#email") and page.is_checked("#reminders")
        page.uncheck("#email")
        page.check("#slack")
        page.uncheck("#digests")
        page.click("text=Save notification settings")
        expect(page.get_by_role("status")).to_have_text("Your notification settings are saved.")
        page.goto(f"{base}/notifications")
        assert not page.is_checked("#email") and page.is_checked("#slack")
        assert not page.is_checked("#digests") and page.is_checked("#reminders")
        overflow = page.evaluate("document.documentElement.scrollWidth > window.innerWidth")
        assert not overflow
        screenshot(page, "notifications-preferences-360")
        page.check("#email")
        page.click("text=Save notification settings")

        stranger = page.context.browser.new_page(viewport=NARROW)        # not signed in
        link = unsubscribe_url(base, app.config["SETTINGS"].secret_key, user_id)
        stranger.goto(link + "x")
        expect(stranger.get_by_role("alert")).to_contain_text("The unsubscribe link is damaged")
        stranger.goto(link)
        stranger.click("button:has-text('Unsubscribe')")
        expect(stranger.get_by_role("heading", name="You are unsubscribed")).to_be_visible()
        screenshot(stranger, "notifications-unsubscribed-360")

        page.goto(f"{base}/notifications")
        expect(page.locator("text=You unsubscribed from emails.")).to_be_visible()
        assert not page.is_checked("#email")
        page.set_viewport_size(WIDE)
        screenshot(page, "notifications-preferences-wide")
