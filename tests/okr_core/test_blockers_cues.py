"""The cue table: the cheap word prefilter must never hide a cue that would have matched."""
import importlib

import pytest

from okr_core.blockers.cues import CUES
from okr_core.blockers.text import fold

from tests.okr_core.test_blockers_detect import BLOCKERS, NOT_BLOCKERS

# The package exports the function `detect`, which hides the module of the same name from attribute access.
detect_module = importlib.import_module("okr_core.blockers.detect")

EXTRA = [
    "Can not continue, the build server is out of disk space.",
    "I couldn't log in to the staging cluster all morning.",
    "No way to verify this until we get an Android device.",
    "We've run out of CI minutes for the month.",
    "Throttled by the partner API again; requests keep timing out.",
    "The reviewer is away until next Monday.",
    "Holding off on the release until the security fix lands.",
    "Approval still pending from the architecture board.",
]


@pytest.mark.parametrize("text", [text for text, _ in BLOCKERS] + NOT_BLOCKERS + EXTRA)
def test_prefilter_keeps_every_cue_that_matches(text):
    folded = fold(text)
    selected = {cue.name for cue in detect_module._cues_for(folded)}
    for cue in CUES:
        if any(detect_module._cue_start(folded, cue, m.start()) >= 0 for m in cue.pattern.finditer(folded)):
            assert cue.name in selected, (cue.name, text)


def test_every_cue_has_needs_and_a_known_side():
    for cue in CUES:
        assert cue.needs and all(cue.needs), cue.name
        assert cue.side in ("after", "before", "self"), cue.name
        assert 0 < cue.weight <= 1, cue.name
