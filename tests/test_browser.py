"""The web client in a real browser (Debian's chromium) against a real `lanqa serve`."""

import re
import time
from types import SimpleNamespace

import pytest
import requests
from conftest import SEEDING
from playwright.sync_api import expect, sync_playwright

from lanqa.pages import SECURITY_HEADERS

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
UNKNOWN_EVENT = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


@pytest.fixture(scope="module")
def chromium():
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield SimpleNamespace(browser=browser, phone=playwright.devices["Pixel 7"])
        browser.close()


def phone_policy(route):
    """The page with the policy a phone gets: the tests reach the server over loopback,
    where pages also allow the desktop window's eval()."""
    if route.request.resource_type != "document":
        route.fallback()
        return
    # A redirect goes back to the browser, so that the page's address is the one it ends at.
    response = route.fetch(max_redirects=0)
    policy = {"content-security-policy": SECURITY_HEADERS["Content-Security-Policy"]}
    route.fulfill(response=response, headers={**response.headers, **policy})


class Visitors:
    """Browser contexts (one per person, so one voter cookie each) on one server."""

    def __init__(self, chromium, server):
        self.chromium = chromium
        self.server = server
        self.contexts = []
        self.requests = []
        self.errors = []

    def open(self, path, phone=True, prepare=None, **options):
        """A new person's page at path; prepare(page) runs before it loads."""
        size = self.chromium.phone if phone else {"viewport": {"width": 1280, "height": 800}}
        context = self.chromium.browser.new_context(**{**size, **options}, base_url=self.server.url)
        context.on("request", lambda request: self.requests.append(request.url))
        # Every page of the context, also the tabs the page itself opens.
        context.on("page", self.watch)
        self.contexts.append(context)
        if phone:
            context.route("**/*", phone_policy)
        page = context.new_page()
        if prepare:
            prepare(page)
        page.goto(path)
        return page

    def watch(self, page):
        page.on("pageerror", lambda error: self.errors.append(str(error)))
        page.on("console", self.note_blocked)

    def note_blocked(self, message):
        # The page must work under the server's Content-Security-Policy.
        if "Content Security Policy" in message.text:
            self.errors.append(message.text)

    def foreign(self):
        """Requests that went anywhere but this server."""
        return [url for url in self.requests if not url.startswith(self.server.url + "/")]

    def close(self):
        for context in self.contexts:
            context.close()


@pytest.fixture
def server(serve):
    return serve(*SEEDING)


@pytest.fixture
def visitors(chromium, server):
    people = Visitors(chromium, server)
    yield people
    people.close()
    assert people.errors == []
    assert people.foreign() == []


def create_event(server, title=None):
    body = {"title": title} if title else {}
    created = requests.post(server.url + "/api/event", json=body, timeout=5).json()
    return created["id"], created["secret"]


def ask_api(server, eid, text, asker=None):
    response = requests.post(
        f"{server.url}/api/event/{eid}", json={"body": text, "asker": asker}, timeout=5
    )
    return response.json()["id"]


def host_list(server, eid, secret):
    return requests.get(f"{server.url}/api/event/{eid}/questions/{secret}", timeout=5).json()


def until(page, expression, timeout=5.0):
    """Wait until the page finds expression true (wait_for_function's polling needs eval, which
    the page's Content-Security-Policy forbids)."""
    deadline = time.monotonic() + timeout
    while not page.evaluate(expression):
        assert time.monotonic() < deadline, f"still false after {timeout} s: {expression}"
        page.wait_for_timeout(50)


def row(page, text, section="pending"):
    return page.locator(f"#{section}-questions li.question", has_text=text)


def test_host_opens_a_session_from_the_landing_page(visitors):
    page = visitors.open("/", phone=False)
    page.get_by_label("Session title").fill("Morning keynote")
    page.click("#create-event-button")
    expect(page).to_have_url(re.compile(r"/event/[0-9A-Z]{26}/[A-Za-z0-9]{30}$"))
    eid = page.url.split("/")[-2]
    expect(page.locator("#event-title")).to_have_text("Morning keynote")
    expect(page.locator("#share-link")).to_contain_text(f"/event/{eid}")
    expect(page.get_by_text("Questions disappear after 30 days.")).to_be_visible()
    qr = page.locator("#share-qr")
    expect(qr).to_have_attribute("src", f"/api/event/{eid}/qr.svg")
    page.wait_for_function("document.querySelector('#share-qr').naturalWidth > 0")
    assert qr.bounding_box()["width"] >= 280
    expect(page.locator("#pending-questions")).to_contain_text("No questions yet")
    expect(page.locator("form[id=ask-form]")).to_be_hidden()
    expect(page.locator("#share-devices")).to_have_text(re.compile(r"^1 device connected"))
    page.click("#share-event-button")
    expect(page.locator("#share-event-button")).to_have_text("Link copied!")
    page.goto("/")
    expect(page.locator("#recent-list")).to_contain_text("Morning keynote")


