"""A phone that meets the real server's vote limit is told, in words, what to do."""

import pytest
from playwright.sync_api import expect
from test_browser import Visitors, ask_api, chromium, create_event, row  # noqa: F401


@pytest.fixture
def strict(serve, chromium):  # noqa: F811
    """A server that allows a device 3 votes a minute, and a browser for it."""
    server = serve("--limits", "vote=3/60")
    people = Visitors(chromium, server)
    yield server, people
    people.close()
    assert people.errors == [] and people.foreign() == []


def test_a_phone_over_the_vote_limit_sees_how_long_to_wait(strict):
    server, people = strict
    eid, _ = create_event(server)
    ask_api(server, eid, "First question here")
    ask_api(server, eid, "Second question here")
    page = people.open(f"/event/{eid}")
    first, second = row(page, "First question here"), row(page, "Second question here")
    first.locator("[data-action=upvote]").click()
    expect(first.locator("[data-votes]")).to_have_text("2")
    first.locator("[data-action=downvote]").click()
    expect(first.locator("[data-votes]")).to_have_text("1")
    second.locator("[data-action=upvote]").click()
    expect(second.locator("[data-votes]")).to_have_text("2")
    first.locator("[data-action=upvote]").click()  # the fourth vote in a minute
    expect(page.locator("#notice")).to_have_text(
        "Too many votes in a short time: wait 20 seconds, then try again."
    )
    expect(first.locator("[data-votes]")).to_have_text("1")
    expect(first.locator("[data-action=upvote]")).to_be_visible()
