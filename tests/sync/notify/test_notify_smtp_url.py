"""OKRSYNC_SMTP_URL: the scheme picks the TLS mode, the port its usual default, and a malformed
URL is refused without being repeated (it may carry a password)."""
from __future__ import annotations

import pytest

from config.notification_settings import SmtpUrlError, env_smtp_settings, parse_smtp_url
from config.settings import load_settings


@pytest.mark.parametrize("url, expected", [
    ("smtps://bot:p%40ss@mail.example", ("mail.example", 465, "ssl", "bot", "p@ss")),
    ("smtps://mail.example:2465", ("mail.example", 2465, "ssl", "", "")),
    ("smtp://bot:secret@mail.example", ("mail.example", 587, "starttls", "bot", "secret")),
    ("smtp://relay.internal", ("relay.internal", 25, "none", "", "")),
    ("smtp://relay.internal:2525", ("relay.internal", 2525, "none", "", "")),
])
def test_the_scheme_and_credentials_decide_tls_and_the_port(url, expected):
    smtp = parse_smtp_url(url)
    assert (smtp.host, smtp.port, smtp.tls, smtp.username, smtp.password) == expected


@pytest.mark.parametrize("url", ["http://u:hunter22@mail.example", "smtp://", "smtp://h:notaport",
                                 "mail.example"])
def test_a_malformed_url_is_refused_without_repeating_it(url):
    with pytest.raises(SmtpUrlError) as refused:
        parse_smtp_url(url)
    assert str(refused.value).startswith("OKRSYNC_SMTP_URL") and "hunter22" not in str(refused.value)


def test_the_settings_read_both_variables_and_hide_the_url_from_repr(tmp_path):
    settings = load_settings({"OKRSYNC_INSTANCE_PATH": str(tmp_path),
                              "OKRSYNC_SMTP_URL": "smtp://bot:hunter22@mail.example:587",
                              "OKRSYNC_MAIL_FROM": "okrs@mail.example"}, dotenv=False)
    assert "hunter22" not in repr(settings)
    smtp = env_smtp_settings(settings)
    assert (smtp.host, smtp.mail_from, smtp.configured) == ("mail.example", "okrs@mail.example", True)
    assert "hunter22" not in repr(smtp)