def test_guests_ask_vote_and_see_the_answer(server, visitors):
    eid, secret = create_event(server, "Town hall")
    host = visitors.open(f"/event/{eid}/{secret}", phone=False)
    ada = visitors.open(f"/event/{eid}", color_scheme="dark")
    bob = visitors.open(f"/event/{eid}")
    expect(host.locator("#pending-questions")).to_contain_text("No questions yet")

    ada.fill("textarea[name=body]", "Hello")
    ada.click("#ask-form button[type=submit]")
    expect(ada.locator("#ask-message")).to_contain_text("at least two words")
    expect(ada.locator("textarea[name=body]")).to_have_value("Hello")
    assert host_list(server, eid, secret) == []

    ada.fill("textarea[name=body]", "How   does voting work?")
    ada.fill("input[name=asker]", "Ada")
    ada.click("#ask-form button[type=submit]")
    asked = time.monotonic()
    mine = row(ada, "How does voting work?")
    expect(mine).to_be_visible()
    expect(mine).to_contain_text("by Ada")
    expect(mine.locator("[data-action=downvote]")).to_have_attribute("title", "Retract vote")
    expect(mine.locator("[data-action=downvote]")).to_contain_text("▲")
    expect(mine.locator("[data-votes]")).to_have_text("1")
    expect(ada.locator("textarea[name=body]")).to_have_value("")

    expect(row(host, "How does voting work?")).to_be_visible(timeout=2000)
    assert time.monotonic() - asked < 2

    theirs = row(bob, "How does voting work?")
    expect(theirs.locator("[data-action=upvote]")).to_contain_text("△")
    theirs.locator("[data-action=upvote]").click()
    expect(theirs.locator("[data-votes]")).to_have_text("2")
    expect(theirs.locator("[data-action=downvote]")).to_be_visible()
    expect(mine.locator("[data-votes]")).to_have_text("2")
    expect(row(host, "How does voting work?").locator("[data-votes]")).to_have_text("2")

    row(host, "How does voting work?").locator("[data-action=mark_answered]").click()
    answered = row(host, "How does voting work?", "answered")
    expect(answered.locator("[data-action=mark_not_answered]")).to_be_visible()
    for guest in (ada, bob):
        expect(row(guest, "How does voting work?", "answered")).to_be_visible(timeout=4000)
        expect(guest.locator("#answered-count")).to_have_text("1 / 1")
        expect(row(guest, "How does voting work?")).to_have_count(0)
    assert host_list(server, eid, secret)[0]["answered"] > 0
    assert visitors.requests and visitors.foreign() == []


def test_a_hidden_question_leaves_the_guest_view(server, visitors):
    eid, secret = create_event(server)
    ask_api(server, eid, "Buy cheap watches now")
    ask_api(server, eid, "What comes next?")
    guest = visitors.open(f"/event/{eid}")
    host = visitors.open(f"/event/{eid}/{secret}", phone=False)
    expect(row(guest, "Buy cheap watches")).to_be_visible()
    row(host, "Buy cheap watches").locator("[data-action=hide]").click()
    expect(row(host, "Buy cheap watches", "hidden").locator("[data-action=unhide]")).to_be_visible()
    expect(row(guest, "Buy cheap watches")).to_have_count(0, timeout=4000)
    expect(row(guest, "What comes next?")).to_be_visible()
    expect(guest.locator("#hidden-questions")).to_be_hidden()


def test_question_text_is_shown_as_text_and_never_run(server, visitors):
    eid, _ = create_event(server)
    guest = visitors.open(f"/event/{eid}")
    dialogs = []
    guest.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    attack = "<img src=x onerror=alert(document.cookie)>"
    guest.fill("textarea[name=body]", attack)
    guest.fill("input[name=asker]", "<b>Mallory</b>")
    guest.click("#ask-form button[type=submit]")
    other = visitors.open(f"/event/{eid}")
    for page in (guest, other):
        text = page.locator("#pending-questions .text")
        expect(text).to_have_text(attack)
        expect(page.locator("#pending-questions")).to_contain_text("by <b>Mallory</b>")
        assert page.locator("#pending-questions img, #pending-questions b").count() == 0
    other.wait_for_timeout(300)
    assert dialogs == []


