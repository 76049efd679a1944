"""What the admins set for reminders and digests: the SMTP server, Slack, and everyone's defaults.

Stored like the other instance settings: each save is an audit entry whose detail is the new
value (secrets encrypted with the secret box), so the newest entry is in force.
`OKRSYNC_SMTP_URL` and `OKRSYNC_MAIL_FROM` are the defaults until an admin saves SMTP settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

from sqlalchemy.orm import Session

from config.audit import latest_entry, record_audit
from config.secrets import SecretBox
from config.settings import Settings

SMTP_ACTION = "settings.smtp"
SLACK_ACTION = "settings.slack"
DEFAULTS_ACTION = "settings.notification_defaults"

TLS_MODES = ("none", "starttls", "ssl")


class SmtpUrlError(ValueError):
    """OKRSYNC_SMTP_URL is not an smtp:// or smtps:// URL (the message never repeats the URL)."""


@dataclass(frozen=True)
class SmtpSettings:
    """Where email goes out; `password` is decrypted and must stay in memory."""

    host: str = ""
    port: int = 25
    tls: str = "none"
    username: str = ""
    password: str = field(default="", repr=False)
    mail_from: str = ""
    from_admin: bool = False

    @property
    def configured(self) -> bool:
        return bool(self.host and self.mail_from)


def parse_smtp_url(url: str) -> SmtpSettings:
    """`smtp://user:pass@host:port` (STARTTLS when it carries a user, else plain) or `smtps://`
    (TLS from the first byte)."""
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError:
        raise SmtpUrlError("OKRSYNC_SMTP_URL is not a valid URL") from None
    if parts.scheme not in ("smtp", "smtps") or not parts.hostname:
        raise SmtpUrlError("OKRSYNC_SMTP_URL must look like smtp://user:pass@host:port or smtps://…")
    username = unquote(parts.username or "")
    tls = "ssl" if parts.scheme == "smtps" else ("starttls" if username else "none")
    return SmtpSettings(host=parts.hostname, port=port or (465 if tls == "ssl" else 587 if username else 25),
                        tls=tls, username=username, password=unquote(parts.password or ""))


def env_smtp_settings(settings: Settings) -> SmtpSettings:
    """The defaults from the environment (empty when OKRSYNC_SMTP_URL is unset or malformed)."""
    try:
        base = parse_smtp_url(settings.smtp_url) if settings.smtp_url else SmtpSettings()
    except SmtpUrlError:
        base = SmtpSettings()
    return SmtpSettings(base.host, base.port, base.tls, base.username, base.password,
                        settings.mail_from or "")


def load_smtp_settings(session: Session, settings: Settings, box: SecretBox) -> SmtpSettings:
    """The admin's SMTP settings when saved, else those from the environment."""
    entry = latest_entry(session, SMTP_ACTION)
    if entry is None:
        return env_smtp_settings(settings)
    d = entry.detail or {}
    # No password saved here: the one from OKRSYNC_SMTP_URL stays in force, unless removed.
    password = box.decrypt(d.get("password_encrypted", "")) or (
        "" if d.get("password_cleared") else env_smtp_settings(settings).password)
    return SmtpSettings(d.get("host", ""), int(d.get("port") or 25), d.get("tls", "none"),
                        d.get("username", ""), password, d.get("mail_from", ""), True)


def save_smtp_settings(session: Session, actor_id: int, box: SecretBox, values: SmtpSettings,
                       new_password: str | None, clear_password: bool = False) -> None:
    """Record new SMTP settings; a blank `new_password` keeps the stored one."""
    previous = latest_entry(session, SMTP_ACTION)
    encrypted = (previous.detail or {}).get("password_encrypted", "") if previous else ""
    if new_password:
        encrypted = box.encrypt(new_password)
    if clear_password:
        encrypted = ""
    cleared = clear_password or bool(previous and (previous.detail or {}).get("password_cleared")
                                     and not new_password)
    record_audit(session, actor_id, SMTP_ACTION, "smtp", {
        "password_cleared": cleared,
        "host": values.host, "port": values.port, "tls": values.tls, "username": values.username,
        "mail_from": values.mail_from, "password_changed": bool(new_password) or clear_password,
        "password_encrypted": encrypted})


