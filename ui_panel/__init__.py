"""The dashboard, the embeddable panel views and the Jira Forge app's remote endpoints."""
from __future__ import annotations


def _number(value) -> str:
    """A value as people write it: 12 rather than 12.0, "none" when unset."""
    return "none" if value is None else f"{round(value, 2):g}"


def _past_halfway(cycle) -> bool:
    """The guide's mid-cycle review is due: half of the cycle's days have gone."""
    from okr_core.models import utcnow
    from okr_core.rules import expected_progress

    return expected_progress(cycle.start_date, cycle.end_date, utcnow()) >= 0.5


def register_ui(app) -> None:
    """Register the dashboard, panel and Forge blueprints and the template helpers."""
    from okr_core.rules import NO_TARGET_WARNING
    from okr_core.wording import counted
    from ui_panel import charts, formatting, sync_words
    from ui_panel.alignment_page import bp as alignment_bp
    from ui_panel.analysis_panel import build_panel, status_bar
    from ui_panel.analysis_views import bp as analysis_bp
    from ui_panel.fast_urls import id_url
    from sync.ingest.link_preview import stored_error_words
    from ui_panel.kr_chart import progress_chart
    from ui_panel.kr_forms import MEASURE_WORDS
    from ui_panel.link_context import LINK_KIND_WORDS
    from ui_panel.objective_forms import VISIBILITY_WORDS
    from ui_panel.checkin_views import bp as checkins_bp
    from ui_panel.cycle_admin import bp as cycle_admin_bp
    from ui_panel.cycle_review import bp as cycle_review_bp
    from ui_panel.cycle_pages import bp as cycle_pages_bp
    from ui_panel.dashboard import bp as dashboard_bp
    from ui_panel.draft_views import bp as drafts_bp, register_template_helpers
    from ui_panel.error_pages import init_error_pages
    from ui_panel.forge_views import bp as forge_bp
    from ui_panel.kr_pages import bp as kr_pages_bp
    from ui_panel.link_work import bp as link_work_bp
    from ui_panel.objective_pages import bp as objective_pages_bp
    from ui_panel.notification_prefs import bp as notification_prefs_bp
    from ui_panel.panel import bp as panel_bp
    from ui_panel.sync_page import bp as sync_bp
    from ui_panel.tree_branches import bp as branches_bp

    for blueprint in (dashboard_bp, checkins_bp, cycle_pages_bp, sync_bp, panel_bp, forge_bp,
                      cycle_admin_bp, cycle_review_bp, objective_pages_bp, kr_pages_bp,
                      link_work_bp, analysis_bp, alignment_bp, branches_bp, drafts_bp,
                      notification_prefs_bp):
        app.register_blueprint(blueprint)
    register_template_helpers(app)
    init_error_pages(app)
    app.jinja_env.globals.update(
        progress_bar=charts.progress_bar, trend_chart=charts.trend_chart,
        status_text=charts.status_text, percent=charts.percent, number=_number,
        progress_text=formatting.progress_text, no_target_warning=NO_TARGET_WARNING,
        value_text=formatting.value_text, kr_value=formatting.kr_value,
        pace_flag=formatting.pace_flag, score_label_of=formatting.label_of,
        cycle_closed=formatting.is_closed,
        analysis_panel=build_panel, progress_chart=progress_chart, id_url=id_url,
        analysis_status_bar=status_bar, link_error_words=stored_error_words,
        past_halfway=_past_halfway, tracker_name=sync_words.tracker_name,
        pass_kind=sync_words.pass_kind, pass_counts=sync_words.pass_counts,
        failure_words=sync_words.failure_words, event_words=sync_words.event_words,
        measure_words=MEASURE_WORDS, link_kind_words=LINK_KIND_WORDS,
        visibility_words=VISIBILITY_WORDS, counted=counted)
    app.config.setdefault("VALUE_DECIMALS", formatting.configured_decimals())
