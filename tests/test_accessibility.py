"""axe-core finds no accessibility violation on any page, in any state, light and dark,
in English and Arabic.

axe-core is a test tool: `scripts/setup.sh --test` installs the version pinned in
tests/axe/package-lock.json into tests/axe/node_modules, and nothing serves it. Each test
evaluates it into the page through the DevTools protocol, which the pages'
Content-Security-Policy does not govern (a script tag would be blocked, and phones'
pages forbid eval).
"""

import itertools
from pathlib import Path

import pytest
import requests
import test_browser
from conftest import SEEDING, RunningServer
from playwright.sync_api import expect
from test_browser import UNKNOWN_EVENT, Visitors, ask_api, create_event, row, until

# The browser fixture of test_browser.py: one Chromium for the module.
chromium = test_browser.chromium

AXE = Path(__file__).parent / "axe" / "node_modules" / "axe-core" / "axe.min.js"
SCREEN = {"width": 1280, "height": 720}
SCHEMES = ["light", "dark"]
# Arabic renders in English until the pages are translated, and is checked from then on.
LOCALES = ["en-US", "ar"]

# Run every rule axe-core enables by default (WCAG 2.x A and AA, and its best
# practices), and bring back only the violations, with what a person needs to fix them.
RUN_AXE = """async () => {
    const results = await axe.run(document, {resultTypes: ["violations"]});
    return results.violations.map((v) => ({
        id: v.id, impact: v.impact, help: v.help, helpUrl: v.helpUrl,
        nodes: v.nodes.map((n) => ({target: n.target, html: n.html, summary: n.failureSummary})),
    }));
}"""


@pytest.fixture(scope="module")
def axe_source():
    if not AXE.is_file():
        # Never a skip: CI must not pass without having looked.
        pytest.fail(f"{AXE} is missing: `bash scripts/setup.sh --test` installs it (npm ci)")
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """One `lanqa serve` for the module; each test makes its own sessions on it."""
    running = RunningServer(tmp_path_factory.mktemp("data"), SEEDING).start()
    yield running
    died = running.proc.poll() is not None
    running.stop()
    if died:
        print("lanqa serve output:\n" + "".join(running.output))


def seed(server, eid, secret):
    """Pending (one in Arabic), answered and hidden questions, and votes."""
    voting = ask_api(server, eid, "How does voting work here?", "Ada")
    ask_api(server, eid, "هل ستكون الشرائح متاحة بعد المحاضرة؟", "ليلى")
    ask_api(server, eid, "What happens to the questions nobody had time for " * 4)
    answered = ask_api(server, eid, "When is the next release, Zoë?", "Zoë")
    hidden = ask_api(server, eid, "Buy cheap watches now")
    for _ in range(2):
        requests.post(f"{server.url}/api/vote/{voting}/up", timeout=5)
    base = f"{server.url}/api/event/{eid}/questions/{secret}"
    for qid, flag in ((answered, "answered"), (hidden, "hidden")):
        requests.post(f"{base}/{qid}/toggle/{flag}", data="on", timeout=5)


def busy_session(server):
    eid, secret = create_event(server, "Town hall — Q&A")
    seed(server, eid, secret)
    return eid, secret


def host_post(server, eid, secret, path, **body):
    """A host route of the session: settings, toggle/{prop}, reply."""
    base = f"{server.url}/api/event/{eid}"
    url = f"{base}/settings/{secret}" if path == "settings" else f"{base}/questions/{secret}/{path}"
    requests.post(url, timeout=5, **body).raise_for_status()


def presenting(server, eid, secret):
    """The top question is the one answered now, with a reply; new questions wait for
    review. Returns the top question's id."""
    top = requests.get(f"{server.url}/api/event/{eid}/questions/{secret}", timeout=5).json()[0]
    host_post(server, eid, secret, f"{top['qid']}/toggle/highlighted", data="on")
    host_post(server, eid, secret, f"{top['qid']}/reply", json={"reply": "Yes — see the handout."})
    host_post(server, eid, secret, "settings", json={"moderation": True})
    return top["qid"]


# Each page: visit(path, phone=True, **context options) opens it; it yields (page, what
# it shows) at each state to check. The waits look at the page's structure and at the
# questions' own words, never at its sentences: they read the same in every language.
PAGES = {}


def checked(function):
    PAGES[function.__name__.replace("_", "-")] = function
    return function


