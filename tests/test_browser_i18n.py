"""The pages in the audience's own language, in a real browser against `lanqa serve`: the
phone's language picks the catalog, Arabic reads right to left, and the language menu is
remembered. Screenshots of each land in /tmp/lanqa-i18n-shots/ for a person to look at.

The words expected come from the catalogs (lanqa/locales/*.po), so the tests pin that each
page speaks its catalog, not a translator's wording of the day.
"""

import re
from pathlib import Path

import pytest
import requests
import test_browser
from playwright.sync_api import expect
from test_browser import ask_api, create_event, row

from lanqa import i18n

# The browser and server fixtures of test_browser.py.
chromium, server, visitors = test_browser.chromium, test_browser.server, test_browser.visitors

SHOTS = Path("/tmp/lanqa-i18n-shots")
SCREEN = {"width": 1280, "height": 720}
ARABIC_QUESTION = "هل ستكون الشرائح متاحة بعد المحاضرة؟"
LIVE_TITLES = ("Choose your session", "No session is open yet")


def said(lang, message, plural=None, n=None, **values):
    """message as the pages say it in lang; a catalog that lacks it fails the test."""
    entry = i18n.po(lang).get(message)
    forms = entry and (entry.string if isinstance(entry.string, tuple) else (entry.string,))
    assert forms and all(forms), f"the {lang} catalog does not translate {message!r}"
    return i18n.Text(message, plural, n, **values).to(lang)


def shot(page, name):
    SHOTS.mkdir(exist_ok=True)
    page.wait_for_timeout(400)  # rows that moved have slid home
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


def seed(server, eid, secret):
    """Pending questions (one in Arabic, one with a name), an answered one, votes."""
    asked = ask_api(server, eid, "Will the slides be online afterwards?", "Ada")
    ask_api(server, eid, ARABIC_QUESTION, "ليلى")
    answered = ask_api(server, eid, "When is the next release?")
    requests.post(f"{server.url}/api/vote/{asked}/up", timeout=5)
    base = f"{server.url}/api/event/{eid}/questions/{secret}"
    requests.post(f"{base}/{answered}/toggle/answered", data="on", timeout=5)


@pytest.fixture
def session(server):
    eid, secret = create_event(server, "Town hall")
    seed(server, eid, secret)
    return eid, secret


def test_a_phone_in_german_sees_german(session, visitors):
    eid, _ = session
    phone = visitors.open(f"/event/{eid}", locale="de-DE")
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    expect(phone.locator("html")).to_have_attribute("dir", "ltr")
    expect(phone.locator("#ask-form button[type=submit]")).to_have_text(said("de", "Ask"))
    expect(phone.locator("label[for=ask-body]")).to_have_text(said("de", "Ask a question"))
    expect(phone.locator("#ask-body")).to_have_attribute(
        "placeholder", said("de", "Type your question…")
    )
    expect(phone.locator("#live-text")).to_have_text(said("de", "Live"))
    named = row(phone, "Will the slides be online afterwards?")
    expect(named.locator(".who")).to_have_text(said("de", "by {name}", name="Ada"))
    expect(named.locator(".vote")).to_have_attribute(
        "aria-label", said("de", "Vote, {n} vote", "Vote, {n} votes", 2)
    )
    expect(phone.locator("#answered-count")).to_have_attribute(
        "title", said("de", "{answered} of {total} questions answered", answered=1, total=3)
    )
    # What the page's own scripts say, too: the check before sending.
    phone.fill("textarea[name=body]", "Hallo")
    phone.click("#ask-form button[type=submit]")
    expect(phone.locator("#ask-message")).to_have_text(
        said("de", "Please use at least two words in your question.")
    )
    shot(phone, "guest-de")


