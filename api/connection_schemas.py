"""Bodies of the connections API: tracker credentials and settings in, never a secret out."""
from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import Field, StringConstraints, model_validator

from okr_core.domain import TrackerKind
from api.schemas import Body, Name, Out, not_null


class JiraCredentials(Body):
    email: Name | None = None
    api_token: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    personal_access_token: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None \
        = None

    @model_validator(mode="after")
    def _one_scheme(self):
        basic = self.email is not None and self.api_token is not None
        if basic == (self.personal_access_token is not None) or \
                (not basic and (self.email or self.api_token)):
            raise ValueError("give either {email, api_token} or {personal_access_token}")
        return self


class LinearCredentials(Body):
    api_key: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None
    oauth_token: Annotated[str, StringConstraints(min_length=1, max_length=2000)] | None = None

    @model_validator(mode="after")
    def _one_scheme(self):
        if (self.api_key is None) == (self.oauth_token is None):
            raise ValueError("give either {api_key} or {oauth_token}")
        return self


Secret = Annotated[str, StringConstraints(min_length=16, max_length=500)]
# An absolute http(s) URL; whether it may be called (https, public, or allowlisted) is checked
# against the allowlist and DNS, which no document can say.
Url = Annotated[str, StringConstraints(strip_whitespace=True, min_length=8, max_length=500,
                                       pattern=r"^https?://[^/?#@\s\u0000]+[^\u0000]*$")]


class ConnectionCreate(Body):
    tracker: TrackerKind
    name: Name
    base_url: Url
    credentials: dict
    webhook_secret: Secret | None = None
    settings: dict = {}


class ConnectionPatch(Body):
    name: Name = not_null()
    base_url: Url = not_null()
    credentials: dict = not_null()
    # A connection always has a secret: it may be replaced, never cleared (SPEC section 4).
    webhook_secret: Secret = not_null()
    settings: dict = not_null()


class ConnectionOut(Out):
    id: int
    tracker: TrackerKind
    name: str
    base_url: str
    settings: dict
    webhook_url: str
    has_webhook_secret: bool
    credential_kind: str
    cloud_id: str | None = Field(None, description="The Jira Cloud site this connection reads; "
                                 "the Jira app is served only from an installation on it")
    created_at: datetime


class ConnectionCreatedOut(ConnectionOut):
    # The secret okrsync generated when none was given, shown this once; null otherwise.
    generated_webhook_secret: str | None


class ConnectionTestOut(Out):
    ok: bool
    message: str
    checks: list[dict] = []
