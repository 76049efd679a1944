"""Every Linear document validates against the published schema and stays under the complexity cap."""
from __future__ import annotations

import pytest
from graphql import FieldNode, GraphQLError, FragmentDefinitionNode, FragmentSpreadNode, IntValueNode, VariableNode, parse, validate

from connector.linear.client import linear_schema
from connector.linear.connector import COMMENTS_PAGE_SIZE, PAGE_SIZE, RELATIONS_PAGE_SIZE
from connector.linear import queries
from connector.linear.queries import DOCUMENTS
from connector.registry import build_connector
from tests.connector.exercise import exercise_linear
from tests.simtracker import SimTracker

COMPLEXITY_LIMIT = 10_000   # https://linear.app/developers/rate-limiting#complexity
DEFAULT_PAGE = 50           # Linear's default `first`


def complexity(document: str, variables: dict) -> float:
    """Linear's published rule: 0.1 per property, 1 per object, connections multiply by `first`."""
    ast = parse(document)
    fragments = {d.name.value: d for d in ast.definitions if isinstance(d, FragmentDefinitionNode)}
    operation = next(d for d in ast.definitions if not isinstance(d, FragmentDefinitionNode))
    return _cost(operation.selection_set, variables, fragments)


def _cost(selection_set, variables, fragments) -> float:
    total = 0.0
    for selection in selection_set.selections:
        if isinstance(selection, FragmentSpreadNode):
            total += _cost(fragments[selection.name.value].selection_set, variables, fragments)
        elif isinstance(selection, FieldNode) and selection.selection_set is None:
            total += 0.1
        elif isinstance(selection, FieldNode):
            inner = _cost(selection.selection_set, variables, fragments)
            size = _first(selection, variables)
            total += size * inner if size is not None else 1 + inner
    return total


def _first(field: FieldNode, variables: dict) -> int | None:
    for argument in field.arguments or ():
        if argument.name.value == "first":
            if isinstance(argument.value, IntValueNode):
                return int(argument.value.value)
            if isinstance(argument.value, VariableNode):
                return variables.get(argument.value.name.value, DEFAULT_PAGE)
    return None


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_validates_against_linear_schema(name):
    assert validate(linear_schema(), parse(DOCUMENTS[name])) == []


@pytest.mark.parametrize("name", sorted(DOCUMENTS))
def test_document_complexity_stays_under_linear_limit_at_the_largest_page_sent(name):
    largest = {"IssueRelations": RELATIONS_PAGE_SIZE, "IssueDiscussions": RELATIONS_PAGE_SIZE,
               "IssueComments": COMMENTS_PAGE_SIZE}.get(name, PAGE_SIZE)
    assert complexity(DOCUMENTS[name], {"first": largest}) < COMPLEXITY_LIMIT


def test_complexity_estimate_counts_nested_connections():
    assert complexity("query { issues(first: 100) { nodes { id labels(first: 20) { nodes { name } } } } }", {}) \
        > complexity("query { issues(first: 100) { nodes { id } } }", {}) * 10


def test_connector_sends_only_listed_documents_and_all_of_them():
    with SimTracker.start(issues=300) as sim:
        connector = build_connector("linear", sim.url, {"api_key": "k"}, {}, sleep=lambda _: None)
        exercise_linear(connector, sim)
    sent = {call.operation for call in sim.calls}
    assert all(call.status == 200 for call in sim.calls), [c for c in sim.calls if c.status != 200]
    assert sent == set(DOCUMENTS)


def test_a_document_that_breaks_the_schema_is_refused_before_any_request(http, linear, monkeypatch):
    monkeypatch.setitem(queries.DOCUMENTS, "Broken", "query Broken { issues(first: 1) { nodez { id } } }")
    with pytest.raises(GraphQLError, match="nodez"):
        linear.graphql.execute("Broken")   # `http` has nothing registered: a request would fail differently