def test_a_phone_in_arabic_reads_right_to_left(session, visitors):
    eid, _ = session
    phone = visitors.open(f"/event/{eid}", locale="ar")
    expect(phone.locator("html")).to_have_attribute("lang", "ar")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    expect(phone.locator("#ask-form button[type=submit]")).to_have_text(said("ar", "Ask"))
    expect(phone.locator("#pending-title")).to_contain_text(said("ar", "Pending"))
    arabic = row(phone, ARABIC_QUESTION)
    expect(arabic.locator(".who")).to_have_text(said("ar", "by {name}", name="ليلى"))

    # The vote button on the right, the text to its left, ending at the right edge.
    box = arabic.bounding_box()
    vote = arabic.locator(".vote").bounding_box()
    text = arabic.locator(".text").bounding_box()
    assert vote["x"] > text["x"]
    assert abs((box["x"] + box["width"]) - (vote["x"] + vote["width"])) < 30
    ink = arabic.locator(".text").evaluate(
        """(p) => {
            const range = document.createRange();
            range.selectNodeContents(p);
            const ink = range.getBoundingClientRect();
            return {left: ink.left, right: ink.right};
        }"""
    )
    assert abs(ink["right"] - (text["x"] + text["width"])) < 2
    # A question in English keeps its own direction within the Arabic page.
    english = row(phone, "Will the slides be online afterwards?").locator(".text")
    assert english.evaluate("(p) => getComputedStyle(p).direction") == "ltr"
    shot(phone, "guest-ar")


def test_the_host_view_and_projector_in_arabic(session, visitors):
    eid, secret = session
    host = visitors.open(f"/event/{eid}/{secret}", phone=False, locale="ar")
    expect(host.locator("html")).to_have_attribute("dir", "rtl")
    expect(host.locator("#share-title")).to_have_text(said("ar", "Join on your phone"))
    expect(host.locator("#share-devices")).to_have_text(
        said("ar", "{n} device connected", "{n} devices connected", 1)
    )
    answered = row(host, "When is the next release?", "answered")
    expect(answered.locator("[data-action=mark_not_answered]")).to_have_text(
        said("ar", "Mark as not answered")
    )
    # Right to left, the share panel comes first: on the right.
    panel = host.locator("#share-panel").bounding_box()
    questions = host.locator("#pending-questions").bounding_box()
    assert panel["x"] > questions["x"]
    shot(host, "host-ar")
    # The rest of the share panel, its menus open, where it does not scroll on its own.
    host.set_viewport_size({"width": 900, "height": 800})
    for menu in ("#wifi-menu", "#export-menu"):
        host.locator(f"{menu} > summary").click()
    expect(host.locator("label[for=wifi-name]")).to_have_text(said("ar", "Network name"))
    shot(host, "host-ar-panel")

    projector = visitors.open(f"/event/{eid}/projector", phone=False, viewport=SCREEN, locale="ar")
    expect(projector.locator(".projector-questions .projector-kicker")).to_have_text(
        said("ar", "Live Q&A")
    )
    first = projector.locator("#projector-list li").first
    expect(first.locator(".projector-unit")).to_have_text(said("ar", "vote", "votes", 2))
    # The questions side by side with the code, all on one screen: mirrored.
    qr = projector.locator("#projector-qr").bounding_box()
    listed = projector.locator("#projector-list").bounding_box()
    assert listed["x"] + listed["width"] < qr["x"]
    assert projector.evaluate("document.documentElement.scrollHeight") <= SCREEN["height"]
    shot(projector, "projector-ar")


def test_the_language_menu_is_remembered(session, visitors):
    eid, _ = session
    phone = visitors.open(f"/event/{eid}", locale="en-US")
    menu = phone.locator("#language")
    expect(menu).to_have_value("en")
    expect(menu.locator("option")).to_have_count(len(i18n.LANGUAGES))
    with phone.expect_navigation():
        menu.select_option("de")
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    expect(phone.locator("#ask-form button[type=submit]")).to_have_text(said("de", "Ask"))
    phone.reload()
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    expect(menu).to_have_value("de")
    # Every page of LanQA, for this device: the live sessions too.
    phone.goto("/live")
    expect(phone.locator("html")).to_have_attribute("lang", "de")
    expect(phone.locator("#live-title")).to_have_text(
        re.compile("|".join(re.escape(said("de", title)) for title in LIVE_TITLES))
    )

    with phone.expect_navigation():
        phone.locator("#language").select_option("ar")
    expect(phone.locator("html")).to_have_attribute("dir", "rtl")
    shot(phone, "live-ar")
    phone.goto("/")  # the start screen (the tests' browser is on the laptop itself)
    expect(phone.locator("#create-event-button")).to_have_text(said("ar", "Open new Q&A session"))
    shot(phone, "landing-ar")
