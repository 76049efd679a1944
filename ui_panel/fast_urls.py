"""url_for for the thousand links of a large tree: built once per endpoint, then filled in."""
from __future__ import annotations

from flask import g, url_for

_MARK = 987654321987


def id_url(endpoint: str, name: str, ident: int) -> str:
    """url_for(endpoint, **{name: ident}), from a per-request template of the endpoint's URL."""
    cache = g.setdefault("id_url_templates", {})
    template = cache.get(endpoint)
    if template is None:
        template = cache[endpoint] = url_for(endpoint, **{name: _MARK})
    return template.replace(str(_MARK), str(int(ident)))
