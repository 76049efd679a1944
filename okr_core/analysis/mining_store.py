"""Blocker mining done once and kept: stored results per text, read back by every later analysis.

`prepare_minings` runs before `analyse`: it reads the stored result of every text the cycle's facts
hold, mines only the texts that are new or were edited (their digest differs), stores those, and hands
all of them to the analysis through `facts.mined`. A result of an older miner version is still used;
`outdated_keys` / `remine` let a background job replace those.
"""
from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import replace
from datetime import datetime, timezone

from sqlalchemy import bindparam, delete, func, select, text
from sqlalchemy.orm import Session

from okr_core.analysis.facts import CycleFacts, MinedText
from okr_core.blockers import detect, miner_version
from okr_core.blockers.model import BlockerFinding, BlockerKind
from okr_core.models import BlockerMining, CheckIn, Comment
from okr_core.store import in_chunks

REMINE_BATCH = 500
SAVE_CHUNK = 500


def text_digest(text: str) -> str:
    return hashlib.blake2b(text.encode("utf-8"), digest_size=16).hexdigest()


def fact_texts(facts: CycleFacts) -> Iterator[tuple[str, str]]:
    """(source key, text) of every comment and check-in text an analysis may mine."""
    for comment in facts.comments:
        yield f"comment:{comment.id}", comment.body
    for check_in in facts.check_ins:
        if check_in.blockers.strip():
            yield f"check-in:{check_in.id}:blockers", check_in.blockers
        if check_in.note.strip():
            yield f"check-in:{check_in.id}:note", check_in.note


_COLUMNS = (BlockerMining.source_key, BlockerMining.text_hash, BlockerMining.miner_version,
            BlockerMining.found, BlockerMining.is_blocker, BlockerMining.kind, BlockerMining.phrase,
            BlockerMining.confidence, BlockerMining.ambiguous)


# The same columns as raw values (no per-value type processing: tens of thousands of rows).
_RAW_COLUMNS = "SELECT " + ", ".join(column.key for column in _COLUMNS) + " FROM blocker_minings"
_RAW_BY_KEYS = text(_RAW_COLUMNS + " WHERE source_key IN :keys").bindparams(bindparam("keys", expanding=True))
# A cycle whose texts are at least this share of all stored results reads the table in one scan
# instead of looking its keys up in batches (about four times faster on SQLite and PostgreSQL).
BULK_SHARE = 0.25
BULK_MIN_KEYS = 2000


_KINDS = {kind.value: kind for kind in BlockerKind}


def _stored(row) -> MinedText:
    """A stored row (the _COLUMNS, as a plain tuple: no ORM objects for tens of thousands of rows);
    its finding carries the row's key as source id, as the analysis reports it."""
    key, digest, version, found, is_blocker, kind, phrase, confidence, ambiguous = row
    if not found:
        return MinedText(digest, version, None)
    finding = BlockerFinding(bool(is_blocker), _KINDS[kind] if kind else None, phrase, confidence, bool(ambiguous),
                             key)
    return MinedText(digest, version, finding)


def _row(key: str, digest: str, finding: BlockerFinding | None, version: str) -> dict:
    row = {"source_key": key, "text_hash": digest, "miner_version": version, "found": finding is not None,
           "is_blocker": False, "ambiguous": False, "kind": None, "phrase": "", "confidence": 0.0,
           "mined_at": datetime.now(timezone.utc)}
    if finding is not None:
        row.update(is_blocker=finding.is_blocker, ambiguous=finding.ambiguous,
                   kind=finding.kind.value if finding.kind else None, phrase=finding.phrase[:500],
                   confidence=finding.confidence)
    return row


def load_stored(session: Session, keys: list[str]) -> dict[str, MinedText]:
    """The stored results of these keys: one scan of the table when they are a good share of it."""
    connection = session.connection()   # plain rows: no ORM layer
    if len(keys) >= BULK_MIN_KEYS:
        total = connection.execute(select(func.count()).select_from(BlockerMining)).scalar() or 0
        if len(keys) >= BULK_SHARE * total:
            wanted = set(keys)
            return {row[0]: _stored(row) for row in connection.execute(text(_RAW_COLUMNS)).all()
                    if row[0] in wanted}
    stored: dict[str, MinedText] = {}
    for chunk in in_chunks(keys):
        for row in connection.execute(_RAW_BY_KEYS, {"keys": list(chunk)}).all():
            stored[row[0]] = _stored(row)
    return stored


def save(session: Session, rows: list[dict]) -> None:
    """Insert or replace the stored results of these keys (analyses running at once may store the same
    text: INSERT ... ON CONFLICT DO UPDATE, on SQLite and PostgreSQL alike)."""
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    statement = insert(BlockerMining.__table__)
    statement = statement.on_conflict_do_update(
        index_elements=["source_key"],
        set_={name: statement.excluded[name] for name in rows[0] if name != "source_key"} if rows else {})
    for chunk in in_chunks(rows, SAVE_CHUNK):
        session.execute(statement, list(chunk))


def prepare_minings(session: Session, facts: CycleFacts) -> int:
    """Fill `facts.mined` from the store, mining and storing what is missing; returns texts mined now."""
    texts = dict(fact_texts(facts))
    stored = load_stored(session, list(texts))
    version, fresh = miner_version(), []
    for key, text in texts.items():
        digest, known = text_digest(text), stored.get(key)
        if known is not None and known.text_hash == digest:
            facts.mined[key] = known
            continue
        finding = detect(text)
        if finding is not None:
            finding = replace(finding, source_id=key)   # as a stored one reads back
        facts.mined[key] = MinedText(digest, version, finding)
        fresh.append(_row(key, digest, finding, version))
    if fresh:
        save(session, fresh)
    return len(fresh)


def outdated_keys(session: Session, limit: int = REMINE_BATCH) -> list[str]:
    """Keys of stored results made by another miner version."""
    return list(session.scalars(select(BlockerMining.source_key)
                                .where(BlockerMining.miner_version != miner_version()).limit(limit)))


def _texts_of(session: Session, keys: Iterable[str]) -> dict[str, str]:
    comment_ids, check_in_ids = [], []
    for key in keys:
        parts = key.split(":")
        (comment_ids if parts[0] == "comment" else check_in_ids).append(int(parts[1]))
    texts = {}
    for chunk in in_chunks(comment_ids):
        texts.update({f"comment:{i}": body for i, body in session.execute(
            select(Comment.id, Comment.body).where(Comment.id.in_(chunk)))})
    for chunk in in_chunks(check_in_ids):
        for i, blockers, note in session.execute(
                select(CheckIn.id, CheckIn.blockers, CheckIn.note).where(CheckIn.id.in_(chunk))):
            texts[f"check-in:{i}:blockers"], texts[f"check-in:{i}:note"] = blockers or "", note or ""
    return texts


def remine(session: Session, keys: list[str]) -> int:
    """Mine these stored texts again with the current miner; rows whose text is gone are dropped."""
    texts, version = _texts_of(session, keys), miner_version()
    rows = [_row(key, text_digest(texts[key]), detect(texts[key]), version)
            for key in keys if texts.get(key, "").strip()]
    gone = [key for key in keys if not texts.get(key, "").strip()]
    for chunk in in_chunks(gone):
        session.execute(delete(BlockerMining).where(BlockerMining.source_key.in_(chunk)))
    if rows:
        save(session, rows)
    return len(rows)
