"""Key results, their work links, check-ins and progress history."""
from __future__ import annotations

from flask import Blueprint, jsonify
from sqlalchemy import select

from okr_core.checkins import (
    CheckInFields, EmptyCheckIn, StatusNotReportable, ValueFromLinkedWork, record_check_in,
)
from okr_core.domain import LINK_KINDS_BY_TRACKER, Measure
from okr_core.models import (
    CheckIn, Connection, KeyResult, Objective, ProgressSnapshot, User, WorkLink, utcnow,
)
from okr_core.progress_service import refresh_objective_chain
from okr_core.recount import recount
from okr_core.rules import key_result_problems, with_measure_defaults
from okr_core.visibility import can_check_in, can_edit, visible_objectives_clause
from api.auth import current_viewer
from api.common import (
    dump, ensure_cycle_writable, ensure_exists, int_filter, load, paginate, visible_key_result,
)
from api.errors import ApiError, forbidden, not_found
from api.kr_rules import checked_key_result_fields
from api.objectives import editable_objective
from api.schemas import (
    CheckInCreate, CheckInOut, KeyResultCreate, KeyResultOut, KeyResultPatch, LinkCreate, LinkOut,
    SnapshotOut,
)
from api.spec import parse_body, route
from plumbing.db import request_session
from sync.mirror.mirrors import queue_mirror
from plumbing.queue import enqueue
from sync.followups import followups_for
from sync.mirror.writeback import queue_writebacks

bp = Blueprint("api_key_results", __name__)


def _recompute(kr: KeyResult) -> None:
    session = request_session()
    session.flush()   # a new KR gets its id
    recount(session, [kr.id], utcnow())


@route(bp, "/key-results", "POST", "Create a key result", body=KeyResultCreate,
       response=KeyResultOut, status=201)
def create_key_result():
    kr = add_key_result(parse_body(KeyResultCreate))
    return jsonify(dump(KeyResultOut, kr)), 201


def add_key_result(body: KeyResultCreate) -> KeyResult:
    """Check, store, count and mirror a new key result for the current viewer; raises ApiError."""
    objective = request_session().get(Objective, body.objective_id)
    if objective is None or not can_edit(current_viewer(), objective):
        if objective is None or not current_viewer().is_admin:
            raise (forbidden() if objective is not None and _visible(objective)
                   else ApiError(422, "invalid_fields", "objective_id does not exist",
                                 {"objective_id": "does not exist"}))
    ensure_cycle_writable(objective.cycle_id)
    ensure_exists(User, body.owner_id, "owner_id")
    kr = KeyResult(**checked_key_result_fields(body.model_dump(), objective))
    request_session().add(kr)
    _recompute(kr)
    request_session().commit()
    queue_mirror("key_result", kr.id)
    return kr


def _visible(objective: Objective) -> bool:
    from okr_core.visibility import can_see
    return can_see(current_viewer(), objective)


@route(bp, "/key-results", "GET", "List the key results the caller may see",
       response=KeyResultOut, paged=True, query={"objective_id": "integer", "owner_id": "integer"})
def list_key_results():
    stmt = (select(KeyResult).join(Objective, Objective.id == KeyResult.objective_id)
            .where(visible_objectives_clause(current_viewer())).order_by(KeyResult.id))
    if (objective_id := int_filter("objective_id")) is not None:
        stmt = stmt.where(KeyResult.objective_id == objective_id)
    if (owner_id := int_filter("owner_id")) is not None:
        stmt = stmt.where(KeyResult.owner_id == owner_id)
    return paginate(stmt, KeyResultOut)


@route(bp, "/key-results/<int:kr_id>", "GET", "Get a key result", response=KeyResultOut)
def get_key_result(kr_id: int):
    return jsonify(dump(KeyResultOut, visible_key_result(kr_id)[0]))


def editable_key_result(kr_id: int) -> tuple[KeyResult, Objective]:
    kr, objective = visible_key_result(kr_id)
    viewer = current_viewer()
    if not (can_edit(viewer, objective) or kr.owner_id == viewer.user_id):
        raise forbidden("only admins, the owners and the team's leads change this key result")
    ensure_cycle_writable(objective.cycle_id)
    return kr, objective


@route(bp, "/key-results/<int:kr_id>", "PATCH", "Change a key result", body=KeyResultPatch,
       response=KeyResultOut)
def patch_key_result(kr_id: int):
    kr, objective = editable_key_result(kr_id)
    change_key_result(kr, objective, parse_body(KeyResultPatch).model_dump(exclude_unset=True))
    return jsonify(dump(KeyResultOut, kr))


def change_key_result(kr: KeyResult, objective: Objective, fields: dict) -> None:
    """Check and store changes to an editable key result, recount it, mirror it."""
    ensure_exists(User, fields.get("owner_id"), "owner_id")
    fields = checked_key_result_fields(fields, objective, kr)
    if "current_value" in fields and fields.get("measure", kr.measure) != Measure.MANUAL:
        raise ApiError(422, "invalid_fields", "current_value comes from linked work for this measure",
                       {"current_value": "only a manual key result takes a value"})
    for name, value in fields.items():
        setattr(kr, name, value)
    _recompute(kr)
    request_session().commit()
    queue_mirror("key_result", kr.id)
    if "title" in fields:
        queue_writebacks([kr.id])   # Linear issue attachments carry the KR's title


@route(bp, "/key-results/<int:kr_id>", "DELETE", "Delete a key result", status=204)
def delete_key_result(kr_id: int):
    kr, objective = visible_key_result(kr_id)
    remove_key_result(kr, editable_objective(objective.id))
    return "", 204


