"""Two apps share each rule's compiled URL builder, and each builds its own URLs with it."""
from __future__ import annotations

from flask import Flask, url_for

from okrsync.routing import SharedBuilderRule


def _app(prefix: str) -> Flask:
    app = Flask(__name__)
    app.url_rule_class = SharedBuilderRule
    app.add_url_rule("/objectives/<int:objective_id>", "objective", lambda objective_id: "")
    app.add_url_rule("/cycles/<int:cycle_id>", "cycle", lambda cycle_id: "")
    app.add_url_rule("/teams/", "teams", lambda page: "", defaults={"page": 1})
    app.config["APPLICATION_ROOT"] = prefix
    return app


def test_apps_share_builders_and_each_builds_its_own_urls():
    first, second = _app("/"), _app("/okr")
    rule_1, rule_2 = (next(first.url_map.iter_rules("objective")),
                      next(second.url_map.iter_rules("objective")))
    assert rule_1 is not rule_2 and rule_1._build.__func__ is rule_2._build.__func__
    assert rule_1._build_unknown.__func__ is rule_2._build_unknown.__func__
    with first.test_request_context():
        assert url_for("objective", objective_id=7, view="tree") == "/objectives/7?view=tree"
        assert url_for("teams") == "/teams/"
    with second.test_request_context():
        assert url_for("objective", objective_id=8) == "/okr/objectives/8"
        assert url_for("cycle", cycle_id=3) == "/okr/cycles/3"
    teams = [next(app.url_map.iter_rules("teams")) for app in (first, second)]
    assert teams[0]._build.__func__ is not teams[1]._build.__func__   # defaults: not shared
