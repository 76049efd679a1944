"""Outbound URL safety: public https only, private ranges refused, redirects re-checked."""
from __future__ import annotations

import pytest
import requests
import responses

from config.urlsafety import (
    UnsafeURL, check_outbound_url, safe_session, valid_allowlist_entry,
)

PUBLIC_IP = "93.184.216.34"
HOSTS = {"tracker.example": [PUBLIC_IP], "inside.example": ["10.0.0.7"],
         "mixed.example": [PUBLIC_IP, "192.168.1.4"], "meta.example": ["169.254.169.254"]}


def resolve(host: str, port: int) -> list[str]:
    """A fixed DNS: literal addresses resolve to themselves, names from HOSTS."""
    return HOSTS.get(host, [host.strip("[]")])


@pytest.mark.parametrize("url", [
    "https://127.0.0.1/", "https://10.1.2.3/", "https://172.16.0.1/", "https://192.168.0.10/",
    "https://169.254.169.254/latest/meta-data/", "https://[::1]/", "https://[::ffff:127.0.0.1]/",
    "https://[::ffff:10.0.0.1]/", "https://[fd12:3456::1]/", "https://[fe80::1]/",
    "https://0.0.0.0/", "https://inside.example/", "https://mixed.example/",
    "https://meta.example/",
])
def test_private_loopback_link_local_and_metadata_addresses_are_refused(url):
    with pytest.raises(UnsafeURL, match="private, loopback or link-local"):
        check_outbound_url(url, (), resolve)


@pytest.mark.parametrize("url, reason", [
    (f"http://{PUBLIC_IP}/", "must use https"),
    ("ftp://tracker.example/", "absolute https URL"),
    ("/relative/path", "absolute https URL"),
    ("https://user:pw@tracker.example/", "credentials do not belong"),
    ("https://tracker.example:notaport/", "port is not a number"),
    ("https://x[2/", "not valid: Invalid IPv6 URL"),
    ("https://[::1/", "not valid: Invalid IPv6 URL"),
])
def test_malformed_or_plain_http_urls_are_refused(url, reason):
    with pytest.raises(UnsafeURL, match=reason):
        check_outbound_url(url, (), resolve)


@pytest.mark.parametrize("url", ["https://$\U000f27f9\x15", "https://a..b.example/", "https://" + "x" * 64 + ".example/"])
def test_a_host_the_system_resolver_cannot_encode_is_refused_not_a_crash(url):
    """getaddrinfo raises UnicodeError, not gaierror, for hosts IDNA cannot encode (it was a 500)."""
    with pytest.raises(UnsafeURL, match="not a valid domain name"):
        check_outbound_url(url)


def test_a_public_https_url_is_accepted():
    assert check_outbound_url("https://tracker.example/rest", (), resolve) == \
        "https://tracker.example/rest"


@pytest.mark.parametrize("entry, url", [
    ("127.0.0.1", "http://127.0.0.1:8080/"),
    ("127.0.0.1:8080", "http://127.0.0.1:8080/"),
    ("10.0.0.0/8", "https://inside.example/"),
    ("inside.example", "https://inside.example/"),
    ("::1", "https://[::1]/"),
])
def test_an_allowlisted_host_port_or_network_is_accepted(entry, url):
    assert check_outbound_url(url, (entry,), resolve) == url


def test_the_allowlist_is_exact_about_ports_and_hosts():
    with pytest.raises(UnsafeURL):
        check_outbound_url("http://127.0.0.1:9999/", ("127.0.0.1:8080",), resolve)
    with pytest.raises(UnsafeURL):
        check_outbound_url("https://inside.example/", ("other.example",), resolve)


@responses.activate(assert_all_requests_are_fired=True)
def test_a_redirect_to_a_private_address_is_refused_before_it_is_followed():
    responses.get("https://tracker.example/rest/api/3/myself", status=302,
                  headers={"Location": "http://10.0.0.7/admin"})
    session = safe_session((), resolve)
    with pytest.raises(UnsafeURL, match="https"):
        session.get("https://tracker.example/rest/api/3/myself")
    assert [call.request.url for call in responses.calls] == \
        ["https://tracker.example/rest/api/3/myself"]


@responses.activate(assert_all_requests_are_fired=True)
def test_a_redirect_to_the_metadata_address_over_https_is_refused():
    responses.get("https://tracker.example/a", status=307,
                  headers={"Location": "https://169.254.169.254/latest/meta-data/"})
    with pytest.raises(UnsafeURL, match="private, loopback or link-local"):
        safe_session((), resolve).get("https://tracker.example/a")


@responses.activate(assert_all_requests_are_fired=True)
def test_a_redirect_between_public_hosts_is_followed():
    responses.get("https://tracker.example/a", status=301,
                  headers={"Location": f"https://{PUBLIC_IP}/b"})
    responses.get(f"https://{PUBLIC_IP}/b", json={"ok": True})
    assert safe_session((), resolve).get("https://tracker.example/a").json() == {"ok": True}


def test_the_safe_session_refuses_private_urls_without_sending_anything():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mock:
        with pytest.raises(UnsafeURL):
            safe_session((), resolve).post("https://192.168.0.10/graphql", json={})
        assert len(mock.calls) == 0


def test_the_safe_session_is_a_requests_session_with_the_allowlist():
    session = safe_session(("127.0.0.1",), resolve)
    assert isinstance(session, requests.Session)
    assert session.outbound_allowlist == ("127.0.0.1",)


@pytest.mark.parametrize("entry, valid", [
    ("127.0.0.1", True), ("10.0.0.0/8", True), ("jira.intra.example", True),
    ("jira.intra.example:8443", True), ("::1", True), ("fd00::/8", True),
    ("http://x", False), ("a b", False), ("", False), ("-bad.example", False),
])
def test_allowlist_entries_are_hosts_ports_or_networks(entry, valid):
    assert valid_allowlist_entry(entry) is valid


@pytest.mark.parametrize("url", [
    "https://[64:ff9b::a9fe:a9fe]/",          # NAT64 (RFC 6052) to the metadata address
    "https://[64:ff9b:1::a9fe:a9fe]/",        # local-use NAT64 (RFC 8215)
    "https://[2002:a9fe:a9fe::1]/",           # 6to4 (RFC 3056)
    "https://[::127.0.0.1]/",                 # IPv4-compatible
    "https://[::ffff:0:7f00:1]/",             # IPv4-translated (SIIT)
    "https://[::ffff:a00:1]/",                # IPv4-mapped, hex form
    "https://[2001:0:a9fe:a9fe::c0a8:1]/",    # Teredo with a link-local server
    "https://[2001:0:5db8:d822:0:0:f5ff:fffe]/",  # Teredo whose client is 10.0.0.1
])
def test_ipv6_forms_that_embed_a_private_ipv4_address_are_refused(url):
    with pytest.raises(UnsafeURL, match="private, loopback or link-local"):
        check_outbound_url(url, (), resolve)


@pytest.mark.parametrize("url", ["https://[64:ff9b::5db8:d822]/", "https://[2002:5db8:d822::1]/",
                                 "https://[2606:4700:4700::1111]/"])
def test_ipv6_forms_that_reach_a_public_address_are_allowed(url):
    assert check_outbound_url(url, (), resolve) == url
