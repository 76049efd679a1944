"""Admin pages for the LLM (model, base URL, encrypted key, a test call) and the allowlist."""
from __future__ import annotations

import openai
from flask import current_app, render_template

from okrsync.admin.blueprint import admin_only, bp, commit_audited
from okrsync.admin.forms import SECRET_HINT, AllowlistForm, LlmForm
from config.instance_settings import (
    load_allowlist, load_llm_settings, save_allowlist, save_llm_settings,
)
from config.known_secrets import known_secrets
from config.stored_allowlist import refresh_stored_allowlist
from config.urlsafety import (
    UnsafeURL, check_outbound_url, valid_allowlist_entry,
)
from ui_panel.signin import current_web_user
from plumbing.db import request_session
from sync.analysis.llm_client import pinned_llm_client, refusal_behind
from plumbing.services import allowlist, secret_box

TEST_PROMPT = "Reply with the single word: ready"


def _current():
    return load_llm_settings(request_session(), current_app.config["SETTINGS"], secret_box())


def _page(form=None, allow_form=None, status: int = 200, **extra):
    current = _current()
    form = form or LlmForm(formdata=None, data={"model": current.model,
                                                "base_url": current.base_url or ""})
    allow_form = allow_form or AllowlistForm(
        formdata=None, data={"hosts": "\n".join(load_allowlist(request_session()))})
    return render_template("admin/llm.html", form=form, allow_form=allow_form,
                           key_set=bool(current.api_key), secret_hint=SECRET_HINT,
                           env_allowlist=current_app.config["SETTINGS"].outbound_allowlist,
                           **extra), status


@bp.get("/llm")
@admin_only
def llm():
    return _page()


@bp.post("/llm")
@admin_only
def save_llm():
    form = LlmForm()
    if not form.validate_on_submit():
        return _page(form=form, status=422)
    base_url = (form.base_url.data or "").strip().rstrip("/") or None
    if base_url:
        try:
            check_outbound_url(base_url, tuple(allowlist()))
        except UnsafeURL as refused:
            form.base_url.errors.append(f"Refused: {refused}")
            return _page(form=form, status=422)
    save_llm_settings(request_session(), current_web_user().id, secret_box(),
                      form.model.data.strip(), base_url, (form.api_key.data or "").strip() or None)
    commit_audited()
    return _page(saved=True)


@bp.post("/allowlist")
@admin_only
def save_outbound_allowlist():
    form = AllowlistForm()
    if not form.validate_on_submit():
        return _page(allow_form=form, status=422)
    if form.hosts.data is None:  # the field missing, not empty (an empty box clears the list)
        form.hosts.errors.append("Give the list of hosts (leave the box empty to clear it).")
        return _page(allow_form=form, status=422)
    hosts = [line.strip().lower() for line in form.hosts.data.splitlines() if line.strip()]
    bad = [h for h in hosts if not valid_allowlist_entry(h)]
    if bad:
        form.hosts.errors.append("Not a host, host:port or CIDR: " + ", ".join(bad))
        return _page(allow_form=form, status=422)
    save_allowlist(request_session(), current_web_user().id, hosts)
    commit_audited()
    refresh_stored_allowlist(current_app)
    return _page(allow_saved=True)


@bp.post("/llm/test")
@admin_only
def test_llm():
    return _page(llm_result=run_llm_test())


def run_llm_test() -> tuple[bool, str]:
    """One tiny chat completion through the outbound-checked session: (ok, message)."""
    current = _current()
    if not current.api_key:
        return False, "No API key is set (here or in OPENAI_API_KEY)."
    allowed = tuple(allowlist())
    try:
        if current.base_url:
            check_outbound_url(current.base_url, allowed)
        client = pinned_llm_client(current.api_key, current.base_url, allowed,
                                   timeout=20.0, max_retries=0)
        reply = client.chat.completions.create(
            model=current.model, max_tokens=5,
            messages=[{"role": "user", "content": TEST_PROMPT}])
    except UnsafeURL as refused:
        return False, f"The base URL is refused: {refused}"
    except openai.AuthenticationError:
        return False, "The LLM server rejected the API key (401)."
    except openai.NotFoundError:
        return False, f"The model {current.model!r} or the endpoint was not found (404)."
    except openai.APIConnectionError as failure:
        refused = refusal_behind(failure)
        if refused is not None:
            return False, f"The base URL is refused: {refused}"
        return False, "Could not reach the LLM server: check the base URL."
    except openai.APIError as failure:
        return False, known_secrets(current_app).redact(f"The LLM call failed: {failure}")
    text = (reply.choices[0].message.content or "").strip() if reply.choices else ""
    return True, f"The model {current.model} answered: {text[:80]!r}"
