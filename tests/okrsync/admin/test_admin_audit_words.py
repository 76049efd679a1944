"""The audit log reads as sentences: actions, subjects by name and details in words, never the
stored action names, "user 5"-like ids, keys or dicts."""
from __future__ import annotations

from sqlalchemy import select

from config.audit import record_audit
from config.notification_settings import SLACK_ACTION, SMTP_ACTION
from okr_core.domain import TeamKind
from okr_core.models import Team, User
from tests.okrsync.admin.web import post_form


def test_tokens_slack_channels_and_smtp_read_as_words(admin_client, db):
    team = Team(name="Web crew", kind=TeamKind.TEAM)
    db.add(team)
    db.flush()
    me = db.scalar(select(User).order_by(User.id))
    record_audit(db, me.id, SLACK_ACTION, f"slack team {team.id}", {
        "teams": {str(team.id): {"channel": "#web-okrs", "webhook_encrypted": "sealed"}},
        "token_changed": False, "webhook_changed": True})
    record_audit(db, me.id, SMTP_ACTION, "smtp", {"host": "mail.example", "tls": "starttls",
                                                  "mail_from": "okr@example.com", "password_changed": True})
    record_audit(db, me.id, "user.role-changed", "user 424242", {"role": "member"})
    db.commit()
    post_form(admin_client, "/admin/tokens", "/admin/tokens", user_id=str(me.id), name="ci bot")
    html = admin_client.get("/admin/audit").get_data(as_text=True)
    table = html.split('id="audit"')[1].split("</table>")[0]
    assert "API token created" in table and '<td data-label="Subject">ci bot</td>' in table and f"user: {me.name}" in table
    assert "Slack for Web crew" in table and "Web crew: channel #web-okrs" in table
    assert "team webhook changed: yes" in table and "bot token changed: no" in table
    assert "Email server saved" in table and "encryption: STARTTLS (port 587)" in table
    assert "sender: okr@example.com" in table and "a removed user" in table and "role: Member" in table
    for raw in ("token.created", "settings.slack", "user_id", "mail_from", "{", "True", "False",
                "slack team", "starttls", "sealed", "user 424242"):
        assert raw not in table, raw