def drawn(page):
    """Wait until the page has drawn the question list once."""
    expect(page.locator("#answered-count")).not_to_have_text("")


def settled(page):
    """Wait until the page has left its loading view for another one."""
    until(page, "document.querySelector('#loading').hidden")


@checked
def start_page(visit, server):
    create_event(server, "Morning keynote")  # for the list of recent sessions
    page = visit("/", phone=False)
    expect(page.locator("#create-event-button")).to_be_visible()
    expect(page.locator("#recent-list li").first).to_be_visible()
    yield page, "the start page with a recent session"


@checked
def guest(visit, server):
    eid, secret = create_event(server, "Town hall")
    page = visit(f"/event/{eid}")
    drawn(page)
    expect(page.locator("#ask-form")).to_be_visible()
    yield page, "an empty list"

    page.fill("textarea[name=body]", "Hello")
    page.click("#ask-form button[type=submit]")
    expect(page.locator("#ask-message")).to_be_visible()
    expect(page.locator("textarea[name=body]")).to_have_value("Hello")  # kept: refused
    yield page, "the ask form with an error"

    # Before asking: the page then scrolls to the new question, and a list scrolled
    # away stops polling, so it would not notice the lost connection.
    page.context.set_offline(True)
    expect(page.locator("#banner")).to_be_visible(timeout=5000)
    yield page, "the lost-connection banner"

    page.context.set_offline(False)
    expect(page.locator("#banner")).to_be_hidden(timeout=5000)
    seed(server, eid, secret)
    page.fill("textarea[name=body]", "Will the slides be shared afterwards?")
    page.fill("input[name=asker]", "Bob")
    page.click("#ask-form button[type=submit]")
    expect(row(page, "Will the slides be shared").locator(".yours")).to_be_visible()
    row(page, "How does voting work").locator("[data-action=upvote]").click()
    expect(row(page, "How does voting work").locator("[data-action=downvote]")).to_be_visible()
    expect(row(page, "next release", "answered")).to_be_visible()
    yield page, "pending and answered questions, one asked and one voted for here"


@checked
def guest_presenting(visit, server):
    eid, secret = busy_session(server)
    presenting(server, eid, secret)
    page = visit(f"/event/{eid}")
    drawn(page)
    for text in ("Could the talk be streamed next time?", "Is there a reading list?"):
        page.fill("textarea[name=body]", text)
        page.click("#ask-form button[type=submit]")
        expect(row(page, text)).to_be_visible()
    page.evaluate("window.scrollTo(0, 0)")  # scrolled to the question, the list pauses
    theirs = page.evaluate(f"Object.keys(JSON.parse(localStorage.getItem('event::{eid}')).asked)")
    first = sorted(theirs)[0]
    host_post(server, eid, secret, f"{first}/toggle/approved", data="on")
    host_post(server, eid, secret, f"{first}/reply", json={"reply": "We will try."})
    host_post(server, eid, secret, f"{first}/toggle/answered", data="on")
    expect(page.locator("#now-questions li.question")).to_have_count(1)
    expect(page.locator("#now-questions .reply")).to_be_visible()
    expect(page.locator("#pending-questions li.waiting")).to_have_count(1)
    expect(page.locator("#told")).to_be_visible(timeout=5000)
    yield page, "now answering with a reply, a question waiting for review, the asker told"

    host_post(server, eid, secret, "settings", json={"closed": True})
    expect(page.locator("#ask-closed")).to_be_visible(timeout=5000)
    yield page, "questions closed"


@checked
def host_moderating(visit, server):
    eid, secret = busy_session(server)
    top = presenting(server, eid, secret)
    ask_api(server, eid, "A question waiting for review")
    page = visit(f"/event/{eid}/{secret}", phone=False)
    expect(page.locator("#review-questions li.question")).to_have_count(1)
    expect(page.locator("#now-questions li.question")).to_have_count(1)
    expect(page.locator("#moderation-switch")).to_be_checked()
    page.locator(f"#now-questions [data-qid='{top}'] [data-action=reply]").click()
    expect(page.locator(".reply-form textarea")).to_be_focused()
    row(page, "next release", "answered").locator("[data-action=reply]").click()
    page.locator("#close-button").click()
    expect(page.locator("#session-state")).to_be_visible()
    page.locator("#delete-button").click()  # armed, not deleted
    row(page, "nobody had time").locator("[data-action=hide]").click()
    page.locator("#notice").hover()  # it stays while the pointer is on it
    expect(page.locator("#notice button")).to_be_visible()
    yield page, "Review, now answering with a reply, two reply boxes, closed, undo notice"


