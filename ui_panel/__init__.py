"""The dashboard, the embeddable panel views and the Jira Forge app's remote endpoints."""
from __future__ import annotations


def register_ui(app) -> None:
    """Register the dashboard, panel and Forge blueprints and the template helpers."""
    from okr_core.rules import NO_TARGET_WARNING
    from ui_panel import charts, formatting
    from ui_panel.checkin_views import bp as checkins_bp
    from ui_panel.cycle_pages import bp as cycle_pages_bp
    from ui_panel.dashboard import bp as dashboard_bp
    from ui_panel.forge_views import bp as forge_bp
    from ui_panel.panel import bp as panel_bp
    from ui_panel.sync_page import bp as sync_bp

    for blueprint in (dashboard_bp, checkins_bp, cycle_pages_bp, sync_bp, panel_bp, forge_bp):
        app.register_blueprint(blueprint)
    app.jinja_env.globals.update(
        progress_bar=charts.progress_bar, trend_chart=charts.trend_chart,
        status_text=charts.status_text, percent=charts.percent,
        progress_text=formatting.progress_text, no_target_warning=NO_TARGET_WARNING,
        value_text=formatting.value_text, kr_value=formatting.kr_value,
        pace_flag=formatting.pace_flag, score_label_of=formatting.label_of,
        cycle_closed=formatting.is_closed)
    app.config.setdefault("VALUE_DECIMALS", formatting.configured_decimals())
