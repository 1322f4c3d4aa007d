"""Moderation and presenting in real browsers: review before public, "now answering",
replies, undo, closing and deleting a session, as the host, the guests' phones and the
projector live them.

Screenshots go to $LANQA_SHOTS when it is set (else to the test's tmp_path), to be looked at.
"""

import os
import re
import time
from pathlib import Path

import pytest
import requests
import test_browser
from playwright.sync_api import expect
from test_browser import ask_api, create_event, host_list, row, until

# The browser and server fixtures of test_browser.py.
chromium, server, visitors = test_browser.chromium, test_browser.server, test_browser.visitors

LAPTOP = {"width": 1280, "height": 800}
WIDE = {"width": 1280, "height": 720}  # a 16:9 projector
# The host at a laptop, or on a phone (the Pixel 7 the guests have).
HOSTS = {"laptop": {"phone": False, "viewport": LAPTOP}, "phone": {"phone": True}}
SEEN_WITHIN = 3.0  # seconds for a change to reach the other screens
SEEN_MS = SEEN_WITHIN * 1000


@pytest.fixture
def shots(tmp_path):
    folder = Path(os.environ.get("LANQA_SHOTS") or tmp_path)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def ask(page, text):
    page.locator("#ask-body").fill(text)
    page.get_by_role("button", name="Ask", exact=True).click()


def settings(server, eid, secret):
    return requests.get(f"{server.url}/api/event/{eid}/settings/{secret}", timeout=5).json()


def toggle(server, eid, secret, qid, prop, on=True):
    url = f"{server.url}/api/event/{eid}/questions/{secret}/{qid}/toggle/{prop}"
    requests.post(url, data="on" if on else "off", timeout=5).raise_for_status()


def reply_api(server, eid, secret, qid, text):
    url = f"{server.url}/api/event/{eid}/questions/{secret}/{qid}/reply"
    requests.post(url, json={"reply": text}, timeout=5).raise_for_status()


def asked_here(page, eid):
    """The ids of the questions asked on page's browser, from its store."""
    return page.evaluate(f"Object.keys(JSON.parse(localStorage.getItem('event::{eid}')).asked)")


def eventually(check, timeout=5.0):
    deadline = time.monotonic() + timeout
    while not check():
        assert time.monotonic() < deadline, "still not so"
        time.sleep(0.05)


def focused_question(page):
    """The text of the question whose row holds the keyboard's focus, and the action of
    the focused button."""
    return page.evaluate("""() => {
        const focused = document.activeElement;
        const row = focused && focused.closest("li.question");
        return row && [row.querySelector(".text").textContent, focused.dataset.action || null];
    }""")


def open_host(visitors, eid, secret, where="laptop", **options):
    return visitors.open(f"/event/{eid}/{secret}", **{**HOSTS[where], **options})


@pytest.mark.parametrize("where", HOSTS)
def test_a_question_waits_for_review_seen_by_its_asker_alone(server, visitors, where, shots):
    eid, secret = create_event(server, "Town hall")
    host = open_host(visitors, eid, secret, where)
    review_switch = host.get_by_role("switch", name="Review before public")
    review_switch.check()
    eventually(lambda: settings(server, eid, secret)["moderation"])
    expect(host.locator("#review-questions")).to_contain_text("wait here for your approval")
    asker = visitors.open(f"/event/{eid}")
    other = visitors.open(f"/event/{eid}")

    ask(asker, "Is the venue step-free?")
    mine = row(asker, "Is the venue step-free?")
    expect(mine.locator(".waiting-mark")).to_have_text("Waiting for the speaker", timeout=4000)
    expect(mine).to_have_class(re.compile(r"\bwaiting\b"))
    in_review = row(host, "Is the venue step-free?", "review")
    expect(in_review).to_be_visible(timeout=SEEN_MS)
    expect(host.locator("#review-title")).to_have_text("Review (1)")
    host.screenshot(path=shots / f"host-review-{where}.png")
    expect(in_review.locator("[data-action=highlight]")).to_be_hidden()
    other.wait_for_timeout(2500)  # a poll or two
    expect(other.locator("li.question")).to_have_count(0)
    assert requests.get(f"{server.url}/api/event/{eid}/questions", timeout=5).json() == []
    asker.reload()  # the asker's phone remembers it
    expect(row(asker, "Is the venue step-free?").locator(".waiting-mark")).to_be_visible()

    in_review.locator("[data-action=approve]").click()
    approved = time.monotonic()
    expect(host.locator("#notice")).to_contain_text("Question approved")
    expect(row(host, "Is the venue step-free?")).to_be_visible()
    expect(host.locator("#review-questions li.question")).to_have_count(0)
    for guest in (asker, other):
        expect(row(guest, "Is the venue step-free?")).to_be_visible(timeout=SEEN_MS)
    assert time.monotonic() - approved < SEEN_WITHIN
    expect(row(asker, "Is the venue step-free?")).not_to_have_class(re.compile(r"\bwaiting\b"))
    expect(row(asker, "Is the venue step-free?").locator(".waiting-mark")).to_be_hidden()