def remove_key_result(kr: KeyResult, objective: Objective) -> None:
    """Delete a key result of an editable objective and re-roll the objective's progress."""
    session = request_session()
    session.delete(kr)
    session.flush()
    refresh_objective_chain(session, objective.id)
    session.commit()
    queue_mirror("deleted")


@route(bp, "/key-results/<int:kr_id>/links", "POST",
       "Link work to a key result; its first resolution is queued", body=LinkCreate,
       response=LinkOut, status=201)
def create_link(kr_id: int):
    kr, _ = editable_key_result(kr_id)
    return jsonify(dump(LinkOut, add_link(kr, parse_body(LinkCreate)))), 201


def add_link(kr: KeyResult, body: LinkCreate) -> WorkLink:
    """Link work to an editable key result and queue its first resolution; raises ApiError."""
    connection = request_session().get(Connection, body.connection_id)
    if connection is None:
        raise ApiError(422, "invalid_fields", "connection_id does not exist",
                       {"connection_id": "does not exist"})
    if body.kind not in LINK_KINDS_BY_TRACKER[connection.tracker]:
        allowed = ", ".join(sorted(k.value for k in LINK_KINDS_BY_TRACKER[connection.tracker]))
        raise ApiError(422, "invalid_fields", f"{connection.tracker} links are one of {allowed}",
                       {"kind": f"not a {connection.tracker} link kind"})
    link = WorkLink(key_result_id=kr.id, **body.model_dump())
    if kr.measure == Measure.MANUAL:
        # Linking work makes the KR a percentage of it done: 0-100 "%" unless it already had
        # numbers that are valid percentages.
        kr.measure = Measure.WORK_DONE_RATIO
        given = {"unit": kr.unit}
        if not key_result_problems(kr.measure, kr.start_value, kr.target_value, draft=False):
            given.update(start_value=kr.start_value, target_value=kr.target_value)
        else:
            given["unit"] = ""
        for name, value in with_measure_defaults(given, kr.measure).items():
            setattr(kr, name, value)
    request_session().add(link)
    request_session().commit()
    enqueue("resolve_link", link.id, job_id=f"resolve-link-{link.id}")
    return link


@route(bp, "/key-results/<int:kr_id>/links", "GET", "A key result's work links",
       response=LinkOut, paged=True)
def list_links(kr_id: int):
    kr, _ = visible_key_result(kr_id)
    return paginate(select(WorkLink).where(WorkLink.key_result_id == kr.id).order_by(WorkLink.id),
                    LinkOut)


@route(bp, "/links/<int:link_id>", "DELETE", "Remove a work link", status=204)
def delete_link(link_id: int):
    link = load(WorkLink, link_id, "link")
    try:
        kr, objective = editable_key_result(link.key_result_id)
    except ApiError as exc:
        raise not_found("link", link_id) if exc.status == 404 else exc
    remove_link(link, kr, objective)
    return "", 204


def remove_link(link: WorkLink, kr: KeyResult, objective: Objective) -> None:
    """Unlink work from an editable key result and recount it."""
    request_session().delete(link)
    _recompute(kr)
    request_session().commit()


@route(bp, "/key-results/<int:kr_id>/check-ins", "POST", "Record a weekly check-in",
       body=CheckInCreate, response=CheckInOut, status=201)
def create_check_in(kr_id: int):
    kr, objective = visible_key_result(kr_id)
    if not can_check_in(current_viewer(), objective, kr.owner_id):
        raise forbidden("only the owners, the team and its leads check in on this key result")
    ensure_cycle_writable(objective.cycle_id)
    body = parse_body(CheckInCreate)
    try:
        check_in = record_check_in(request_session(), kr, objective, current_viewer().user_id,
                                   CheckInFields(**body.model_dump()), utcnow())
    except ValueFromLinkedWork:
        raise ApiError(422, "invalid_fields", "this key result's value comes from linked work",
                       {"value": "only a manual key result takes a value"})
    except EmptyCheckIn:
        raise ApiError(422, "invalid_fields", "an empty check-in says nothing: give a value, "
                       "status, confidence, note, blockers or wins",
                       {"value": "give at least one field"})
    except StatusNotReportable:
        raise ApiError(422, "invalid_fields", "a check-in reports on_track, at_risk or off_track",
                       {"status": "not started is not a status to report"})
    followups = followups_for(request_session(), {kr.id})
    request_session().commit()
    followups.queue()  # write the KR's standing back to the tracker; refresh the analysis
    return jsonify(dump(CheckInOut, check_in)), 201


@route(bp, "/key-results/<int:kr_id>/check-ins", "GET", "A key result's check-ins, newest first",
       response=CheckInOut, paged=True)
def list_check_ins(kr_id: int):
    kr, _ = visible_key_result(kr_id)
    return paginate(select(CheckIn).where(CheckIn.key_result_id == kr.id)
                    .order_by(CheckIn.created_at.desc(), CheckIn.id.desc()), CheckInOut)


@route(bp, "/key-results/<int:kr_id>/history", "GET", "A key result's progress over time",
       response=SnapshotOut, paged=True)
def history(kr_id: int):
    kr, _ = visible_key_result(kr_id)
    return paginate(select(ProgressSnapshot).where(ProgressSnapshot.key_result_id == kr.id)
                    .order_by(ProgressSnapshot.at, ProgressSnapshot.id), SnapshotOut)
