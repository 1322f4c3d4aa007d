"""The first-load benchmark (bench/firstload.py) runs and reports, in Debian's chromium
against a real `lanqa serve`: its timings are read by people, not asserted."""

import sys
from pathlib import Path

import pytest
from playwright.sync_api import sync_playwright

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import firstload  # noqa: E402
from phones import NO_LIMITS, devices_of, start_lanqa, stop  # noqa: E402


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=firstload.CHROMIUM, args=firstload.CHROMIUM_ARGS
        )
        yield browser, playwright.devices["Pixel 7"]
        browser.close()


@pytest.fixture
def lanqa(tmp_path):
    """(base URL, port, data folder) of a `lanqa serve` with the limits lifted."""
    process, port, _ = start_lanqa(tmp_path, "--limits", NO_LIMITS)
    try:
        yield f"http://127.0.0.1:{port}", port, tmp_path
    finally:
        stop(process)


def test_the_seeded_questions_are_sentences_some_with_names():
    asked = firstload.questions(200, firstload.random.Random(1))
    assert len({text for text, _ in asked}) == 200
    assert all(40 <= len(text) <= 120 for text, _ in asked)
    assert any(name in text for text, _ in asked for name in firstload.NAMES)
    assert any(asker for _, asker in asked)


def test_a_cold_load_then_a_warm_reload_are_measured(chromium, lanqa):
    browser, device = chromium
    base, _, _ = lanqa
    eid, _ = firstload.seed_session(base, 10)
    cold, warm = firstload.first_load(
        browser, device, base, eid, latency_ms=50, kbps=4000, settle=0.5
    )
    print(cold, warm, sep="\n")
    for load in (cold, warm):
        assert load["first question s"] is not None and load["first question s"] > 0
        assert 0 < load["bytes to first question"] <= load["bytes settled"]
        assert load["requests"][0]["path"] == f"/event/{eid}"
    assert warm["bytes settled"] < cold["bytes settled"]
    # The reload revalidates the page; its files come from the cache.
    assert warm["requests"][0]["status"] == 304
    assert any(r["path"].startswith("/assets/guest.") and r["cache"] for r in warm["requests"])


def test_a_phone_page_under_votes_is_measured(chromium, lanqa):
    browser, device = chromium
    base, port, data_dir = lanqa
    eid, _ = firstload.seed_session(base, 10)
    row = firstload.hall(
        browser,
        device,
        base,
        port,
        eid,
        devices_of(data_dir),
        rate=20,
        seconds=5,
        latency_ms=50,
        kbps=4000,
    )
    print(row)
    assert row["questions"] == 10
    assert row["votes acked"] > 0 and row["vote errors"] == 0
    assert row["bytes received"] > 0 and row["KB/min received"] > 0
    assert row["polls"] >= 1 and row["polls 200"] + row["polls 304"] == row["polls"]
    matching, compared = map(int, row["counts matching"].split("/"))
    assert compared == 10 and 0 <= matching <= compared
