"""Where a sign-in may send the browser next: a path on this site, nothing else."""
from __future__ import annotations

import re
from urllib.parse import urlsplit, urlunsplit

# The WHATWG URL parser drops leading and trailing C0 controls and spaces, and removes every
# ASCII tab and newline anywhere (https://url.spec.whatwg.org/#concept-basic-url-parser), so
# "/\t/evil.example" reaches the browser as "//evil.example". Do the same before judging.
_EDGES = "".join(chr(c) for c in range(0x21))
_TAB_OR_NEWLINE = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def same_site_path(target: str | None) -> str | None:
    """`target` as a path (with query and fragment) on this site, or None when it is not one."""
    if not target:
        return None
    cleaned = _TAB_OR_NEWLINE.sub("", target.strip(_EDGES))
    # Browsers read "\" as "/" in http(s) URLs: "/\evil.example" is another host.
    if "\\" in cleaned or _CONTROL.search(cleaned):
        return None
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme or parts.netloc or not parts.path.startswith("/") \
            or parts.path.startswith("//"):
        return None
    return urlunsplit(("", "", parts.path, parts.query, parts.fragment))
