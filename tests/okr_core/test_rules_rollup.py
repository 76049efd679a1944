"""Objective progress and the bottom-up roll-up of the alignment tree."""
import pytest

from okr_core.rules import AlignmentCycle, ObjectiveNode, objective_progress, rollup_tree


@pytest.mark.parametrize("kr_parts, children, expected", [
    pytest.param([(1, 0.2), (1, 0.6)], [], 0.4, id="equal-weights"),
    pytest.param([(3, 1.0), (1, 0.0)], [], 0.75, id="weights-matter"),
    pytest.param([(1, 1.8), (1, -0.4)], [], 0.5, id="kr-progress-clamped-first"),
    pytest.param([(1, None), (1, 0.8)], [], 0.4, id="kr-without-value-counts-zero"),
    pytest.param([(0, 0.2), (0, 0.6)], [], 0.4, id="zero-weights-plain-mean"),
    pytest.param([(1, 0.5)], [0.0, 1.0], 0.5, id="own-krs-ignore-children"),
    pytest.param([], [0.2, 0.4, 0.9], 0.5, id="no-krs-rolls-up-children"),
    pytest.param([], [0.2, None, 0.4], 0.3, id="children-without-progress-skipped"),
    pytest.param([], [], None, id="nothing-to-measure"),
    pytest.param([], [None, None], None, id="only-empty-children"),
])
def test_objective_progress(kr_parts, children, expected):
    assert objective_progress(kr_parts, children) == pytest.approx(expected)


def test_negative_weight_is_refused():
    with pytest.raises(ValueError, match="weights"):
        objective_progress([(-1, 0.5), (2, 0.5)], [])


TREE = [
    ObjectiveNode("company", None, []),
    ObjectiveNode("eng", "company", []),
    ObjectiveNode("sales", "company", [(1, 0.9)]),
    ObjectiveNode("platform", "eng", [(2, 0.5), (2, 1.0)]),
    ObjectiveNode("mobile", "eng", [(1, 0.25)]),
    ObjectiveNode("payments", "sales", [(1, 0.0)]),
]


@pytest.mark.parametrize("nodes, expected", [
    pytest.param(TREE, {"platform": 0.75, "mobile": 0.25, "eng": 0.5, "sales": 0.9,
                        "payments": 0.0, "company": 0.7}, id="company-tree"),
    pytest.param(list(reversed(TREE)), {"platform": 0.75, "mobile": 0.25, "eng": 0.5,
                                        "sales": 0.9, "payments": 0.0, "company": 0.7},
                 id="input-order-irrelevant"),
    pytest.param([("a", None, []), ("b", "a", [])], {"a": None, "b": None},
                 id="plain-tuples-empty"),
    pytest.param([("team", "outside-cycle", [(1, 0.3)])], {"team": 0.3},
                 id="unknown-parent-is-a-root"),
    pytest.param([], {}, id="no-objectives"),
])
def test_rollup_tree_computes_children_first(nodes, expected):
    result = rollup_tree(nodes)
    assert result.keys() == expected.keys()
    for node_id, value in expected.items():
        assert result[node_id] == (None if value is None else pytest.approx(value)), node_id


@pytest.mark.parametrize("nodes, loop", [
    pytest.param([("a", "a", [])], {"a"}, id="self-parent"),
    pytest.param([("a", "b", []), ("b", "a", [])], {"a", "b"}, id="two-node-loop"),
    pytest.param([("root", None, []), ("x", "z", []), ("y", "x", []), ("z", "y", []),
                  ("leaf", "x", [(1, 1.0)])], {"x", "y", "z"}, id="loop-beside-a-tree"),
])
def test_rollup_tree_refuses_alignment_loops(nodes, loop):
    with pytest.raises(AlignmentCycle) as raised:
        rollup_tree(nodes)
    assert set(raised.value.ids) == loop


def test_rollup_tree_refuses_duplicate_ids():
    with pytest.raises(ValueError, match="twice"):
        rollup_tree([("a", None, []), ("a", None, [])])