def test_undo_puts_questions_back_and_focus_moves_through_the_section(server, visitors):
    eid, secret = create_event(server)
    texts = ["First question here", "Second question here", "Third question here"]
    qids = [ask_api(server, eid, text) for text in texts]
    for qid, votes in zip(qids, (3, 2, 1), strict=True):
        for _ in range(votes - 1):
            requests.post(f"{server.url}/api/vote/{qid}/up", timeout=5)
    toggle(server, eid, secret, qids[0], "highlighted")
    host = open_host(visitors, eid, secret)
    expect(row(host, texts[1]).locator("[data-votes]")).to_have_text("2")
    expect(row(host, texts[0], "now")).to_be_visible()

    # From the keyboard: answering moves the focus on to the next question of the section.
    row(host, texts[1]).locator("[data-action=mark_answered]").focus()
    host.keyboard.press("Enter")
    expect(row(host, texts[1], "answered")).to_be_visible()
    assert focused_question(host) == [texts[2], "mark_answered"]
    notice = host.locator("#notice")
    expect(notice).to_contain_text("Marked as answered.")
    notice.get_by_role("button", name="Undo").click()
    expect(row(host, texts[1])).to_be_visible()
    expect(host.locator("#pending-questions .text")).to_have_text(texts[1:])
    assert focused_question(host) == [texts[1], "mark_answered"]
    eventually(lambda: all("answered" not in q for q in host_list(server, eid, secret)))

    # Hiding the last one: the focus goes to the one before; Ctrl+Z undoes it.
    row(host, texts[2]).locator("[data-action=hide]").focus()
    host.keyboard.press("Enter")
    expect(row(host, texts[2], "hidden")).to_be_visible()
    assert focused_question(host) == [texts[1], "hide"]
    expect(notice).to_contain_text("Question hidden.")
    host.keyboard.press("Control+z")
    expect(row(host, texts[2])).to_be_visible()
    expect(notice).to_be_hidden()
    eventually(lambda: not any(q["hidden"] for q in host_list(server, eid, secret)))

    # The question now answered, answered and put back: now answered again, and the
    # focus never goes to the bottom of the page.
    row(host, texts[0], "now").locator("[data-action=mark_answered]").click()
    expect(row(host, texts[0], "answered")).to_be_visible()
    expect(host.locator("#now-questions")).to_be_hidden()
    assert focused_question(host)[0] == texts[1]
    eventually(lambda: "highlighted" not in host_list(server, eid, secret)[-1])
    notice.get_by_role("button", name="Undo").click()
    expect(row(host, texts[0], "now")).to_be_visible()
    eventually(lambda: host_list(server, eid, secret)[0].get("highlighted") is True)
    assert all("answered" not in q for q in host_list(server, eid, secret))


def test_undo_of_approve_puts_the_question_back_in_review(server, visitors):
    eid, secret = create_event(server)
    requests.post(
        f"{server.url}/api/event/{eid}/settings/{secret}", json={"moderation": True}, timeout=5
    )
    texts = ["Review me first", "Review me second"]
    for text in texts:
        ask_api(server, eid, text)
    host = open_host(visitors, eid, secret)
    expect(host.locator("#review-questions li.question")).to_have_count(2)
    row(host, texts[0], "review").locator("[data-action=approve]").focus()
    host.keyboard.press("Enter")
    expect(row(host, texts[0])).to_be_visible()
    assert focused_question(host) == [texts[1], "approve"]
    host.locator("#notice").get_by_role("button", name="Undo").click()
    expect(host.locator("#review-questions .text")).to_have_text(texts)
    eventually(lambda: all(q.get("review") for q in host_list(server, eid, secret)))

    # Left alone, the offer goes after 5 seconds, and the approval stays.
    row(host, texts[0], "review").locator("[data-action=approve]").click()
    expect(host.locator("#notice")).to_be_visible()
    host.wait_for_timeout(4000)
    expect(host.locator("#notice")).to_be_visible()
    expect(host.locator("#notice")).to_be_hidden(timeout=2000)
    host.keyboard.press("Control+z")  # nothing left to undo
    host.wait_for_timeout(500)
    assert [bool(q.get("review")) for q in host_list(server, eid, secret)].count(False) == 1
    expect(row(host, texts[0])).to_be_visible()


