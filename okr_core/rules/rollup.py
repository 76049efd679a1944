"""Objective progress from its key results, and from aligned children when it has none."""
from __future__ import annotations

from collections import deque
from typing import Hashable, NamedTuple, Sequence

from okr_core.rules.progress import clamp_progress

KRPart = tuple[float, float | None]  # (weight, progress)


class ObjectiveNode(NamedTuple):
    """One objective in the alignment tree, with its KRs as (weight, progress) pairs."""

    id: Hashable
    parent_id: Hashable | None
    kr_parts: Sequence[KRPart]


class AlignmentCycle(ValueError):
    """Parent links between objectives loop back on themselves, so there is no tree to roll up."""

    def __init__(self, ids: Sequence[Hashable]) -> None:
        self.ids = tuple(ids)
        super().__init__(f"objectives align to each other in a loop: {', '.join(map(str, ids))}")


def objective_progress(
    kr_parts: Sequence[KRPart], child_progresses: Sequence[float | None]
) -> float | None:
    """Weighted mean of the KRs' clamped progress; without KRs, the mean of aligned children."""
    if kr_parts:
        return _weighted_kr_progress(kr_parts)
    # Children without any progress of their own (no KRs, no children) have nothing to add.
    known = [clamp_progress(child) for child in child_progresses if child is not None]
    return sum(known) / len(known) if known else None


def _weighted_kr_progress(kr_parts: Sequence[KRPart]) -> float:
    """Weighted mean of clamped KR progress; all-zero weights fall back to a plain mean."""
    weights = [weight for weight, _ in kr_parts]
    if any(weight < 0 for weight in weights):
        raise ValueError(f"key result weights must be >= 0, got {weights}")
    shown = [clamp_progress(kr_progress) for _, kr_progress in kr_parts]
    total = sum(weights)
    if total == 0:
        return sum(shown) / len(shown)
    return sum(weight * value for weight, value in zip(weights, shown)) / total


def rollup_tree(nodes: Sequence[ObjectiveNode | tuple]) -> dict[Hashable, float | None]:
    """Every objective's progress, children before parents; raises AlignmentCycle on a loop."""
    by_id = _index_nodes(nodes)
    children = _children_by_parent(by_id)
    waiting_on = {node_id: len(children[node_id]) for node_id in by_id}
    ready = deque(node_id for node_id, count in waiting_on.items() if count == 0)
    result: dict[Hashable, float | None] = {}
    while ready:
        node_id = ready.popleft()
        node = by_id[node_id]
        child_values = [result[child] for child in children[node_id]]
        result[node_id] = objective_progress(node.kr_parts, child_values)
        if node.parent_id in by_id:
            waiting_on[node.parent_id] -= 1
            if waiting_on[node.parent_id] == 0:
                ready.append(node.parent_id)
    if len(result) < len(by_id):
        # With one parent per node, whatever never became ready is exactly the loop.
        raise AlignmentCycle([node_id for node_id in by_id if node_id not in result])
    return result


def _index_nodes(nodes: Sequence[ObjectiveNode | tuple]) -> dict[Hashable, ObjectiveNode]:
    """Nodes by id, refusing the same id twice."""
    by_id: dict[Hashable, ObjectiveNode] = {}
    for raw in nodes:
        node = ObjectiveNode(*raw)
        if node.id in by_id:
            raise ValueError(f"objective {node.id} appears twice")
        by_id[node.id] = node
    return by_id


def _children_by_parent(by_id: dict[Hashable, ObjectiveNode]) -> dict[Hashable, list[Hashable]]:
    """Aligned children of each objective; a parent outside the given set makes a root."""
    children: dict[Hashable, list[Hashable]] = {node_id: [] for node_id in by_id}
    for node in by_id.values():
        if node.parent_id in by_id:
            children[node.parent_id].append(node.id)
    return children
