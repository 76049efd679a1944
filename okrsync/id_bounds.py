"""Route ids beyond what the store holds name nothing: 404, instead of an overflow (500)."""
from __future__ import annotations

from flask import Flask
from werkzeug.exceptions import NotFound
from werkzeug.routing import IntegerConverter

from okr_core.ids import MAX_ID


class StoreIntegerConverter(IntegerConverter):
    """`<int:...>` whose values above MAX_ID answer 404 (`/objectives/99999999999999999999`).

    Werkzeug's own `max` makes the rule not match, and a path whose other rules then match
    by method answers 405, so the bound is checked here instead.
    """

    def to_python(self, value: str) -> int:
        number = super().to_python(value)
        if number > MAX_ID:
            raise NotFound(f"no such id: {value}")
        return number


def bound_route_ids(app: Flask) -> None:
    """Install the converter; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = StoreIntegerConverter
