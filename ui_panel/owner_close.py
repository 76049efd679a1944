"""My OKRs while a cycle is closing: the form where owners enter their KRs' final values."""
from __future__ import annotations

from okr_core.cycle_close import is_closing
from okr_core.models import Cycle
from okr_core.visibility import Viewer
from plumbing.db import request_session
from ui_panel.close_rows import load_close_page
from ui_panel.final_values import field_name, note_name

# My OKRs shows this many of the owner's objectives; the close page pages the rest.
SHOWN_OBJECTIVES = 10


def owner_final_values(cycle: Cycle, viewer: Viewer) -> dict:
    """Template context for workspace/_my_final_values.html: empty unless the cycle is
    closing and the viewer owns key results in it."""
    if not is_closing(cycle):
        return {}
    view = load_close_page(request_session(), cycle, viewer, mine=True, page=1,
                           per_page=SHOWN_OBJECTIVES)
    if not view.key_results:
        return {}
    return {"owner_close": view, "final_field": field_name, "note_field": note_name}