def test_now_answering_and_replies_reach_the_phones_and_the_projector(server, visitors, shots):
    eid, secret = create_event(server, "Town hall")
    texts = [
        "Will the slides be shared after the talk?",
        "How does voting work here?",
        "What happens to the questions nobody had time for?",
        "Is there a recording of this session?",
        "Where can we continue the discussion afterwards?",
    ]
    for text in texts:
        ask_api(server, eid, text, "Ada" if "slides" in text else None)
    host = open_host(visitors, eid, secret)
    phone = visitors.open(f"/event/{eid}")
    projector = visitors.open(f"/event/{eid}/projector", phone=False, viewport=WIDE)
    expect(projector.locator("#projector-list li").first).to_be_visible()
    expect(phone.locator("#now-questions")).to_be_hidden()
    expect(projector.locator("#projector-now")).to_be_hidden()

    slides = row(host, texts[0])
    slides.locator("[data-action=highlight]").click()
    started = time.monotonic()
    expect(row(host, texts[0], "now").locator("[data-action=highlight]")).to_have_text("Stop")
    expect(row(phone, texts[0], "now")).to_be_visible(timeout=SEEN_MS)
    expect(projector.locator("#projector-now-text")).to_have_text(texts[0], timeout=SEEN_MS)
    assert time.monotonic() - started < SEEN_WITHIN
    expect(phone.locator("#now-title")).to_have_text("Now answering")
    expect(row(phone, texts[0])).to_have_count(0)  # pinned, not also in the list
    # One at a time: another one takes its place.
    row(host, texts[1]).locator("[data-action=highlight]").click()
    expect(host.locator("#now-questions li.question")).to_have_count(1)
    expect(projector.locator("#projector-now-text")).to_have_text(texts[1], timeout=SEEN_MS)
    row(host, texts[1], "now").locator("[data-action=highlight]").click()
    expect(host.locator("#now-questions")).to_be_hidden()
    expect(projector.locator("#projector-now")).to_be_hidden(timeout=SEEN_MS)
    row(host, texts[0]).locator("[data-action=highlight]").click()

    now = row(host, texts[0], "now")
    now.locator("[data-action=reply]").click()
    box = now.get_by_label("Your reply, shown under the question")
    expect(box).to_be_focused()
    box.fill("Yes: on the conference website tonight.")
    host.screenshot(path=shots / "host-reply-box.png")
    box.press("Enter")
    expect(now.locator(".reply-text")).to_have_text("Yes: on the conference website tonight.")
    expect(now.locator("form")).to_have_count(0)
    expect(now.locator("[data-action=reply]")).to_be_focused()
    expect(row(phone, texts[0], "now").locator(".reply-text")).to_have_text(
        "Yes: on the conference website tonight.", timeout=SEEN_MS
    )
    expect(projector.locator("#projector-now-reply-text")).to_have_text(
        "Yes: on the conference website tonight.", timeout=SEEN_MS
    )
    expect(projector.locator("#projector-list li.projector-question:visible")).not_to_have_count(0)
    projector.screenshot(path=shots / "projector-16x9-now-answering.png")
    projector.set_viewport_size({"width": 1024, "height": 768})
    projector.wait_for_timeout(300)
    projector.screenshot(path=shots / "projector-4x3-now-answering.png")
    assert projector.evaluate("document.documentElement.scrollHeight") <= 768
    phone.screenshot(path=shots / "phone-now-answering.png")

    # Removed: gone from every screen.
    now.locator("[data-action=reply]").click()
    now.get_by_role("button", name="Remove reply").click()
    expect(now.locator(".reply")).to_be_hidden()
    expect(projector.locator("#projector-now-reply")).to_be_hidden(timeout=SEEN_MS)
    expect(row(phone, texts[0], "now").locator(".reply")).to_be_hidden(timeout=SEEN_MS)


