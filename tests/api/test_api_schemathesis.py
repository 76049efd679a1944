"""The OpenAPI document matches the behaviour: schemathesis against the live document, as an
admin and as a member, on both stores. Fails on any 5xx, a valid request refused, an invalid
one accepted, or an answer the document does not describe.

Bounded (MAX_EXAMPLES per operation and mode, no shrinking) so it fits the suite's time.
"""
from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis import GenerationMode
from schemathesis.core.failures import FailureGroup
from schemathesis.openapi.checks import RejectedPositiveData

MAX_EXAMPLES = 6
# Refusals no schema can express: references to rows that do not exist, rules across fields or
# rows (a cycle overlapping another of its scope, a published objective's KR without a numeric
# target), and the outbound URL check (DNS, private ranges,
# the allowlist). Each is a 422 naming the field.
SEMANTIC = ("does not exist", "must be after", "is refused", "special-use or reserved",
            "does not resolve", "must use https", "already covers part of this period",
            "would make a loop", "needs a numeric target")
SCHEMA_REFUSALS = ("Input should", "String should", "Field required", "Extra inputs",
                   "should have at")


def _only_semantic_refusals(failure: FailureGroup) -> bool:
    """Every failure is a valid-per-schema request refused (422) for a SEMANTIC reason only,
    with no field refused for its type, size or pattern (which the document must describe)."""
    text = str(failure)
    return all(isinstance(error, RejectedPositiveData) for error in failure.exceptions) and \
        any(reason in text for reason in SEMANTIC) and \
        not any(marker in text for marker in SCHEMA_REFUSALS)


def _problems_of(operation, mode: GenerationMode, tokens: list[dict], sent: list) -> list[str]:
    """Run one operation's generated cases; the failures found, as text."""
    found: list[str] = []

    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=True, database=None,
              phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))
    def run(case):
        for headers in tokens:
            sent.append(1)
            try:
                case.call_and_validate(headers=headers)
            except FailureGroup as failure:
                if _only_semantic_refusals(failure):
                    continue
                found.append(f"{operation.label} [{mode}]: {str(failure)[:600]}")

    run()
    return found


@pytest.mark.slow
def test_the_api_behaves_as_its_openapi_document_says(app, world, org):
    cycle = world.cycle()
    world.key_result(world.objective(cycle))
    schema = schemathesis.openapi.from_wsgi("/api/openapi.json", app)
    problems, operations, sent = [], 0, []
    for result in schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            problems += _problems_of(operation, mode, [org.admin, org.alpha_member], sent)
    print(f"schemathesis: {operations} operations, {len(sent)} requests, "
          f"{len(problems)} mismatches")
    assert operations > 20
    assert not problems, f"{len(problems)} mismatches:\n" + "\n".join(sorted(set(problems))[:40])
