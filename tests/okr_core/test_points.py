"""A tracker's estimate becomes story points only when it is a finite number."""
from __future__ import annotations

import pytest

from okr_core.domain import points


@pytest.mark.parametrize("value, expected", [
    (3, 3.0), (2.5, 2.5), (0, 0.0), (-1, -1.0),
    (None, None), ("3", None), (True, None), (float("nan"), None), (float("inf"), None),
    (float("-inf"), None), ([3], None),
])
def test_points_are_a_finite_number_or_none(value, expected):
    assert points(value) == expected
