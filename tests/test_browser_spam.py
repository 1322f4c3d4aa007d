"""The host cleans up after a spammer in the room, as a speaker would on the stage."""

from types import SimpleNamespace

from playwright.sync_api import expect
from test_browser import (  # noqa: F401
    Visitors,
    ask_api,
    chromium,
    create_event,
    row,
    server,
    visitors,
)

from lanqa import net


def ask(page, text):
    page.locator("#ask-body").fill(text)
    page.get_by_role("button", name="Ask").click()


def test_the_host_blocks_a_spammer_and_hides_several_at_once(server, visitors, tmp_path):  # noqa: F811
    eid, secret = create_event(server)
    for text in ("What about the budget?", "Where are the slides?"):
        ask_api(server, eid, text)
    spammer = visitors.open(f"/event/{eid}")
    for n in range(3):
        ask(spammer, f"Buy cheap stuff {n}")
        expect(row(spammer, f"Buy cheap stuff {n}")).to_be_visible()
    row(spammer, "What about the budget?").locator("[data-action=upvote]").click()
    host = visitors.open(f"/event/{eid}/{secret}", phone=False)
    guest = visitors.open(f"/event/{eid}")
    expect(row(guest, "Buy cheap stuff 2")).to_be_visible()

    block = row(host, "Buy cheap stuff 1").locator("[data-action=block]")
    block.click()
    expect(block).to_have_text("Tap again to block")  # one tap alone does nothing
    expect(row(host, "Buy cheap stuff 1")).to_be_visible()
    host.screenshot(path=tmp_path / "host-block-armed.png")
    block.click()
    expect(host.locator("#notice")).to_have_text(
        "Device blocked: 3 questions hidden, 4 votes taken back."
    )
    expect(host.locator("#hidden-questions li.question")).to_have_count(3)
    expect(row(host, "What about the budget?").locator("[data-votes]")).to_have_text("1")
    expect(guest.locator("#pending-questions li.question")).to_have_count(2)  # gone for guests

    ask(spammer, "Buy even more stuff")
    expect(spammer.locator("#ask-message")).to_contain_text("blocked this device")

    for text in ("What about the budget?", "Where are the slides?"):
        row(host, text).get_by_label("Select").check()
    hide = host.locator("#hide-selected")
    expect(hide).to_have_text("Hide selected (2)")
    host.screenshot(path=tmp_path / "host-select.png")
    hide.click()
    expect(host.locator("#notice")).to_have_text("2 questions hidden.")
    expect(hide).to_be_hidden()
    expect(host.locator("#hidden-questions li.question")).to_have_count(5)
    expect(guest.locator("#pending-questions li.question")).to_have_count(0)
    assert visitors.errors == [] and visitors.foreign() == []


def test_a_phone_on_the_lan_address_asks_and_votes(server, chromium):  # noqa: F811
    """The Host and Origin checks let LanQA's own pages through on the address in the QR
    code, as they refuse everyone else's."""
    eid, _ = create_event(server)
    lan = SimpleNamespace(url=f"http://{next(a.ip for a in net.candidates())}:{server.port}")
    people = Visitors(chromium, lan)
    try:
        phone = people.open(f"/event/{eid}")
        ask(phone, "Can you hear me at the back?")
        expect(row(phone, "Can you hear me at the back?").locator("[data-votes]")).to_have_text("1")
        ask_api(server, eid, "Another question here")
        other = row(phone, "Another question here")
        other.locator("[data-action=upvote]").click()
        expect(other.locator("[data-votes]")).to_have_text("2")
    finally:
        people.close()
    assert people.errors == [] and people.foreign() == []