@dataclass(frozen=True)
class SlackTeam:
    """A team's own destination: an incoming webhook (decrypted) or a channel for the bot."""

    webhook_url: str = field(default="", repr=False)
    channel: str = ""


@dataclass(frozen=True)
class SlackSettings:
    bot_token: str = field(default="", repr=False)
    default_channel: str = ""
    teams: dict[int, SlackTeam] = field(default_factory=dict)

    def destination(self, team_id: int | None) -> SlackTeam | None:
        """Where a message for someone of this team goes: the team's webhook, else the bot in
        the team's channel or the default one; None when Slack is not set up for them."""
        team = self.teams.get(team_id) if team_id is not None else None
        if team and team.webhook_url:
            return team
        channel = (team.channel if team else "") or self.default_channel
        return SlackTeam(channel=channel) if self.bot_token and channel else None

    @property
    def configured(self) -> bool:
        return bool((self.bot_token and self.default_channel)
                    or any(t.webhook_url or (self.bot_token and t.channel) for t in self.teams.values()))


def _slack_detail(session: Session) -> dict:
    entry = latest_entry(session, SLACK_ACTION)
    return dict(entry.detail or {}) if entry else {}


def load_slack_settings(session: Session, box: SecretBox) -> SlackSettings:
    d = _slack_detail(session)
    teams = {int(k): SlackTeam(box.decrypt(v.get("webhook_encrypted", "")), v.get("channel", ""))
             for k, v in (d.get("teams") or {}).items()}
    return SlackSettings(box.decrypt(d.get("bot_token_encrypted", "")),
                         d.get("default_channel", ""), teams)


def save_slack_bot(session: Session, actor_id: int, box: SecretBox, default_channel: str,
                   new_token: str | None, clear_token: bool = False) -> None:
    """The bot token (blank keeps the stored one) and the default channel."""
    d = _slack_detail(session)
    if new_token:
        d["bot_token_encrypted"] = box.encrypt(new_token)
    if clear_token:
        d["bot_token_encrypted"] = ""
    d["default_channel"] = default_channel
    d["token_changed"] = bool(new_token) or clear_token
    record_audit(session, actor_id, SLACK_ACTION, "slack", d)


def save_slack_team(session: Session, actor_id: int, box: SecretBox, team_id: int, channel: str,
                    new_webhook: str | None, clear_webhook: bool = False) -> None:
    """One team's webhook (blank keeps the stored one) and channel."""
    d = _slack_detail(session)
    teams = dict(d.get("teams") or {})
    team = dict(teams.get(str(team_id)) or {})
    if new_webhook:
        team["webhook_encrypted"] = box.encrypt(new_webhook)
    if clear_webhook:
        team["webhook_encrypted"] = ""
    team["channel"] = channel
    teams[str(team_id)] = team
    d.update(teams=teams, token_changed=False, webhook_changed=bool(new_webhook) or clear_webhook)
    record_audit(session, actor_id, SLACK_ACTION, f"slack team {team_id}", d)


def slack_secrets(session: Session, box: SecretBox) -> list[str]:
    """Every Slack secret stored (for the log scrubber)."""
    slack = load_slack_settings(session, box)
    return [slack.bot_token, *(t.webhook_url for t in slack.teams.values())]


@dataclass(frozen=True)
class NotificationDefaults:
    """What a person gets until they choose (when check-ins are due is each team's setting)."""

    email: bool = True
    slack: bool = False
    reminders: bool = True
    digests: bool = True
    skip_days: int = 3     # no reminder for a KR checked in within this many days


def load_defaults(session: Session) -> NotificationDefaults:
    """The newest saved defaults; keys it does not know (an instance-wide `checkin_weekday` from
    before check-in days were per team) are ignored."""
    entry = latest_entry(session, DEFAULTS_ACTION)
    if entry is None:
        return NotificationDefaults()
    d = entry.detail or {}
    base = NotificationDefaults()
    return NotificationDefaults(**{name: d.get(name, getattr(base, name)) for name in vars(base)})


def save_defaults(session: Session, actor_id: int, defaults: NotificationDefaults) -> None:
    record_audit(session, actor_id, DEFAULTS_ACTION, "notification defaults", vars(defaults).copy())
