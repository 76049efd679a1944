"""Facts about a Jira site okrsync needs before it searches: custom field ids and the API user's zone.

Asked once per connection (GET /field and GET /myself) and cached in the connection's settings
under `site_facts`, refreshed after `SITE_FACTS_HOURS` or on demand (sync/connections/site_facts.py).
- /field lists every field with its name; points live in "Story Points" or "Story point estimate":
  https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-fields/#api-rest-api-3-field-get
- /myself reports `timeZone`, the zone JQL date literals are read in:
  https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-myself/#api-rest-api-3-myself-get
"""
from __future__ import annotations

from dataclasses import asdict, dataclass, replace
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from connector.errors import MalformedResponse
from connector.jira.reading import POINTS_FIELD_NAMES

EPIC_LINK_FIELD_NAMES = ("Epic Link",)   # Data Center links stories to epics through this field
SITE_FACTS_HOURS = 24.0


@dataclass(frozen=True)
class SiteFacts:
    """What is known so far: points field ids (name order), Epic Link id, the user's zone.

    Each part is asked for only when first needed; None means not asked yet.
    """

    points_fields: tuple[str, ...] | None = None
    epic_link_field: str | None = None
    time_zone: str | None = None
    fetched_at: str = ""
    account_id: str | None = None   # okrsync's own account: deliveries it caused cost nothing

    def to_dict(self) -> dict:
        out = asdict(self)
        if self.points_fields is not None:
            out["points_fields"] = list(self.points_fields)
        return out

    @classmethod
    def from_dict(cls, stored, now: datetime, hours: float = SITE_FACTS_HOURS) -> "SiteFacts":
        """Facts cached in settings while fresh; empty facts when absent, stale or unreadable."""
        if not isinstance(stored, dict):
            return cls()
        try:
            fetched = datetime.fromisoformat(str(stored.get("fetched_at")))
        except ValueError:
            return cls()
        if fetched.tzinfo is None or now - fetched >= timedelta(hours=hours):
            return cls()
        points = stored.get("points_fields")
        zone = stored.get("time_zone")
        return cls(tuple(map(str, points)) if isinstance(points, list) else None,
                   stored.get("epic_link_field"), str(zone) if zone else None, fetched.isoformat(),
                   stored.get("account_id"))


def field_ids(fields: list, names: tuple[str, ...]) -> tuple[str, ...]:
    """Ids of the fields named like `names` (case-insensitive), in the order of `names`."""
    by_name: dict[str, list[str]] = {}
    for entry in fields:
        if isinstance(entry, dict) and entry.get("id"):
            by_name.setdefault(str(entry.get("name", "")).casefold(), []).append(str(entry["id"]))
    return tuple(i for name in names for i in by_name.get(name.casefold(), ()))


def known_zone(name, fallback: str) -> str:
    """`name` when it is an IANA zone this machine knows, else `fallback`."""
    try:
        ZoneInfo(str(name))
        return str(name)
    except (ZoneInfoNotFoundError, ValueError, TypeError):
        return fallback


def discover_fields(http, api: str) -> tuple[tuple[str, ...], str | None]:
    """One GET /field: every points field id, and the Epic Link field id (Data Center)."""
    fields = http.call("GET", f"{api}/field")
    if not isinstance(fields, list):
        raise MalformedResponse("Jira /field did not answer a list")
    epic = field_ids(fields, EPIC_LINK_FIELD_NAMES)
    return field_ids(fields, POINTS_FIELD_NAMES), (epic[0] if epic else None)


def discover_account(http, api: str, fallback: str) -> tuple[str, str | None]:
    """One GET /myself: the account's time zone (the setting `timezone` when it names none) and id."""
    me = http.call("GET", f"{api}/myself")
    if not isinstance(me, dict):
        return fallback, None
    account = me.get("accountId") or me.get("name")
    return known_zone(me.get("timeZone"), fallback), str(account) if account else None


def stamp(facts: SiteFacts, **learned) -> SiteFacts:
    """Facts with newly learned parts, stamped now."""
    return replace(facts, **learned, fetched_at=datetime.now(timezone.utc).isoformat())
