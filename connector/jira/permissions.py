"""Jira connection test: who the credentials belong to and which permissions are missing."""
from __future__ import annotations

from connector.base import ConnectionCheck
from connector.errors import AuthenticationFailed, NotFound, PermissionDenied, TrackerError

# What okrsync does in Jira: read issues, create epics/KR issues, edit them, comment, link.
# https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-permissions/#api-rest-api-3-mypermissions-get
NEEDED_PERMISSIONS = ("BROWSE_PROJECTS", "CREATE_ISSUES", "EDIT_ISSUES", "ADD_COMMENTS", "LINK_ISSUES")


def check_connection(http, api: str, timezone: str = "UTC") -> ConnectionCheck:
    """Authenticate with /myself, then ask /mypermissions; every failure becomes a message."""
    try:
        me = http.call("GET", f"{api}/myself")
        if not isinstance(me, dict):
            return ConnectionCheck(False, problems=("Jira /myself answered something that is not a user.",))
        account = me.get("displayName") or me.get("emailAddress") or me.get("accountId") or me.get("name")
        granted = http.call("GET", f"{api}/mypermissions", params={"permissions": ",".join(NEEDED_PERMISSIONS)})
    except AuthenticationFailed:
        return ConnectionCheck(False, problems=(
            "Jira rejected the credentials (401): check the email and API token, or the personal access token.",))
    except PermissionDenied as denied:
        return ConnectionCheck(False, problems=(
            f"Jira refused access (403): the account may be locked or lack 'Browse users' / site access. {denied}",))
    except NotFound:
        return ConnectionCheck(False, problems=(
            f"No Jira REST API at {http.base_url}: check the base URL and the deployment (cloud / datacenter).",))
    except TrackerError as failure:
        return ConnectionCheck(False, problems=(f"Could not talk to Jira: {failure}",))
    missing = tuple(p for p in NEEDED_PERMISSIONS if not _has(granted, p))
    problems = tuple(f"The account lacks the Jira permission {p}." for p in missing)
    return ConnectionCheck(not missing, account=account, problems=problems, missing_permissions=missing,
                           warnings=_time_zone_warning(me.get("timeZone"), timezone))


def _time_zone_warning(account_zone: str | None, configured: str) -> tuple[str, ...]:
    """JQL dates are read in the account's zone; a different setting makes increments misaligned."""
    if not account_zone or account_zone == configured:
        return ()
    return (f"The Jira account's time zone is {account_zone} but the connection setting 'timezone' is "
            f"{configured}: set it to {account_zone} so incremental searches start at the right minute.",)


def _has(granted, permission: str) -> bool:
    entry = (granted or {}).get("permissions", {}).get(permission) if isinstance(granted, dict) else None
    return bool(entry and entry.get("havePermission"))
