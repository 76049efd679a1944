"""ratio measures in percent

Ratio measures (work_done_ratio, points_done_ratio) stored fractions (0..1) while people write
their targets in percent (0..100). This converts stored ratio KRs and their snapshots to percent:
values x100; start and target x100 when both were fractions (the old 0..1 default); unit "%"
when none was given; progress recomputed from the converted numbers. KRs with no value yet get
the new "not_started" status.

Revision ID: i15_ratio_percent
Revises: 0002
Create Date: 2026-12-06
"""
from alembic import op
import sqlalchemy as sa


revision = 'i15_ratio_percent'
down_revision = '0002'
branch_labels = None
depends_on = None

RATIO_MEASURES = ("work_done_ratio", "points_done_ratio")

key_results = sa.table(
    "key_results", sa.column("id", sa.Integer), sa.column("measure", sa.String),
    sa.column("start_value", sa.Float), sa.column("target_value", sa.Float),
    sa.column("current_value", sa.Float), sa.column("unit", sa.String),
    sa.column("progress", sa.Float), sa.column("status", sa.String))
snapshots = sa.table(
    "progress_snapshots", sa.column("key_result_id", sa.Integer),
    sa.column("value", sa.Float), sa.column("progress", sa.Float))
ratio_kr = key_results.c.measure.in_(RATIO_MEASURES)


def _progress(value, start, target):
    """(value - start) / (target - start) in SQL; NULL without a value or a range."""
    return sa.case(
        (sa.and_(value.is_not(None), target.is_not(None), target != start),
         (value - start) / (target - start)),
        else_=sa.null())


def _kr_column(name: str):
    """The snapshot's key result's column, as a correlated scalar subquery."""
    return (sa.select(key_results.c[name]).where(key_results.c.id == snapshots.c.key_result_id)
            .scalar_subquery())


def _scale(factor: float, *, bounds: bool) -> None:
    """Multiply ratio values (and fraction-style bounds) by factor; recompute progress."""
    if bounds:
        fraction_bounds = sa.and_(ratio_kr, key_results.c.target_value.is_not(None),
                                  sa.func.abs(key_results.c.target_value) <= 1,
                                  sa.func.abs(key_results.c.start_value) <= 1)
        op.execute(key_results.update().where(fraction_bounds).values(
            start_value=key_results.c.start_value * factor,
            target_value=key_results.c.target_value * factor))
    op.execute(key_results.update().where(ratio_kr).values(
        current_value=key_results.c.current_value * factor))
    c = key_results.c
    op.execute(key_results.update().where(ratio_kr).values(
        progress=_progress(c.current_value, c.start_value, c.target_value)))
    ratio_ids = sa.select(key_results.c.id).where(ratio_kr)
    # Both SET expressions read the row's old value, so progress comes from the scaled value.
    op.execute(snapshots.update().where(snapshots.c.key_result_id.in_(ratio_ids)).values(
        value=snapshots.c.value * factor,
        progress=_progress(snapshots.c.value * factor, _kr_column("start_value"),
                           _kr_column("target_value"))))


def upgrade() -> None:
    _scale(100.0, bounds=True)
    op.execute(key_results.update().where(
        ratio_kr, sa.or_(key_results.c.unit.is_(None), key_results.c.unit == "")).values(unit="%"))
    op.execute(key_results.update().where(key_results.c.current_value.is_(None))
               .values(status="not_started"))


def downgrade() -> None:
    # Values go back to fractions; start and target stay in percent (the old code scored them
    # the same way), and the status the old code cannot read becomes its pace verdict for
    # "no value": off track.
    _scale(0.01, bounds=False)
    op.execute(key_results.update().where(key_results.c.status == "not_started")
               .values(status="off_track"))
