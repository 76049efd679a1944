"""The Flask application factory: wires settings, store, queue, API, webhooks and pages."""
from __future__ import annotations

from pathlib import Path

from flask import Flask, send_from_directory

import ui_panel

from config.headers import init_headers
from config.settings import Settings, load_settings
from ui_panel.signin import init_web_auth
from okrsync.admin import init_admin
from api import register_api
from api.errors import register_error_handlers
from plumbing.db import init_db
from plumbing.logging_setup import configure_logging
from okrsync.id_bounds import bound_route_ids
from okrsync.intake_wsgi import answer_webhooks_first
from okrsync.ops import bp as ops_bp
from okrsync.routing import SharedBuilderRule
from plumbing.services import init_services
from plumbing.queue import init_queue
from webhooks.views import bp as webhooks_bp

MAX_BODY = 5 * 1024 * 1024
UI_TEMPLATES = Path(ui_panel.__file__).parent / "templates"
UI_STATIC = Path(ui_panel.__file__).parent / "static"


def create_app(test_config: dict | None = None, settings: Settings | None = None) -> Flask:
    settings = settings or load_settings()
    app = Flask(__name__, instance_path=str(settings.instance_path), static_folder=None,
                template_folder=str(UI_TEMPLATES))
    app.url_rule_class = SharedBuilderRule
    bound_route_ids(app)
    app.add_url_rule("/static/<path:filename>", "ui_static",
                     lambda filename: send_from_directory(UI_STATIC, filename))
    app.config.update(SETTINGS=settings, SECRET_KEY=settings.secret_key, JSON_SORT_KEYS=False,
                      MAX_CONTENT_LENGTH=MAX_BODY + 1024)
    if test_config:
        app.config.update(test_config)
    configure_logging(settings.log_format)
    init_db(app)
    init_services(app)
    init_queue(app)
    register_error_handlers(app)
    app.register_blueprint(ops_bp)
    app.register_blueprint(webhooks_bp)
    register_api(app)
    init_web_auth(app)
    init_admin(app)   # the admin pages build on sign-in
    ui_panel.register_ui(app)
    init_headers(app)
    answer_webhooks_first(app)
    return app