def test_the_projector_fills_a_4_by_3_screen(server, visitors, shots):
    eid, secret = create_event(server, "Town hall")
    for n in range(6):
        ask_api(server, eid, f"An open question from the room, number {n}")
    screen = {"width": 1024, "height": 768}
    projector = visitors.open(f"/event/{eid}/projector", phone=False, viewport=screen)
    expect(projector.locator("#projector-list li").first).to_be_visible()
    until(projector, "document.querySelector('#projector-qr').naturalWidth > 0")
    projector.screenshot(path=shots / "projector-4x3.png")
    size = projector.evaluate(
        "parseFloat(getComputedStyle(document.querySelector('.projector-text')).fontSize)"
    )
    assert size >= 24  # 18 px when it drew a 16:9 canvas on it
    qr = projector.locator("#projector-qr").bounding_box()
    assert qr["width"] >= 330
    more = projector.locator("#projector-more").bounding_box()
    assert more["y"] > screen["height"] * 0.6  # the questions reach down the screen
    assert projector.evaluate("document.documentElement.scrollHeight") <= screen["height"]


def test_a_closed_session_keeps_its_note_when_the_title_comes_late(server, visitors):
    eid, secret = create_event(server, "Town hall")
    requests.post(
        f"{server.url}/api/event/{eid}/settings/{secret}", json={"closed": True}, timeout=5
    )
    held = []

    def hold_the_title(page):
        page.route(f"**/api/event/{eid}", lambda route: held.append(route))

    phone = visitors.open(f"/event/{eid}", prepare=hold_the_title)
    expect(phone.locator("#ask-closed")).to_be_visible()
    held[0].continue_()
    expect(phone.locator("#event-title")).to_have_text("Town hall")
    expect(phone.locator("#ask-form")).to_be_hidden()
    expect(phone.locator("#ask-closed")).to_be_visible()


def test_closing_puts_a_note_in_place_of_the_form(server, visitors):
    eid, secret = create_event(server)
    ask_api(server, eid, "Asked before closing time")
    host = open_host(visitors, eid, secret)
    phone = visitors.open(f"/event/{eid}")
    expect(phone.locator("#ask-form")).to_be_visible()
    phone.locator("#ask-body").fill("Typed but not sent yet")

    host.get_by_role("button", name="Close questions").click()
    expect(host.locator("#session-state")).to_contain_text("Questions are closed")
    expect(phone.locator("#ask-closed")).to_contain_text("Questions are closed", timeout=SEEN_MS)
    expect(phone.locator("#ask-form")).to_be_hidden()
    # Reading and voting go on.
    asked = row(phone, "Asked before closing time")
    asked.locator("[data-action=upvote]").click()
    expect(asked.locator("[data-votes]")).to_have_text("2")
    refused = requests.post(
        f"{server.url}/api/event/{eid}", json={"body": "Too late now"}, timeout=5
    )
    assert refused.status_code == 403

    host.get_by_role("button", name="Reopen questions").click()
    expect(phone.locator("#ask-form")).to_be_visible(timeout=SEEN_MS)
    expect(phone.locator("#ask-body")).to_have_value("Typed but not sent yet")
    expect(phone.locator("#ask-closed")).to_be_hidden()


def test_deleting_a_session_takes_two_taps_and_leaves_nothing(server, visitors):
    eid, secret = create_event(server, "To be deleted")
    ask_api(server, eid, "A question that goes with it")
    host = open_host(visitors, eid, secret)
    expect(row(host, "A question that goes with it")).to_be_visible()
    delete = host.locator("#delete-button")
    delete.click()
    expect(delete).to_have_text("Tap again to delete")
    host.wait_for_timeout(300)
    assert requests.get(f"{server.url}/api/event/{eid}", timeout=5).ok  # one tap: nothing
    delete.click()
    expect(host).to_have_url(re.compile(r"/$"))
    expect(host.locator("#create-event-button")).to_be_visible()
    expect(host.locator("#recent-list")).not_to_contain_text("To be deleted")
    assert requests.get(f"{server.url}/api/event/{eid}", timeout=5).status_code == 404
    guest = visitors.open(f"/event/{eid}")
    expect(guest.locator("#live-title")).to_have_text("This session was not found")


