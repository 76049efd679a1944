"""The miner gives the same verdicts whatever order Python's sets yield words in (hash seeds differ per process)."""
import os
import subprocess
import sys

from okr_core.blockers.kinds import classify_kind
from okr_core.blockers.model import BlockerKind

TEXTS = [
    "Waiting on the review and on more capacity before we can ship.",
    "The release is held up by the app store review queue, again.",
    "CI runners are out of disk space and the vendor has not answered.",
    "Thanks, merged the docs fix.",
]
SCRIPT = (
    "import json, sys\n"
    "from okr_core.blockers import detect, group_recurring\n"
    "texts = json.loads(sys.argv[1])\n"
    "found = [(detect(t, str(n)), t) for n, t in enumerate(texts)]\n"
    "groups = group_recurring([(f, t) for f, t in found if f], min_count=1)\n"
    "print(repr([f for f, _ in found]), [(g.phrase, g.source_ids) for g in groups])\n"
)


def test_a_tie_between_kinds_goes_to_the_kind_listed_first():
    # one person word and one resource word of equal weight
    assert classify_kind("review capacity", "review capacity", "review capacity", []) is BlockerKind.PERSON


def test_findings_and_groups_do_not_depend_on_the_hash_seed():
    import json

    outputs = set()
    for seed in ("1", "2", "3"):
        run = subprocess.run([sys.executable, "-c", SCRIPT, json.dumps(TEXTS)], capture_output=True, text=True,
                             check=True, env={**os.environ, "PYTHONHASHSEED": seed})
        outputs.add(run.stdout)
    assert len(outputs) == 1, outputs
