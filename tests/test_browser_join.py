"""Joining by typing, in a real browser: phones open the short address on the LAN address
(127.0.0.1 is the laptop itself) and land on the live session, or the list of them."""

import re
from types import SimpleNamespace

import pytest
import requests
import test_browser
from playwright.sync_api import expect
from test_browser import Visitors, ask_api, create_event

from lanqa import net

# The browser and server fixtures of test_browser.py (the server listens on 0.0.0.0).
chromium, server, visitors = test_browser.chromium, test_browser.server, test_browser.visitors

SCREEN = {"width": 1280, "height": 720}


@pytest.fixture
def phones(chromium, server):
    """People on other devices: they reach the server at its LAN address."""
    lan = SimpleNamespace(url=f"http://{net.best(net.candidates()).ip}:{server.port}")
    people = Visitors(chromium, lan)
    yield people
    people.close()
    assert people.errors == [] and people.foreign() == []


def short(phones):
    return phones.server.url.removeprefix("http://")


def test_a_phone_typing_the_short_address_lands_on_the_one_live_session(server, phones):
    eid, _ = create_event(server, "Keynote")
    phone = phones.open("/")
    expect(phone).to_have_url(f"{phones.server.url}/event/{eid}")
    expect(phone.locator("#event-title")).to_have_text("Keynote")
    expect(phone.locator("textarea[name=body]")).to_be_visible()


def test_with_two_live_sessions_a_phone_chooses_from_the_list(server, phones, tmp_path):
    small, _ = create_event(server, "Workshop room B")
    big, _ = create_event(server, "Main hall keynote")
    for n in range(3):
        ask_api(server, big, f"Question number {n}")
    phone = phones.open("/")
    expect(phone).to_have_url(f"{phones.server.url}/live")
    expect(phone.locator("#live-title")).to_have_text("Choose your session")
    sessions = phone.locator("#live-list li")
    expect(sessions).to_have_count(2)
    expect(sessions.nth(0)).to_contain_text("Main hall keynote")
    # The age in the phone's language (Intl.RelativeTimeFormat): "now" in English.
    expect(sessions.nth(0)).to_contain_text("3 questions · opened now")
    expect(sessions.nth(1)).to_contain_text("Workshop room B")
    expect(phone.locator("#create-event-button")).to_be_hidden()
    phone.screenshot(path=tmp_path / "phone-live-list.png", full_page=True)
    sessions.nth(1).get_by_role("link").click()
    expect(phone).to_have_url(f"{phones.server.url}/event/{small}")
    expect(phone.locator("#event-title")).to_have_text("Workshop room B")


def test_with_no_live_session_a_phone_is_told_to_ask_the_speaker(server, phones, tmp_path):
    phone = phones.open("/")
    expect(phone.locator("#live-title")).to_have_text("No session is open yet")
    expect(phone.locator("#live-lead")).to_contain_text("Ask the speaker")
    expect(phone.locator("#create-event-button")).to_be_hidden()
    phone.screenshot(path=tmp_path / "phone-no-session.png", full_page=True)
    create_event(server, "Late start")
    expect(phone.locator("#live-list li")).to_have_text(re.compile("Late start"), timeout=8000)


def test_the_laptop_keeps_its_start_screen(server, visitors):
    create_event(server)
    page = visitors.open("/", phone=False)
    expect(page.locator("#create-event-button")).to_be_visible()


@pytest.mark.parametrize("typed", ["{eid}/", "{low}", "{look}/"])
def test_links_typed_by_hand_reach_the_session(server, phones, typed):
    eid, _ = create_event(server, "Typed by hand")
    low = eid.lower()
    phone = phones.open("/event/" + typed.format(eid=eid, low=low, look="o" + low[1:]))
    expect(phone).to_have_url(f"{phones.server.url}/event/{eid}")
    expect(phone.locator("#event-title")).to_have_text("Typed by hand")


def test_a_wrong_link_says_so_and_points_to_the_short_address(server, phones):
    create_event(server, "The real one")
    phone = phones.open(f"/event/{test_browser.UNKNOWN_EVENT}")
    expect(phone.locator("#live-title")).to_have_text("This session was not found")
    expect(phone.locator("#live-lead")).to_contain_text("has ended")
    address = phone.locator("#live-address")
    expect(address).to_have_text(short(phones))
    expect(phone.locator("#create-event-button")).to_be_hidden()
    address.click()
    expect(phone.locator("#event-title")).to_have_text("The real one")


def test_host_and_projector_show_the_short_address_and_the_wifi_code(server, visitors, tmp_path):
    eid, secret = create_event(server, "Town hall")
    ask_api(server, eid, "Where do the slides live?")
    typed = re.sub(r"^http://([^/]+)/.*", r"\1", share_url(server, eid))
    host = visitors.open(f"/event/{eid}/{secret}", phone=False)
    expect(host.locator("#share-short")).to_have_text(f"Or type {typed}")
    test_browser.until(host, "document.querySelector('#share-qr').naturalWidth > 0")
    host.screenshot(path=tmp_path / "host-share-panel.png")
    # The projector in a window of the same browser, as from the host's button.
    projector = host.context.new_page()
    projector.set_viewport_size(SCREEN)
    projector.goto(f"/event/{eid}/projector")
    expect(projector.locator("#projector-short")).to_have_text(f"Or type {typed}")
    expect(projector.locator("#projector-wifi")).to_be_hidden()
    expect(projector.locator("#projector-list li")).to_have_count(1)
    short_box = projector.locator("#projector-short-address").bounding_box()
    assert short_box["height"] >= 40 and short_box["y"] + short_box["height"] <= SCREEN["height"]
    projector.screenshot(path=tmp_path / "projector-short-address.png")

    host.locator("#wifi-menu summary").click()
    host.get_by_label("Network name").fill("Venue; Guests")
    host.get_by_label("Password").fill("open sesame")
    host.get_by_role("button", name="Show on the projector").click()
    expect(host.locator("#wifi-form .form-message")).to_contain_text("joins this Wi-Fi")
    expect(projector.locator("#projector-wifi")).to_be_visible()
    expect(projector.locator("#projector-wifi-name")).to_have_text("Venue; Guests")
    test_browser.until(projector, "document.querySelector('#projector-wifi-qr').naturalWidth > 0")
    assert projector.evaluate("document.documentElement.scrollHeight") <= SCREEN["height"]
    projector.screenshot(path=tmp_path / "projector-wifi.png")
    host.get_by_role("button", name="Remove").click()
    expect(projector.locator("#projector-wifi")).to_be_hidden()


def test_the_wifi_code_is_refused_on_another_device(server, phones):
    eid, secret = create_event(server)
    host = phones.open(f"/event/{eid}/{secret}", phone=False)
    expect(host.locator("#share-short")).to_have_text(f"Or type {short(phones)}")
    host.locator("#wifi-menu summary").click()
    host.get_by_label("Network name").fill("Venue")
    host.get_by_label("Password").fill("open sesame")
    host.get_by_role("button", name="Show on the projector").click()
    expect(host.locator("#wifi-form .form-message")).to_have_text(
        "This works only on the laptop running LanQA."
    )


def share_url(server, eid):
    return requests.get(f"{server.url}/api/event/{eid}/share", timeout=5).json()["url"]