def test_the_asker_is_told_when_the_question_is_answered_and_replied(server, visitors, shots):
    eid, secret = create_event(server, "Town hall")
    ask_api(server, eid, "Someone else's question here")
    asker = visitors.open(f"/event/{eid}")
    ask(asker, "Will the workshop be repeated next year?")
    expect(row(asker, "Will the workshop be repeated")).to_be_visible()
    [qid] = asked_here(asker, eid)
    other = [q["qid"] for q in host_list(server, eid, secret) if q["qid"] != qid][0]
    toggle(server, eid, secret, other, "answered")  # not the asker's: nothing to tell
    asker.wait_for_timeout(2500)
    expect(asker.locator("#told")).to_be_hidden()

    reply_api(server, eid, secret, qid, "Yes, in May: the dates follow by e-mail.")
    toggle(server, eid, secret, qid, "answered")
    told = asker.locator("#told")
    expect(told).to_be_visible(timeout=SEEN_MS)
    expect(told).to_contain_text("Your question was answered")  # with a reply, or after it
    expect(told).to_contain_text("Will the workshop be repeated next year?")
    expect(told).to_contain_text("Yes, in May: the dates follow by e-mail.")
    mine = row(asker, "Will the workshop be repeated", "answered")
    expect(mine.locator(".reply-text")).to_have_text("Yes, in May: the dates follow by e-mail.")
    asker.screenshot(path=shots / "asker-answered.png")
    told.get_by_role("button", name="OK").click()
    expect(told).to_be_hidden()
    asker.reload()  # told once: remembered
    expect(row(asker, "Will the workshop be repeated", "answered")).to_be_visible()
    asker.wait_for_timeout(2500)
    expect(told).to_be_hidden()