def test_unknown_event_says_so_and_never_shows_the_start_screen(visitors):
    page = visitors.open(f"/event/{UNKNOWN_EVENT}")
    expect(page.locator("#live-title")).to_have_text("This session was not found")
    expect(page.locator("#live-address")).to_have_text(visitors.server.url.removeprefix("http://"))
    expect(page.locator("#create-event-button")).to_be_hidden()


def test_a_slow_first_answer_shows_loading_not_a_blank_page(server, visitors):
    eid, _ = create_event(server)
    held = []

    def hold_the_list(page):
        page.route(f"**/api/event/{eid}/questions?*", lambda route: held.append(route))

    page = visitors.open(f"/event/{eid}", prepare=hold_the_list)
    expect(page.locator("#loading")).to_be_visible()
    expect(page.locator("#loading")).to_contain_text("reload the page")
    held[0].continue_()
    expect(page.locator("#ask-form")).to_be_visible()
    expect(page.locator("#loading")).to_be_hidden()


def test_wrong_host_link_says_permission_denied(server, visitors):
    eid, _ = create_event(server)
    page = visitors.open(f"/event/{eid}/{'x' * 30}", phone=False)
    expect(page.locator("#list-problem")).to_contain_text("Permission denied.")
    expect(page.locator("#pending-questions")).to_be_hidden()


def test_pause_holds_the_list_and_resume_catches_up(server, visitors):
    eid, _ = create_event(server)
    page = visitors.open(f"/event/{eid}")
    toggle = page.locator("#toggle-updates-button")
    expect(page.locator("#pending-questions")).to_contain_text("No questions yet")
    toggle.click()
    expect(toggle).to_have_text("Resume updates")
    ask_api(server, eid, "Asked while paused")
    page.wait_for_timeout(2500)
    expect(row(page, "Asked while paused")).to_have_count(0)
    page.fill("textarea[name=body]", "My own question shows anyway")
    page.click("#ask-form button[type=submit]")
    expect(row(page, "My own question shows anyway")).to_be_visible()
    toggle.click()
    expect(toggle).to_have_text("Pause updates")
    expect(row(page, "Asked while paused")).to_be_visible(timeout=1000)


def test_scrolling_the_list_away_pauses_updates_until_back(server, visitors):
    eid, _ = create_event(server)
    for number in range(12):
        ask_api(server, eid, f"Question number {number}")
    page = visitors.open(f"/event/{eid}")
    expect(page.locator("#pending-questions li")).to_have_count(12)
    expect(page.locator("#live-text")).to_have_text("Live")
    page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
    expect(page.locator("#live-text")).to_have_text("Updates paused")
    ask_api(server, eid, "Question while scrolled away")
    page.wait_for_timeout(2500)
    expect(row(page, "Question while scrolled away")).to_have_count(0)
    page.evaluate("window.scrollTo(0, 0)")
    expect(page.locator("#live-text")).to_have_text("Live")
    expect(row(page, "Question while scrolled away")).to_be_visible(timeout=1000)


def test_a_host_window_opening_with_the_toolbar_below_the_fold_stays_live(server, visitors):
    eid, secret = create_event(server)
    page = visitors.open(
        f"/event/{eid}/{secret}", phone=False, viewport={"width": 900, "height": 500}
    )
    expect(page.locator("#share-panel")).to_be_visible()
    below = page.evaluate("document.querySelector('.toolbar').getBoundingClientRect().top")
    assert below > 500  # the share panel fills the first screen
    ask_api(server, eid, "Asked after the host opened")
    expect(row(page, "Asked after the host opened")).to_have_count(1, timeout=3000)
    expect(page.locator("#live-text")).to_have_text("Live")


def test_lost_connection_shows_a_banner_and_recovers(server, visitors):
    eid, secret = create_event(server)
    page = visitors.open(f"/event/{eid}/{secret}", phone=False)
    expect(page.locator("#pending-questions")).to_contain_text("No questions yet")
    page.context.set_offline(True)
    expect(page.locator("#banner")).to_have_text("Lost connection, retrying…", timeout=4000)
    page.context.set_offline(False)
    ask_api(server, eid, "Back online again")
    expect(row(page, "Back online again")).to_be_visible(timeout=4000)
    expect(page.locator("#banner")).to_be_hidden()


