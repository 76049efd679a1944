"""Route ids beyond what the store holds do not match a route (404), instead of overflowing."""
from __future__ import annotations

from flask import Flask
from werkzeug.routing import IntegerConverter

from okr_core.ids import MAX_ID


class StoreIntegerConverter(IntegerConverter):
    """`<int:...>` limited to 0..MAX_ID: `/objectives/99999999999999999999` is simply not found."""

    def __init__(self, map, fixed_digits=0, min=0, max=MAX_ID, signed=False):  # noqa: A002
        super().__init__(map, fixed_digits=fixed_digits, min=min, max=max, signed=signed)


def bound_route_ids(app: Flask) -> None:
    """Install the converter; call before any blueprint adds its rules."""
    app.url_map.converters["int"] = StoreIntegerConverter
