"""Asking and reading, as a guest lives it on a phone: any script, a long list, a weak
connection."""

import requests
from playwright.sync_api import expect
from test_browser import ask_api, chromium, create_event, row, server, until, visitors  # noqa: F401


def ask(page, text):
    page.locator("#ask-body").fill(text)
    page.get_by_role("button", name="Ask").click()


def test_questions_in_scripts_without_spaces_are_accepted(server, visitors):  # noqa: F811
    eid, _ = create_event(server)
    phone = visitors.open(f"/event/{eid}")
    for text in ("なぜ空は青いのですか", "为什么天空是蓝色的", "ทำไมท้องฟ้าถึงเป็นสีฟ้า"):
        ask(phone, text)
        expect(row(phone, text)).to_be_visible()
    texts = requests.get(f"{server.url}/api/event/{eid}/questions", timeout=5).json()
    assert len(texts) == 3
    ask(phone, "Hello")
    expect(phone.locator("#ask-message")).to_have_text(
        "Please use at least two words in your question."
    )
    ask(phone, "مرحبا بالجميع")
    text = row(phone, "مرحبا بالجميع").locator(".text")
    expect(text).to_have_attribute("dir", "auto")
    assert text.evaluate("element => getComputedStyle(element).direction") == "rtl"


def test_a_question_just_asked_is_shown_to_its_asker(server, visitors):  # noqa: F811
    """In a long list the new question ranks low: the page takes the asker to it."""
    eid, _ = create_event(server)
    for n in range(40):
        ask_api(server, eid, f"Earlier question number {n}")
    phone = visitors.open(f"/event/{eid}")
    expect(phone.locator("#pending-questions li.question")).to_have_count(30)
    ask(phone, "Mine is the last one")
    mine = row(phone, "Mine is the last one")
    expect(mine).to_have_class("question mine just-asked")
    expect(mine).to_be_in_viewport()
    expect(phone.locator("#ask-message")).to_contain_text("it is marked below")
    phone.wait_for_timeout(2500)  # the server's list arrives and ranks it
    expect(mine).to_be_in_viewport()
    expect(mine).to_have_class("question mine", timeout=6000)
    # The page scrolled, not a finger: the list goes on updating.
    expect(phone.locator("#live-text")).to_have_text("Live")
    requests.post(f"{server.url}/api/vote/{mine.get_attribute('data-qid')}/up", timeout=5)
    expect(mine.locator("[data-votes]")).to_have_text("2")


def test_a_lost_connection_is_one_message_gone_when_back(server, visitors):  # noqa: F811
    eid, _ = create_event(server)
    qid = ask_api(server, eid, "Is the connection stable?")
    phone = visitors.open(f"/event/{eid}")
    expect(row(phone, "Is the connection stable?")).to_be_visible()
    phone.context.set_offline(True)
    ask(phone, "Sent while offline")
    row(phone, "Is the connection stable?").locator("[data-action=upvote]").click()
    banner = phone.locator("#banner")
    expect(banner).to_contain_text("Lost connection, retrying…")
    expect(phone.locator("#ask-body")).to_have_value("Sent while offline")  # kept
    expect(phone.locator("#ask-message")).to_be_hidden()
    expect(phone.locator("#notice")).to_be_hidden()
    phone.context.set_offline(False)
    expect(banner).to_be_hidden(timeout=8000)
    expect(phone.locator("#live-text")).to_have_text("Live")
    expect(phone.locator("#ask-message")).to_be_hidden()
    assert requests.get(f"{server.url}/api/questions/{qid}", timeout=5).ok


def test_paused_updates_stay_in_view_with_a_one_tap_resume(server, visitors):  # noqa: F811
    eid, _ = create_event(server)
    for n in range(15):
        ask_api(server, eid, f"A question to scroll past {n}")
    phone = visitors.open(f"/event/{eid}")
    expect(phone.locator("#pending-questions li.question")).to_have_count(15)
    phone.mouse.wheel(0, 2500)
    bar = phone.locator("#paused-bar")
    expect(bar).to_be_in_viewport()
    expect(bar).to_contain_text("Updates paused")
    ask_api(server, eid, "Asked while paused")
    phone.wait_for_timeout(2500)
    expect(row(phone, "Asked while paused")).to_have_count(0)
    bar.get_by_role("button", name="Resume").click()
    expect(bar).to_be_hidden()
    expect(row(phone, "Asked while paused")).to_have_count(1)


