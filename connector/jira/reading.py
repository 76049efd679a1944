"""How a Jira issue's fields become progress: which status counts as done, which field holds points.

Done needs the done status category AND a resolution that is not one of the connection's
not-done resolutions: Jira's default workflows close "Won't Do", duplicates and the like in the
done category too. The resolution says how an issue ended and is empty until it is resolved
("Best practices on using the Resolution field",
https://confluence.atlassian.com/cloudkb/best-practices-on-using-the-resolution-field-968660796.html). Story points
live in "Story Points" (company-managed projects) or "Story point estimate" (team-managed ones);
a site may have both, each issue using one: the first populated field counts, unless the admin
pinned one field in the mapping settings.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Mapping

from okr_core.connection_settings import SITE_FACTS   # where discovered field ids are cached
from okr_core.domain import StatusCategory, points

DEFAULT_NOT_DONE = ("Won't Do", "Won't Fix", "Duplicate", "Cannot Reproduce", "Declined")
POINTS_FIELD_NAMES = ("Story Points", "Story point estimate")

# https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-workflow-status-categories/
STATUS_CATEGORIES = {
    "new": StatusCategory.TODO,
    "undefined": StatusCategory.TODO,
    "indeterminate": StatusCategory.IN_PROGRESS,
    "done": StatusCategory.DONE,
}


def _casefolded(names) -> frozenset[str]:
    return frozenset(str(n).strip().casefold() for n in names if str(n).strip())


@dataclass(frozen=True)
class ReadingRules:
    """The per-connection rules for reading done-ness and estimates from issue fields."""

    points_fields: tuple[str, ...] = ()
    not_done: frozenset[str] = field(default_factory=lambda: _casefolded(DEFAULT_NOT_DONE))

    @classmethod
    def from_settings(cls, settings: Mapping | None) -> "ReadingRules":
        """Pinned `story_points_field`, else the fields discovered by name; `not_done_resolutions`."""
        settings = settings or {}
        pinned = settings.get("story_points_field")
        discovered = (settings.get(SITE_FACTS) or {}).get("points_fields") or ()
        names = settings.get("not_done_resolutions") or DEFAULT_NOT_DONE
        return cls(tuple([pinned] if pinned else discovered), _casefolded(names))

    def category(self, status_category_key: Any, resolution: Any) -> StatusCategory | None:
        """Domain category of a status category key and a resolution ({"name": ...} or None)."""
        category = STATUS_CATEGORIES.get(status_category_key)
        name = resolution.get("name") if isinstance(resolution, Mapping) else None
        if category is StatusCategory.DONE and isinstance(name, str) and name.casefold() in self.not_done:
            return StatusCategory.CANCELED
        return category

    def estimate(self, fields: Mapping) -> float | None:
        """The first populated points field, as a number."""
        for field_id in self.points_fields:
            value = points(fields.get(field_id))
            if value is not None:
                return value
        return None

    def lacks_points(self, fields: Mapping) -> bool:
        """True when none of the points fields is in `fields` at all (a trimmed payload)."""
        return bool(self.points_fields) and not any(f in fields for f in self.points_fields)
