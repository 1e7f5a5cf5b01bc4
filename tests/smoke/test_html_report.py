"""The HTML report in a real headless browser: one row per case, highlighted word differences,
sorting and filtering that work, nothing fetched from anywhere; and a screenshot for the README."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

from browser import Browser, chromium_or_skip
from conftest import Smoke
from decision import PRICES, assert_no_keys, prompts_file, read_json
from server import Reply

SCREENSHOT = Path(__file__).resolve().parents[2] / "examples" / "smoke-report.png"

# (topic, baseline answer, candidate answer): same, equivalent, drift, numbers that differ, cut off.
ANSWERS = [
    ("capital of France", "The capital of France is Paris.", "The capital of France is Paris."),
    (
        "sky is blue",
        "Sunlight scatters off air molecules, and blue light scatters most. That is why the sky looks blue.",
        "Sunlight scatters off air molecules and blue light scatters the most; that is why the sky looks blue.",
    ),
    (
        "haiku",
        "Rain taps the tin roof / maple leaves drift in the dark / autumn hums along",
        "Tin roof, autumn rain / each drop a small cold drumbeat / the night listens close",
    ),
    (
        "list and a tuple",
        "A list is mutable; a tuple is immutable and can be a dict key.",
        "A list is mutable;  a tuple is immutable and can be a dict key.\n",
    ),
    ("marathon", "Build mileage slowly, practise race-day fuelling, and start slower than you feel.", None),
    (
        "hash map",
        "A hash map stores key-value pairs and finds a value by hashing its key, in O(1) time on average.",
        "A hash map keeps key-value pairs in buckets chosen by hashing the key, so lookups are fast on average.",
    ),
    (
        "photosynthesis",
        "Plants turn light, water and CO2 into glucose and oxygen.",
        "Plants turn light, water and CO2 into glucose and oxygen.",
    ),
    (
        "parcel is late",
        "We are sorry your parcel is late. It left our warehouse on Monday and should arrive within 2 days.",
        "We are sorry your parcel is late. It left our warehouse on Monday and should arrive within 3 days.",
    ),
]


def scripted(side: int) -> Callable[[dict[str, Any]], Reply]:
    def reply(body: dict[str, Any]) -> Reply:
        for topic, *answers in ANSWERS:
            if topic in str(body["messages"]):
                text = answers[side]
                if text is None:  # the candidate stops at its token limit
                    return Reply("Build mileage slowly, practise", finish_reason="length")
                return Reply(text)
        return Reply("?")

    return reply


def test_the_html_report_sorts_filters_and_highlights_in_a_browser(two_tokenizers: Smoke, tmp_path: Path) -> None:
    binary = chromium_or_skip()
    (tmp_path / "prices.toml").write_text(PRICES, "utf-8")
    two_tokenizers.baseline.default = scripted(0)
    two_tokenizers.candidate.default = scripted(1)
    prompts_file(tmp_path, 8)
    result = two_tokenizers(
        Path("prompts.jsonl"), "--model", "mira", "--pricing", "prices.toml",
        "--report", "r.html", "--report", "r.json", "--max-cost-increase", "0",
    )  # fmt: skip
    assert result.exit_code == 0, result.stderr
    html = (tmp_path / "r.html").read_text("utf-8")
    assert html.count("<tbody ") == 8 and "<link" not in html and "src=" not in html
    cases = read_json(tmp_path / "r.json")["cases"]
    drifted = [case["id"] for case in cases if case["verdict"] == "drift"]
    assert {case["verdict"] for case in cases} == {"same", "equivalent", "drift", "broken"} and len(drifted) == 3

    browser = Browser(binary, tmp_path / "profile")
    try:
        browser.load(tmp_path / "r.html")
        ids = "Array.from(document.querySelectorAll('#cases tbody')).map(b => b.dataset.id)"
        shown = "Array.from(document.querySelectorAll('#cases tbody')).filter(b => !b.hidden).map(b => b.dataset.id)"
        assert browser.evaluate(ids) == [case["id"] for case in cases]  # file order, one row per case
        assert browser.evaluate("document.querySelectorAll('#cases tr.main').length") == 8
        highlighted = browser.evaluate("document.querySelectorAll('#cases ins.w, #cases del.w').length")
        assert highlighted >= 2 * len(drifted)
        assert "max-cost-increase" in browser.evaluate("document.querySelector('.summary').innerText")

        # Sorting by similarity (a real click on the header) puts the least similar case first.
        browser.click("th[data-key=similarity]")
        by_similarity = [case["id"] for case in sorted(cases, key=lambda c: (c["similarity"], cases.index(c)))]
        assert browser.evaluate(ids) == by_similarity != [case["id"] for case in cases]
        browser.click("th[data-key=similarity]")
        assert browser.evaluate(ids)[0] == max(cases, key=lambda c: c["similarity"])["id"]
        browser.click("th[data-key=similarity]")  # back to the least similar first, for the screenshot

        # Filtering by verdict and by text.
        browser.evaluate("(() => { const s = document.getElementById('verdict'); s.value = 'drift';"
                         " s.dispatchEvent(new Event('change')); })()")  # fmt: skip
        assert sorted(browser.evaluate(shown)) == sorted(drifted)
        browser.evaluate("(() => { const s = document.getElementById('verdict'); s.value = '';"
                         " s.dispatchEvent(new Event('change')); const f = document.getElementById('filter');"
                         " f.value = 'c03'; f.dispatchEvent(new Event('input')); })()")  # fmt: skip
        assert (
            browser.evaluate(shown) == ["c03"] and browser.evaluate("document.getElementById('shown').innerText") == "1"
        )
        browser.evaluate("(() => { const f = document.getElementById('filter'); f.value = '';"
                         " f.dispatchEvent(new Event('input')); })()")  # fmt: skip

        # A click on a row opens the answers side by side, differences highlighted.
        worst = by_similarity[0]
        browser.click(f"tbody[data-id={worst}] tr.main")
        detail = f"tbody[data-id={worst}] tr.detail"
        assert browser.evaluate(f"getComputedStyle(document.querySelector('{detail}')).display") == "table-row"
        assert browser.evaluate(f"document.querySelectorAll('{detail} ins.w').length") > 0
        browser.screenshot(tmp_path / "report.png")
        # Nothing but the file itself was requested: the page is self-contained.
        assert [url for url in browser.requested_urls() if not url.startswith("file://")] == []
    finally:
        browser.close()
    png = (tmp_path / "report.png").read_bytes()
    assert png.startswith(b"\x89PNG\r\n\x1a\n") and len(png) > 10_000
    if os.environ.get("UPDATE_README_SCREENSHOT") == "1":
        shutil.copyfile(tmp_path / "report.png", SCREENSHOT)
    assert_no_keys(result, tmp_path / "r.html")
