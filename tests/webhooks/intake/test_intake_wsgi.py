"""Deliveries are answered in front of Flask (okrsync/intake_wsgi.py) with the answers, headers and
error format the Flask route gives; every other request on those paths still reaches Flask."""
from __future__ import annotations

import io

import pytest
from sqlalchemy.exc import OperationalError

import okrsync.intake_wsgi
from okr_core.domain import TrackerKind
from okr_core.ids import MAX_ID
from tests.webhooks.intake.intake_helpers import deliveries, fixture_delivery, post

JIRA = TrackerKind.JIRA
SECURITY = {"X-Frame-Options": "DENY", "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin"}


def _has_security_headers(response) -> None:
    for name, value in SECURITY.items():
        assert response.headers[name] == value
    assert "frame-ancestors 'none'" in response.headers["Content-Security-Policy"]


def test_a_delivery_is_stored_and_answered_without_flask(app, client, jira_id, flask_requests):
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-1")
    response = post(client, "jira", jira_id, body, headers)
    assert response.status_code == 200 and response.get_json()["status"] == "accepted"
    assert response.get_json()["delivery_id"] == deliveries(app)[0].id
    _has_security_headers(response)
    assert "Strict-Transport-Security" not in response.headers
    assert flask_requests == []


def test_refusals_keep_their_status_format_and_headers(app, client, jira_id, flask_requests):
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-2")
    headers["X-Hub-Signature"] = "sha256=" + "0" * 64
    refused = post(client, "jira", jira_id, body, headers)
    assert refused.status_code == 401
    assert refused.get_json()["error"]["code"] == "signature-mismatch"
    _has_security_headers(refused)
    unknown = post(client, "jira", jira_id + 1000, body, headers)
    assert unknown.status_code == 404
    assert unknown.get_json()["error"]["code"] == "unknown-connection"
    assert flask_requests == [] and deliveries(app) == []


def test_https_behind_a_proxy_gets_hsts(client, jira_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-3")
    response = post(client, "jira", jira_id, body, {**headers, "X-Forwarded-Proto": "https"})
    assert response.status_code == 200
    assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")


@pytest.mark.parametrize("extra", [{}, {"X-Forwarded-Proto": "https"}])
def test_its_answers_have_the_status_line_and_headers_of_the_flask_route(app, jira_id, extra):
    """Intake's answers are written straight to WSGI: the same bytes Flask's route would send."""
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-7")
    headers = {**headers, **extra, "X-Hub-Signature": "sha256=" + "0" * 64}
    sent = {}
    for name, wsgi in (("in front", app.wsgi_app), ("flask", app.wsgi_app.flask_wsgi)):
        environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/webhooks/jira/{jira_id}",
                   "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
                   "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
                   "wsgi.input": io.BytesIO(body), "wsgi.errors": io.StringIO(),
                   **{"HTTP_" + name.upper().replace("-", "_"): value
                      for name, value in headers.items()}}
        started = []
        answer = b"".join(wsgi(environ, lambda status, got: started.append((status, got))))
        sent[name] = (started[0][0], sorted(started[0][1]), answer)
    assert sent["in front"] == sent["flask"]
    assert sent["flask"][0] == "401 UNAUTHORIZED" and b"signature-mismatch" in sent["flask"][2]
    assert (("Strict-Transport-Security" in dict(sent["flask"][1]))
            == (extra.get("X-Forwarded-Proto") == "https"))


@pytest.mark.parametrize("method", ["GET", "PUT"])
def test_other_methods_reach_flask_405_with_allow(client, jira_id, flask_requests, method):
    response = client.open(f"/webhooks/jira/{jira_id}", method=method)
    assert response.status_code == 405 and "POST" in response.headers["Allow"]
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert flask_requests == [f"/webhooks/jira/{jira_id}"]


@pytest.mark.parametrize("path", [f"/webhooks/jira/{MAX_ID + 1}", "/webhooks/gitlab/1",
                                  "/webhooks/jira/1/", "/webhooks/jira/abc"])
def test_paths_it_does_not_answer_reach_flask_as_404(client, flask_requests, path):
    response = client.post(path, data=b"{}", headers={"Content-Type": "application/json"})
    assert response.status_code == 404 and response.is_json
    assert flask_requests == [path]


def test_a_client_gone_before_its_body_is_400_in_the_error_format(app, jira_id):
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-4")
    environ = {"REQUEST_METHOD": "POST", "PATH_INFO": f"/webhooks/jira/{jira_id}",
               "SERVER_NAME": "localhost", "SERVER_PORT": "80", "wsgi.url_scheme": "http",
               "CONTENT_TYPE": "application/json", "CONTENT_LENGTH": str(len(body)),
               "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(),
               **{"HTTP_" + name.upper().replace("-", "_"): value
                  for name, value in headers.items()}}
    started = []
    answer = b"".join(app.wsgi_app(environ, lambda status, sent: started.append((status, sent))))
    assert started[0][0].startswith("400")
    assert b'"error"' in answer and dict(started[0][1])["X-Content-Type-Options"] == "nosniff"
    assert deliveries(app) == []


def _failing(exc):
    def intake(*_args):
        raise exc
    return intake


def test_a_store_error_escaping_intake_is_503_with_retry_after(app, client, jira_id, monkeypatch):
    monkeypatch.setattr(okrsync.intake_wsgi, "intake",
                        _failing(OperationalError("INSERT", {}, RuntimeError("gone"))))
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-5")
    response = client.post(f"/webhooks/jira/{jira_id}", data=body, headers=headers)
    assert response.status_code == 503 and response.headers["Retry-After"] == "5"
    assert response.get_json()["error"]["code"] == "store_unavailable"


def test_an_unexpected_error_is_500_in_the_error_format_when_not_testing(app, client, jira_id,
                                                                          monkeypatch):
    monkeypatch.setattr(okrsync.intake_wsgi, "intake", _failing(RuntimeError("bug")))
    monkeypatch.setitem(app.config, "TESTING", False)
    body, headers = fixture_delivery(JIRA, "jira_issue_updated__resolved", "wsgi-6")
    response = client.post(f"/webhooks/jira/{jira_id}", data=body, headers=headers)
    assert response.status_code == 500
    assert response.get_json()["error"]["code"] == "internal_server_error"
    assert "bug" not in response.get_data(as_text=True)
    _has_security_headers(response)
