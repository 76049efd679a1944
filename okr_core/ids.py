"""The largest row id the store can hold: ids beyond it name nothing, on either store."""
from __future__ import annotations

# PostgreSQL's integer column (https://www.postgresql.org/docs/current/datatype-numeric.html);
# SQLite's is 2**63 - 1, so the smaller bound holds for both and the API says the same on each.
MAX_ID = 2**31 - 1
