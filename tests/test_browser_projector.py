"""The projector view and the host's guest link, in a real browser against `lanqa serve`."""

import json
import re

import requests
import test_browser
from playwright.sync_api import expect
from test_browser import ask_api, create_event, until

# The browser and server fixtures of test_browser.py.
chromium, server, visitors = test_browser.chromium, test_browser.server, test_browser.visitors

SCREEN = {"width": 1280, "height": 720}


def share_url(server, eid):
    return requests.get(f"{server.url}/api/event/{eid}/share", timeout=5).json()["url"]


def shown(projector):
    """The projector's questions, top first: [(text, votes), ...]."""
    rows = projector.locator("#projector-list li.projector-question:visible")
    texts = rows.locator(".projector-text").all_inner_texts()
    return list(zip(texts, rows.locator("[data-votes]").all_inner_texts(), strict=True))


def test_projector_shows_the_code_the_link_and_the_top_questions_live(server, visitors):
    eid, _ = create_event(server, "Town hall")
    projector = visitors.open(f"/event/{eid}/projector", phone=False, viewport=SCREEN)
    expect(projector.locator("#projector-title")).to_have_text("Town hall")
    expect(projector.locator("#projector-empty")).to_have_text("No questions yet — scan to ask")
    expect(projector.locator("#projector-link")).to_have_text(share_url(server, eid))
    until(projector, "document.querySelector('#projector-qr').naturalWidth > 0")
    qr = projector.locator("#projector-qr").bounding_box()
    assert qr["width"] >= 400 and qr["y"] + qr["height"] <= SCREEN["height"]

    guest = visitors.open(f"/event/{eid}")
    for text in ("Where do the slides live?", "Is there a recording?"):
        guest.fill("textarea[name=body]", text)
        guest.click("#ask-form button[type=submit]")
        expect(guest.locator("#ask-message")).to_contain_text("Thanks!")
    expect(projector.locator("#projector-list li")).to_have_count(2, timeout=3000)
    assert shown(projector) == [("Where do the slides live?", "1"), ("Is there a recording?", "1")]
    voter = visitors.open(f"/event/{eid}")
    voter.locator("li.question", has_text="recording").locator("[data-action=upvote]").click()
    expect(projector.locator("#projector-list li").first).to_contain_text(
        "Is there a recording?", timeout=3000
    )
    assert shown(projector) == [("Is there a recording?", "2"), ("Where do the slides live?", "1")]

    # Side by side, and all on one screen.
    questions = projector.locator("#projector-list").bounding_box()
    assert qr["x"] + qr["width"] < questions["x"]
    assert projector.evaluate("document.documentElement.scrollHeight") <= SCREEN["height"]
    # To be read, not used: no form, no votes, no host controls.
    expect(projector.locator("form:visible, [data-action]:visible")).to_have_count(0)
    expect(projector.locator("button:visible")).to_have_text(["Full screen"])


def test_projector_lists_the_top_five_open_questions_in_server_order(server, visitors):
    eid, secret = create_event(server)
    qids = [ask_api(server, eid, f"Open question number {n}") for n in range(8)]
    for qid, flag in ((qids[0], "answered"), (qids[1], "hidden")):
        requests.post(
            f"{server.url}/api/event/{eid}/questions/{secret}/{qid}/toggle/{flag}",
            data="on",
            timeout=5,
        )
    for qid in qids[5:]:
        requests.post(f"{server.url}/api/vote/{qid}/up", timeout=5)
    order = requests.get(f"{server.url}/api/event/{eid}/questions", timeout=5).json()
    expected = [item for item in order if "answered" not in item and not item["hidden"]][:5]
    details = requests.get(
        f"{server.url}/api/questions/{','.join(item['qid'] for item in expected)}", timeout=5
    ).json()

    projector = visitors.open(f"/event/{eid}/projector", phone=False, viewport=SCREEN)
    expect(projector.locator("#projector-list li:visible")).to_have_count(5)
    assert shown(projector) == [
        (details[item["qid"]]["text"], str(item["votes"])) for item in expected
    ]
    expect(projector.locator("#projector-more")).to_have_text("1 more question on your phone")


def test_full_screen_button_hides_while_full_screen(server, visitors):
    eid, _ = create_event(server)
    projector = visitors.open(f"/event/{eid}/projector", phone=False, viewport=SCREEN)
    button = projector.get_by_role("button", name="Full screen")
    button.click()
    expect(button).to_be_hidden()
    projector.evaluate("document.exitFullscreen()")
    expect(button).to_be_visible()


def test_link_and_qr_follow_an_address_change(server, visitors):
    eid, secret = create_event(server)
    install_clock = lambda page: page.clock.install()  # noqa: E731
    host = visitors.open(f"/event/{eid}/{secret}", phone=False, prepare=install_clock)
    projector = visitors.open(
        f"/event/{eid}/projector", phone=False, viewport=SCREEN, prepare=install_clock
    )
    before = share_url(server, eid)
    expect(host.locator("#share-link")).to_have_text(before)
    expect(projector.locator("#projector-link")).to_have_text(before)

    moved = re.sub(r"//[^/:]+", "//10.9.8.7", before)
    for page in (host, projector):
        page.route(
            "**/share*",
            lambda route: route.fulfill(
                content_type="application/json",
                body=json.dumps({"url": moved, "lan": True, "addresses": []}),
            ),
        )
        page.clock.fast_forward(11_000)
    expect(host.locator("#share-link")).to_have_text(moved)
    expect(host.locator("#share-qr")).to_have_attribute("src", f"/api/event/{eid}/qr.svg?v=1")
    expect(projector.locator("#projector-link")).to_have_text(moved)
    expect(projector.locator("#projector-qr")).to_have_attribute(
        "src", f"/api/event/{eid}/qr.svg?v=1"
    )
    until(host, "document.querySelector('#share-qr').naturalWidth > 0")


def test_projector_says_so_when_there_is_no_local_network(serve, chromium):
    server = serve("--host", "127.0.0.1")
    people = test_browser.Visitors(chromium, server)
    try:
        eid, _ = create_event(server)
        projector = people.open(f"/event/{eid}/projector", phone=False, viewport=SCREEN)
        expect(projector.locator("#projector-offline")).to_contain_text("No local network found")
        expect(projector.locator("#projector-qr")).to_be_hidden()
        expect(projector.locator("#projector-link")).to_be_hidden()
    finally:
        people.close()
    assert people.errors == [] and people.foreign() == []
