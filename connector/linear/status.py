"""Linear connection test: the key works and the workspace and a team are readable."""
from __future__ import annotations

from connector.base import ConnectionCheck
from connector.errors import AuthenticationFailed, PermissionDenied, TrackerError
from connector.linear.client import LinearGraphQL


def check_connection(graphql: LinearGraphQL) -> ConnectionCheck:
    """Query the viewer, organization and first team; each failure becomes a message."""
    try:
        data = graphql.execute("Viewer")
    except AuthenticationFailed:
        return ConnectionCheck(False, problems=(
            "Linear rejected the credentials: check the API key (sent bare) or OAuth token (sent as Bearer).",))
    except PermissionDenied as denied:
        return ConnectionCheck(False, problems=(
            f"Linear refused to show the workspace to this key: it needs the read scope. {denied}",))
    except TrackerError as failure:
        return ConnectionCheck(False, problems=(f"Could not talk to Linear: {failure}",))
    viewer = data.get("viewer") or {}
    account = viewer.get("email") or viewer.get("name")
    teams = ((data.get("teams") or {}).get("nodes")) or []
    if not teams:
        return ConnectionCheck(False, account=account, missing_permissions=("team access",), problems=(
            "The key sees no Linear team: okrsync needs access to the teams it mirrors into.",))
    return ConnectionCheck(True, account=account)
