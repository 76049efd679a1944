"""From the connection form to stored fields: credentials merged with what is kept, URL checked."""
from __future__ import annotations

from pydantic import ValidationError

from okrsync.admin.forms import ConnectionForm
from config.urlsafety import UnsafeURL, check_outbound_url
from okr_core.domain import TrackerKind
from api.connection_schemas import JiraCredentials, LinearCredentials
from plumbing.services import allowlist

CREDENTIAL_MODELS = {TrackerKind.JIRA: JiraCredentials, TrackerKind.LINEAR: LinearCredentials}
FORM_FIELDS = {
    TrackerKind.JIRA: {"email": "jira_email", "api_token": "jira_api_token",
                       "personal_access_token": "jira_personal_access_token"},
    TrackerKind.LINEAR: {"api_key": "linear_api_key", "oauth_token": "linear_oauth_token"},
}
# A newly typed secret replaces the whole scheme; e.g. a PAT drops a stored email + API token.
SCHEMES = {"personal_access_token": ("personal_access_token",), "api_token": ("email", "api_token"),
           "email": ("email", "api_token"), "api_key": ("api_key",),
           "oauth_token": ("oauth_token",)}


def typed_credentials(form: ConnectionForm, tracker: TrackerKind) -> dict:
    return {key: getattr(form, field).data.strip() for key, field in FORM_FIELDS[tracker].items()
            if (getattr(form, field).data or "").strip()}


def merged_credentials(typed: dict, stored: dict) -> dict:
    """What was typed, completed from the stored credentials of the same scheme."""
    if not typed:
        return dict(stored)
    scheme = SCHEMES[next(iter(typed))]
    return {key: typed.get(key) or stored.get(key) for key in scheme
            if typed.get(key) or stored.get(key)}


def credential_error(tracker: TrackerKind, credentials: dict) -> str | None:
    """Why these credentials cannot work, or None."""
    try:
        CREDENTIAL_MODELS[tracker].model_validate(credentials)
    except ValidationError as exc:
        return "; ".join(error["msg"].removeprefix("Value error, ") for error in exc.errors())
    return None


def checked_base_url(form: ConnectionForm) -> str | None:
    """The base URL when outbound-safe; else the reason goes on the field and None comes back."""
    url = form.base_url.data.strip().rstrip("/")
    try:
        return check_outbound_url(url, tuple(allowlist()))
    except UnsafeURL as refused:
        form.base_url.errors.append(f"Refused: {refused}")
        return None
