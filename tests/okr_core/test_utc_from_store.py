"""utc_from_store: every shape a stored moment comes back in becomes an aware UTC datetime."""
from datetime import datetime, timedelta, timezone

import pytest

from okr_core.models.base import utc_from_store

UTC = timezone.utc


@pytest.mark.parametrize("stored, expected", [
    ("2026-02-26 09:00:00.123456", datetime(2026, 2, 26, 9, 0, 0, 123456, tzinfo=UTC)),   # SQLite text
    ("2026-02-26 09:00:00", datetime(2026, 2, 26, 9, tzinfo=UTC)),
    ("2026-02-26", datetime(2026, 2, 26, tzinfo=UTC)),
    ("2026-02-26T09:00:00+02:00", datetime(2026, 2, 26, 7, tzinfo=UTC)),
    (datetime(2026, 1, 1, 8), datetime(2026, 1, 1, 8, tzinfo=UTC)),                          # naive
    (datetime(2026, 1, 1, tzinfo=timezone(timedelta(hours=2))), datetime(2025, 12, 31, 22, tzinfo=UTC)),
    (None, None),
])
def test_stored_moments_come_back_as_aware_utc(stored, expected):
    moment = utc_from_store(stored)
    assert moment == expected
    assert moment is None or moment.utcoffset() == timedelta(0)


def test_text_that_is_no_moment_is_refused():
    with pytest.raises(ValueError):
        utc_from_store("next tuesday")
