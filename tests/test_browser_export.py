"""The host's export menu and projector button: in a browser, and through the desktop
window's bridge (faked in the page, as pywebview would inject it)."""

import csv
import json
import re

import requests
import test_browser
from playwright.sync_api import expect
from test_browser import ask_api, create_event, until

# The browser and server fixtures of test_browser.py.
chromium, server, visitors = test_browser.chromium, test_browser.server, test_browser.visitors

FAKE_BRIDGE = """
window.pywebview = {api: {
    save_file: async (name, text) => { window.saved = [name, text]; return "/tmp/x.csv"; },
    open_projector: async (path) => { window.opened = path; return true; },
}};
"""


def session_with_answers(server):
    """An event with one answered, one pending and one hidden question."""
    eid, secret = create_event(server, "Team meeting")
    answered = ask_api(server, eid, "When is the next release, Zoë?", "Ada")
    ask_api(server, eid, "Still waiting for this one")
    hidden = ask_api(server, eid, "Buy cheap watches now")
    base = f"{server.url}/api/event/{eid}/questions/{secret}"
    for qid, flag in ((answered, "answered"), (hidden, "hidden")):
        requests.post(f"{base}/{qid}/toggle/{flag}", data="on", timeout=5)
    return eid, secret


def open_menu(page):
    # From the keyboard: the menu is a native <details>.
    page.locator("#export-summary").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("link", name="CSV (spreadsheet)")).to_be_visible()


def test_export_downloads_files_and_opens_the_printable_page(server, visitors):
    eid, secret = session_with_answers(server)
    host = visitors.open(f"/event/{eid}/{secret}", phone=False)
    expect(host.get_by_text("Questions disappear after 30 days.")).to_be_visible()
    open_menu(host)

    with host.expect_download() as download:
        host.get_by_role("link", name="CSV (spreadsheet)").click()
    filename = download.value.suggested_filename
    assert re.fullmatch(r"lanqa-team-meeting-\d{4}-\d\d-\d\d\.csv", filename)
    with open(download.value.path(), encoding="utf-8-sig", newline="") as file:
        rows = list(csv.DictReader(file))
    assert [(r["status"], r["question"], r["name"]) for r in rows] == [
        ("answered", "When is the next release, Zoë?", "Ada")
    ]

    with host.context.expect_page() as printable:
        host.get_by_role("link", name="Printable page").click()
    expect(printable.value.locator("body")).to_contain_text("When is the next release, Zoë?")

    host.get_by_label("Include pending and hidden questions").check()
    with host.expect_download() as download:
        host.get_by_role("link", name="JSON").click()
    with open(download.value.path(), encoding="utf-8") as file:
        data = json.load(file)
    assert [q["text"] for q in data["pending"]] == ["Still waiting for this one"]
    assert [q["text"] for q in data["hidden"]] == ["Buy cheap watches now"]


def test_projector_button_opens_a_new_tab_in_a_browser(server, visitors):
    eid, secret = create_event(server)
    host = visitors.open(f"/event/{eid}/{secret}", phone=False)
    with host.context.expect_page() as projector:
        host.get_by_role("button", name="Projector view").click()
    expect(projector.value).to_have_url(f"{server.url}/event/{eid}/projector")
    expect(projector.value.locator("#projector-qr")).to_be_visible()


def test_in_the_desktop_window_exports_and_the_projector_go_through_the_bridge(server, visitors):
    eid, secret = session_with_answers(server)
    host = visitors.open(
        f"/event/{eid}/{secret}",
        phone=False,
        prepare=lambda page: page.add_init_script(FAKE_BRIDGE),
    )
    host.evaluate("dispatchEvent(new CustomEvent('pywebviewready'))")
    downloads = []
    host.on("download", lambda download: downloads.append(download))
    open_menu(host)

    host.get_by_role("link", name="CSV (spreadsheet)").click()
    message = host.locator("#export-message")
    expect(message).to_have_text("Saved to /tmp/x.csv")
    served = requests.get(
        f"{server.url}/api/event/{eid}/export/{secret}?format=csv&download=1", timeout=5
    )
    filename = re.search(r'filename="([^"]+)"', served.headers["Content-Disposition"])[1]
    name, text = host.evaluate("window.saved")
    assert (name, text) == (filename, served.content.decode("utf-8"))
    assert text.startswith("\ufeff")  # Excel needs the byte-order mark to read UTF-8

    host.get_by_role("button", name="Projector view").click()
    until(host, "window.opened !== undefined")
    assert host.evaluate("window.opened") == f"/event/{eid}/projector"

    # Cancelling the dialog says nothing; a failure says why.
    host.evaluate("""() => {
        window.pywebview.api.save_file = async () => { window.asked = true; return null; };
    }""")
    host.get_by_role("link", name="Markdown").click()
    until(host, "window.asked === true")
    expect(message).to_be_hidden()
    host.evaluate("""() => {
        window.pywebview.api.save_file = async () => { throw new Error("Disk full"); };
    }""")
    host.get_by_role("link", name="JSON").click()
    expect(message).to_have_text("The file could not be saved: Disk full")
    assert downloads == []
