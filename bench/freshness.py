"""How fresh the pages are: seconds from an action on one page until another page shows it.

Starts its own `lanqa serve` on a free port with a throw-away data folder, opens a
host page (1280x800) and a guest page (Pixel 7) in Debian's chromium, and measures

  (a) a guest asks on the phone      -> the question shows on the host page
  (b) the host marks it answered     -> the phone shows it under Answered

Both ends are timed inside the pages (Date.now() when the form is submitted or the
button clicked; a MutationObserver for when the text appears), so Playwright's own
overhead is not counted. Trials start at random moments, so they sample every phase
of the polling timer.

    .venv/bin/python bench/freshness.py [--trials 20]

Exits 1 when a 95th percentile misses its target (host 1.5 s, guests 3 s).
"""

import argparse
import json
import math
import random
import statistics
import sys
import tempfile
import urllib.request

from phones import NO_LIMITS, start_lanqa, stop
from playwright.sync_api import sync_playwright

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
TARGETS = {"host": 1.5, "guest": 3.0}

# Records, per wanted text, when it first shows up inside `selector`.
WATCH = """(selector) => {
    window.wanted = new Set();
    window.seen = {};
    const look = () => {
        for (const element of document.querySelectorAll(selector)) {
            const text = element.textContent;
            if (window.wanted.has(text) && !(text in window.seen)) window.seen[text] = Date.now();
        }
    };
    new MutationObserver(look).observe(document.body,
        {subtree: true, childList: true, characterData: true});
}"""

# Records when the person acted: a submit or a click on a data-action button.
STAMP = """() => {
    window.acted = null;
    document.addEventListener("submit", () => (window.acted = Date.now()), true);
    document.addEventListener("click", (event) => {
        if (event.target.closest("[data-action]")) window.acted = Date.now();
    }, true);
}"""


def create_event(base):
    request = urllib.request.Request(
        base + "/api/event", data=json.dumps({"title": "Freshness"}).encode(), method="POST"
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        created = json.load(response)
    return created["id"], created["secret"]


def watch(page, text):
    page.evaluate("(text) => window.wanted.add(text)", text)


def delay(actor, watcher, text):
    """Seconds from the actor's last action until the watcher saw text."""
    watcher.wait_for_function("(text) => text in window.seen", arg=text, timeout=20000)
    seen = watcher.evaluate("(text) => window.seen[text]", text)
    return (seen - actor.evaluate("window.acted")) / 1000


def ask_trials(phone, host, trials):
    """(a): the guest asks, the host page shows the question."""
    host.evaluate(WATCH, "#pending-questions .text")
    results = []
    for number in range(trials):
        text = f"Freshness trial number {number}?"
        watch(host, text)
        phone.wait_for_timeout(random.uniform(200, 1200))
        phone.fill("textarea[name=body]", text)
        phone.click("#ask-form button[type=submit]")
        results.append(delay(phone, host, text))
    return results


def answer_trials(host, phone, trials):
    """(b): the host marks answered, the phone shows it under Answered."""
    phone.evaluate(WATCH, "#answered-questions .text")
    results = []
    for number in range(trials):
        text = f"Freshness trial number {number}?"
        watch(phone, text)
        host.wait_for_timeout(random.uniform(200, 2200))
        row = host.locator("#pending-questions li.question", has_text=text)
        row.locator("[data-action=mark_answered]").click()
        results.append(delay(host, phone, text))
    return results


def p95(values):
    ordered = sorted(values)
    return ordered[math.ceil(0.95 * len(ordered)) - 1]


def report(rows):
    print(f"{'what':<40} {'trials':>6} {'median':>7} {'p95':>7} {'target':>7}")
    failed = False
    for label, values, target in rows:
        slow = p95(values) > target
        failed |= slow
        print(
            f"{label:<40} {len(values):>6} {statistics.median(values):>6.2f}s"
            f" {p95(values):>6.2f}s {target:>6.1f}s{'  MISSED' if slow else ''}"
        )
    return 1 if failed else 0


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--trials", type=int, default=20, help="trials per measure (default 20)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as data_dir:
        # One phone asks every few seconds here: far more than a person, so no limits.
        proc, port, _ = start_lanqa(data_dir, "--limits", NO_LIMITS)
        base = f"http://127.0.0.1:{port}"
        try:
            eid, secret = create_event(base)
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS
                )
                host = browser.new_context(viewport={"width": 1280, "height": 800}).new_page()
                phone = browser.new_context(**playwright.devices["Pixel 7"]).new_page()
                for page, path in ((host, f"/event/{eid}/{secret}"), (phone, f"/event/{eid}")):
                    page.goto(base + path)
                    page.wait_for_selector("#pending-questions .empty:not([hidden])")
                    page.evaluate(STAMP)
                asked = ask_trials(phone, host, args.trials)
                answered = answer_trials(host, phone, args.trials)
                browser.close()
        finally:
            stop(proc)
    return report(
        [
            ("guest asks -> host page shows it", asked, TARGETS["host"]),
            ("host marks answered -> phone shows it", answered, TARGETS["guest"]),
        ]
    )


if __name__ == "__main__":
    sys.exit(main())