def test_a_long_list_pages_sorts_and_folds(server, visitors):  # noqa: F811
    eid, secret = create_event(server)
    qids = [ask_api(server, eid, f"Question number {n:03d} here") for n in range(70)]
    for qid in qids[:8]:
        requests.post(
            f"{server.url}/api/event/{eid}/questions/{secret}/{qid}/toggle/answered",
            data="on",
            timeout=5,
        )
    phone = visitors.open(f"/event/{eid}")
    pending = phone.locator("#pending-questions li.question")
    expect(pending).to_have_count(30)
    more = phone.locator("#pending-more")
    expect(more).to_have_text("Show 30 more (32 not shown)")
    expect(phone.locator("#pending-count")).to_have_text("(62)")
    more.click()
    expect(pending).to_have_count(60)
    phone.get_by_role("button", name="Recent").click()
    expect(pending.first).to_contain_text("Question number 069 here")
    expect(phone.get_by_role("button", name="Recent")).to_have_attribute("aria-pressed", "true")
    # Eight answered: folded, one tap away.
    answered = phone.locator("#answered-questions li.question")
    expect(answered.first).to_be_hidden()
    phone.locator("#answered-title").click()
    expect(answered).to_have_count(8)
    expect(answered.first).to_be_visible()


def test_the_box_counts_near_its_limit_and_the_name_has_a_real_label(server, chromium):  # noqa: F811
    eid, _ = create_event(server)
    context = chromium.browser.new_context(viewport={"width": 320, "height": 640})
    try:
        page = context.new_page()
        page.goto(f"{server.url}/event/{eid}")
        counter = page.locator("#ask-count")
        page.locator("#ask-body").fill("word " * 60)
        expect(counter).to_be_hidden()
        page.locator("#ask-body").fill("word " * 90)
        expect(counter).to_have_text("450 / 500")
        page.locator("#ask-body").press_sequentially("x" * 60)
        expect(counter).to_have_text("500 / 500")
        label = page.get_by_text("Your name (optional)")
        expect(label).to_be_visible()
        box = label.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 320
        assert page.get_by_label("Your name (optional)").is_visible()
    finally:
        context.close()


def test_typing_a_reworded_question_offers_the_earlier_one_to_vote_for(server, visitors):  # noqa: F811
    eid, _ = create_event(server)
    earlier = ask_api(server, eid, "when is tomorrow's keynote")
    ask_api(server, eid, "Where can I park my car?")
    phone = visitors.open(f"/event/{eid}")
    expect(phone.locator("#pending-questions li.question")).to_have_count(2)
    phone.locator("#ask-body").press_sequentially("What time does the keynote start tomorrow?")
    typed = phone.evaluate("Date.now()")
    suggestions = phone.locator("#similar-questions")
    offered = suggestions.locator(f"[data-qid='{earlier}']")
    expect(offered).to_be_visible(timeout=3000)
    shown_after = phone.evaluate("Date.now()") - typed
    assert shown_after <= 1000, shown_after
    expect(suggestions.locator("li")).to_have_count(1)
    expect(offered).to_contain_text("1 vote")
    offered.locator("[data-action=upvote]").click()
    expect(offered.locator("button")).to_have_text("Voted")
    for _ in range(50):  # the vote on its way to the server
        if ask_list(server, eid)[earlier] == 2:
            break
        phone.wait_for_timeout(100)
    assert ask_list(server, eid)[earlier] == 2
    expect(row(phone, "when is tomorrow's keynote").locator("[data-votes]")).to_have_text("2")
    # Asking anyway is one tap away, and clears the suggestions.
    phone.get_by_role("button", name="Ask").click()
    expect(row(phone, "What time does the keynote start tomorrow?")).to_be_visible()
    expect(suggestions).to_be_hidden()


def ask_list(running, eid):
    questions = requests.get(f"{running.url}/api/event/{eid}/questions", timeout=5).json()
    return {question["qid"]: question["votes"] for question in questions}