def test_refused_actions_say_why_and_keep_the_text(server, visitors):
    eid, _ = create_event(server)
    qid = ask_api(server, eid, "Existing question here")
    page = visitors.open(f"/event/{eid}")
    slow_down = '{"error": "Too many questions from this device: wait a minute."}'
    page.route(
        f"**/api/event/{eid}",
        lambda route: (
            route.fulfill(status=429, body=slow_down)
            if route.request.method == "POST"
            else route.continue_()
        ),
    )
    page.fill("textarea[name=body]", "Will this one get through?")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#ask-message")).to_have_text(
        "Too many questions from this device: wait a minute."
    )
    expect(page.locator("textarea[name=body]")).to_have_value("Will this one get through?")
    page.route(
        f"**/api/vote/{qid}/up",
        lambda route: route.fulfill(status=429, body='{"error": "Too many votes: wait a moment."}'),
    )
    existing = row(page, "Existing question here")
    existing.locator("[data-action=upvote]").click()
    expect(page.locator("#notice")).to_have_text("Too many votes: wait a moment.")
    expect(existing.locator("[data-action=upvote]")).to_be_visible()
    expect(existing.locator("[data-votes]")).to_have_text("1")


def list_polls(page):
    """Count the page's requests for the question list."""
    polls = []
    page.on("request", lambda r: polls.append(r.url) if "/questions" in r.url else None)
    return polls


def test_an_unchanged_list_is_revalidated_and_not_redrawn(server, visitors):
    eid, secret = create_event(server)
    ask_api(server, eid, "Nothing changes here")
    page = visitors.open(f"/event/{eid}/{secret}", phone=False)
    expect(row(page, "Nothing changes here")).to_be_visible()
    statuses = []
    page.on("response", lambda r: statuses.append(r.status) if "/questions" in r.url else None)
    page.evaluate("""() => {
        window.redraws = 0;
        new MutationObserver((changes) => {
            window.redraws += changes.filter((c) => !c.target.closest?.(".age")
                && !c.target.parentElement?.closest(".age")).length;
        }).observe(document.querySelector("#lists"),
                   {subtree: true, childList: true, attributes: true, characterData: true});
    }""")
    page.wait_for_timeout(2500)
    assert statuses and set(statuses) == {304}
    assert page.evaluate("window.redraws") == 0


def test_a_hidden_tab_polls_slowly_and_catches_up_when_shown(server, visitors):
    eid, secret = create_event(server)
    page = visitors.open(f"/event/{eid}/{secret}", phone=False)
    expect(page.locator("#pending-questions")).to_contain_text("No questions yet")
    set_hidden = """(hidden) => {
        Object.defineProperty(document, "hidden", {value: hidden, configurable: true});
        document.dispatchEvent(new Event("visibilitychange"));
    }"""
    page.evaluate(set_hidden, True)
    page.wait_for_timeout(1500)  # the poll already scheduled may still run
    polls = list_polls(page)
    ask_api(server, eid, "Asked while nobody looked")
    page.wait_for_timeout(2500)
    assert polls == []
    page.evaluate(set_hidden, False)
    expect(row(page, "Asked while nobody looked")).to_be_visible(timeout=1000)


def test_texts_come_with_the_lists_and_a_reload_asks_in_batches_of_at_most_25(server, visitors):
    eid, _ = create_event(server)
    for number in range(10):
        ask_api(server, eid, f"Early question {number:02}")
    page = visitors.open(f"/event/{eid}")
    texts = page.locator("#pending-questions .text")
    expect(texts.filter(has_text="Early question")).to_have_count(10)
    ask_api(server, eid, "Later question arrives with its text")
    expect(texts.filter(has_text="Later question")).to_have_count(1)
    assert not [url for url in visitors.requests if "/api/questions/" in url]
    # Back later, the page has some texts saved: it asks for the ones it lacks.
    page.goto("about:blank")
    later = [ask_api(server, eid, f"Batch question {number:02}") for number in range(30)]
    page.goto(f"{server.url}/event/{eid}")
    page.locator("#pending-more").click()  # the first page shows 30 of the 41
    expect(texts.filter(has_text="Batch question")).to_have_count(30)
    batches = [
        url.rsplit("/", 1)[1].split(",") for url in visitors.requests if "/api/questions/" in url
    ]
    assert sorted(qid for batch in batches for qid in batch) == sorted(later)
    assert max(len(batch) for batch in batches) <= 25


def test_share_panel_says_so_when_there_is_no_local_network(serve, chromium):
    server = serve("--host", "127.0.0.1")
    people = Visitors(chromium, server)
    try:
        eid, secret = create_event(server)
        page = people.open(f"/event/{eid}/{secret}", phone=False)
        expect(page.locator("#share-offline")).to_contain_text("No local network found")
        expect(page.locator("#share-offline")).to_contain_text("hotspot")
        expect(page.locator("#share-qr")).to_be_hidden()
    finally:
        people.close()
    assert people.errors == [] and people.foreign() == []