def test_the_asker_hears_the_news_when_they_next_look(server, visitors):
    eid, secret = create_event(server)
    asker = visitors.open(f"/event/{eid}")
    ask(asker, "What about the evening programme?")
    expect(row(asker, "What about the evening programme?")).to_be_visible()
    set_hidden = """(hidden) => {
        Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    asker.evaluate(set_hidden, True)  # the phone goes into a pocket
    toggle(server, eid, secret, host_list(server, eid, secret)[0]["qid"], "answered")
    asker.wait_for_timeout(1500)
    expect(asker.locator("#told")).to_be_hidden()
    asker.evaluate(set_hidden, False)
    expect(asker.locator("#told")).to_contain_text("Your question was answered.", timeout=3000)


@pytest.mark.parametrize("screen", [{"width": 1366, "height": 768}, LAPTOP])
def test_the_share_panel_fits_a_laptop_screen_down_to_the_export(server, visitors, screen):
    eid, secret = create_event(server)
    host = open_host(visitors, eid, secret, viewport=screen)
    expect(host.locator("#share-devices")).to_be_visible()
    panel = host.locator("#share-panel").bounding_box()
    export = host.locator("#export-summary").bounding_box()
    assert panel["y"] + panel["height"] <= screen["height"]
    assert export["y"] + export["height"] <= panel["y"] + panel["height"]
    assert host.evaluate("document.querySelector('#share-panel').scrollTop") == 0
    for control in ("#moderation-switch", "#close-button", "#delete-button", "#share-qr"):
        box = host.locator(control).bounding_box()
        assert box["y"] + box["height"] <= screen["height"], control
    host.locator("#export-summary").click()
    expect(host.locator("#export-menu [data-format=csv]")).to_be_visible()


def test_a_session_without_moderation_looks_as_before(server, visitors):
    eid, secret = create_event(server)
    ask_api(server, eid, "A plain question")
    host = open_host(visitors, eid, secret)
    phone = visitors.open(f"/event/{eid}")
    expect(row(host, "A plain question")).to_be_visible()
    for page in (host, phone):
        for section in ("#review-questions", "#now-questions", "#ask-closed", "#told"):
            expect(page.locator(section)).to_be_hidden()
    ask(phone, "Asked without review")
    expect(row(phone, "Asked without review")).to_have_class(re.compile(r"\bmine\b"))
    expect(row(host, "Asked without review")).to_be_visible(timeout=SEEN_MS)
    phone.wait_for_timeout(2500)
    expect(row(phone, "Asked without review").locator(".waiting-mark")).to_be_hidden()
    stored = phone.evaluate(f"JSON.parse(localStorage.getItem('event::{eid}'))")
    assert stored["waiting"] == {}


def test_the_host_merges_duplicates_and_the_asker_finds_theirs(server, visitors, shots):
    eid, secret = create_event(server)
    ask_api(server, eid, "Will the slides be online after the talk?")
    phone = visitors.open(f"/event/{eid}")
    ask(phone, "Can we get the slides afterwards?")
    expect(row(phone, "Can we get the slides afterwards?")).to_be_visible()
    host = open_host(visitors, eid, secret)
    for text in ("Will the slides be online", "Can we get the slides"):
        row(host, text).locator("[data-action=select]").check()
    merge = host.locator("#merge-selected")
    expect(merge).to_have_text("Merge selected (2)")
    merge.click()
    expect(host.locator("#notice")).to_contain_text("1 question merged")
    survivor = row(host, "Will the slides be online")
    expect(survivor.locator(".also-item > span")).to_have_text(
        "Also asked as: Can we get the slides afterwards?"
    )
    # The question keeps its own direction in a page of another script (<bdi>).
    expect(survivor.locator(".also-item bdi")).to_have_text("Can we get the slides afterwards?")
    expect(host.locator("#pending-questions li.question")).to_have_count(1)
    # The asker's question went under the other one: they see it there, with their vote.
    mine = row(phone, "Will the slides be online")
    expect(mine.locator(".also")).to_contain_text(
        "Can we get the slides afterwards?", timeout=SEEN_MS
    )
    expect(mine).to_have_class(re.compile(r"\bmine\b"))
    expect(mine.locator(".vote")).to_have_attribute("aria-pressed", "true")
    expect(mine.locator("[data-votes]")).to_have_text("2")
    expect(phone.locator("#pending-questions li.question")).to_have_count(1)
    phone.screenshot(path=shots / "merged-phone.png")
    [item] = requests.get(f"{server.url}/api/event/{eid}/questions", timeout=5).json()
    assert item["votes"] == 2 and len(item["also"]) == 1
    # The host undoes it: the asker's question is theirs again, with their vote.
    [merged] = item["also"]
    undone = requests.post(
        f"{server.url}/api/event/{eid}/questions/{secret}/{merged['qid']}/unmerge", timeout=5
    )
    assert undone.status_code == 200
    expect(phone.locator("#pending-questions li.question")).to_have_count(2, timeout=SEEN_MS)
    again = row(phone, "Can we get the slides afterwards?")
    expect(again).to_have_class(re.compile(r"\bmine\b"))
    expect(again.locator(".vote")).to_have_attribute("aria-pressed", "true")
    other = row(phone, "Will the slides be online")
    expect(other).not_to_have_class(re.compile(r"\bmine\b"))
    expect(other.locator(".vote")).to_have_attribute("aria-pressed", "false")
    expect(other.locator("[data-votes]")).to_have_text("1")


def test_the_host_merges_a_look_alike_with_one_tap(server, visitors):
    eid, secret = create_event(server)
    ask_api(server, eid, "Is the talk being recorded?")
    ask_api(server, eid, "is the talk being recorded")
    host = open_host(visitors, eid, secret)
    later = host.locator("#pending-questions li.question").filter(
        has=host.locator(".like:not([hidden])")
    )
    expect(later).to_have_count(1)
    expect(later.locator(".like-text")).to_have_text("Looks like: Is the talk being recorded?")
    later.locator("[data-action=merge_like]").click()
    expect(host.locator("#notice")).to_contain_text("Merged into the earlier question.")
    expect(host.locator("#pending-questions li.question")).to_have_count(1)
    also = host.locator("#pending-questions .also-item")
    expect(also.locator("span")).to_have_text("Also asked as: is the talk being recorded")
    # A mistaken tap is undone from the notice, as hiding or answering is.
    host.locator("#notice .notice-undo").click()
    expect(host.locator("#notice")).to_contain_text("Merge undone")
    expect(host.locator("#pending-questions li.question")).to_have_count(2)
    expect(also).to_have_count(0)
    # Or later, from the merged text's own button.
    later.locator("[data-action=merge_like]").click()
    expect(also).to_have_count(1)
    separate = also.get_by_role("button", name="Separate again: is the talk being recorded")
    separate.click()
    expect(host.locator("#notice")).to_contain_text("Merge undone")
    expect(host.locator("#pending-questions li.question")).to_have_count(2)
    expect(also).to_have_count(0)