@checked
def host(visit, server):
    eid, secret = busy_session(server)
    page = visit(f"/event/{eid}/{secret}", phone=False)
    for text, section in (("voting", "pending"), ("release", "answered"), ("watches", "hidden")):
        expect(row(page, text, section)).to_be_visible()
    until(page, "document.querySelector('#share-qr').naturalWidth > 0")
    yield page, "pending, answered and hidden questions"

    row(page, "voting").locator("[data-action=select]").check()
    expect(page.locator("#hide-selected")).to_be_visible()
    page.locator("#export-summary").click()
    expect(page.locator("#export-menu [data-format=html]")).to_be_visible()
    yield page, "a question selected and the export menu open"


@checked
def projector(visit, server):
    eid, _ = busy_session(server)
    page = visit(f"/event/{eid}/projector", phone=False, viewport=SCREEN)
    expect(page.locator("#projector-list li").first).to_contain_text("How does voting work")
    until(page, "document.querySelector('#projector-qr').naturalWidth > 0")
    yield page, "the projector view with questions"


@checked
def projector_presenting(visit, server):
    eid, secret = busy_session(server)
    presenting(server, eid, secret)
    page = visit(f"/event/{eid}/projector", phone=False, viewport=SCREEN)
    expect(page.locator("#projector-now-reply")).to_be_visible()
    until(page, "document.querySelector('#projector-qr').naturalWidth > 0")
    yield page, "the projector with the question answered now and its reply"


@checked
def sessions_open_now(visit, server):
    busy_session(server)
    page = visit("/live")
    expect(page.locator("#live-list li").first).to_be_visible()
    yield page, "the list of sessions open now (the short address)"


@checked
def wrong_link(visit, server):
    page = visit(f"/event/{UNKNOWN_EVENT}")
    settled(page)
    yield page, "an unknown session"

    eid, _ = create_event(server)
    page.goto(f"/event/{eid}/{'x' * 30}")
    expect(page.locator("#list-problem")).to_be_visible()
    yield page, "a host link with a wrong secret"


@checked
def printable_export(visit, server):
    eid, secret = busy_session(server)
    page = visit(f"/api/event/{eid}/export/{secret}?format=html&all=1", phone=False)
    expect(page.locator("h1")).to_have_text("Town hall — Q&A")
    yield page, "the printable export, all sections"


def described(violations):
    """axe-core's violations as text a person can act on."""
    lines = []
    for violation in violations:
        lines.append(f"{violation['id']} ({violation['impact']}): {violation['help']}")
        lines.append(f"  {violation['helpUrl']}")
        for node in violation["nodes"]:
            lines.append(f"  at {' >> '.join(map(str, node['target']))}")
            lines += [f"     {line}" for line in node["html"].splitlines()]
            lines += [f"     {line}" for line in node["summary"].splitlines()]
    return "\n".join(lines)


def violations(page, axe_source):
    # Injected anew after each navigation, and only once the page has settled.
    if page.evaluate("typeof axe") == "undefined":
        page.evaluate(axe_source)
    return page.evaluate(RUN_AXE)


CASES = list(itertools.product(PAGES, SCHEMES, LOCALES))


@pytest.mark.parametrize(("name", "scheme", "locale"), CASES, ids=["-".join(c) for c in CASES])
def test_no_accessibility_violations(name, scheme, locale, server, chromium, axe_source):
    people = Visitors(chromium, server)
    found = []
    try:

        def visit(path, phone=True, **extra):
            # Without transitions: axe-core would read a colour half-way through a fade
            # (the projector's idle button) and find its contrast too low.
            options = {"color_scheme": scheme, "locale": locale, "reduced_motion": "reduce"}
            return people.open(path, phone, **options, **extra)

        for page, shown in PAGES[name](visit, server):
            if problems := violations(page, axe_source):
                found.append(f"{name} ({scheme}, {locale}), {shown}:\n{described(problems)}")
    finally:
        people.close()
    if found:
        pytest.fail("\n\n".join(found), pytrace=False)
    assert people.errors == [] and people.foreign() == []
