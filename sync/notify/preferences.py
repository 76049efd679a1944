"""One person's effective choices: their own row, else the admins' defaults."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from config.notification_settings import NotificationDefaults, load_defaults
from okr_core.models import NotificationPreference


@dataclass(frozen=True)
class Choices:
    email: bool
    slack: bool
    reminders: bool
    digests: bool
    unsubscribed: bool = False

    def wants(self, kind: str, channel: str) -> bool:
        wanted_kind = self.reminders if kind == "reminder" else self.digests
        wanted_channel = (self.email and not self.unsubscribed) if channel == "email" else self.slack
        return wanted_kind and wanted_channel


def choices_of(session: Session, user_id: int,
               defaults: NotificationDefaults | None = None) -> Choices:
    row = session.get(NotificationPreference, user_id)
    if row is None:
        d = defaults or load_defaults(session)
        return Choices(d.email, d.slack, d.reminders, d.digests)
    return Choices(row.email, row.slack, row.reminders, row.digests, row.unsubscribed_at is not None)


def preference_row(session: Session, user_id: int) -> NotificationPreference:
    """The person's row, made from the defaults the first time they choose."""
    row = session.get(NotificationPreference, user_id)
    if row is None:
        d = load_defaults(session)
        row = NotificationPreference(user_id=user_id, email=d.email, slack=d.slack,
                                     reminders=d.reminders, digests=d.digests)
        session.add(row)
    return row
