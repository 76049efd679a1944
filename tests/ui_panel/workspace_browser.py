"""Helpers for the workspace's browser tests: check an error beside its field, the width, lines
of text, and run an analysis to the end."""
from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.ui_panel.live_server import screenshot

NARROW = {"width": 360, "height": 780}


def error_beside(page, field_id: str, text: str) -> None:
    """The message shows under the field, which is marked invalid and points to it."""
    expect(page.locator(f"#err-{field_id}")).to_contain_text(text)
    assert page.locator(f"#f-{field_id}").get_attribute("aria-invalid") == "true"


def kept(page, field_id: str, typed: str) -> None:
    """What was typed is still in the field after the refused submit."""
    expect(page.locator(f"#f-{field_id}")).to_have_value(typed)


# How many lines the text of each element matching a selector takes.
LINES = """selector => [...document.querySelectorAll(selector)].map(element => {
  const range = document.createRange();
  range.selectNodeContents(element);
  return new Set([...range.getClientRects()].map(r => Math.round(r.top))).size;
})"""


def text_lines(page, selector: str) -> list[int]:
    """How many lines the text of each element matching `selector` takes, in page order."""
    return page.evaluate(LINES, selector)


def fits_width(page, name: str) -> None:
    """Nothing scrolls sideways at this viewport; a screenshot is kept for a human to look at."""
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    screenshot(page, name)
    assert overflow <= 0, f"{name}: {overflow}px wider than the viewport"


def run_analysis(page, timeout: int = 60_000) -> str:
    """Click AI Analysis & Insights and wait until the panel shows the very run the click
    started (or joined): not an older finished one, nor a newer run queued meanwhile."""
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.rstrip("/").endswith("/analysis")) as answer:
        page.get_by_role("button", name="AI Analysis & Insights").click()
    match = re.search(r'data-run="(\d+)"', answer.value.text())
    assert match, "the panel did not say which run it started"
    expect(page.locator("#analysis-panel")).to_have_attribute(
        "data-shown-run", match.group(1), timeout=timeout)
    return match.group(1)
