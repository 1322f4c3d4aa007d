"""What a phone's guest page costs on a weak network: time to the first question, bytes.

Starts its own `lanqa serve` on a free port with a throw-away data folder (rate limits
lifted, so that seeding from one address is not refused), seeds a session through the
API, asks for the guest page once (so that the server has bundled its scripts, as it has
when the host's page came first), and opens the guest page in Debian's chromium as a
Pixel 7 (Playwright's device descriptor), its network throttled through the DevTools
protocol (CDP Network.emulateNetworkConditions: by default 300 ms latency and 400 kbit/s
each way, a crowded hall's Wi-Fi). Three measures:

  cold    first load with an empty cache: seconds from navigation start until the
          first question's text is on the page (an init script's MutationObserver
          notes performance.now() when a `#pending-questions .text` that is no longer
          "Loading…" and is visible first appears), and the bytes received until then
          and until the page has settled (2 s after that), and the requests made.
  warm    a reload in the same browser context (cache warm), measured the same way:
          the page should be a 304 and its files come from the cache.
  hall    another session of --list-questions questions; while votes arrive at
          --votes-per-second (each from another device, a signed voter id of its own,
          over 16 keep-alive connections from as many loopback addresses), the
          bytes the page receives for --minutes (KB = 1000 bytes per minute), its
          polls and their statuses, and whether the vote counts it shows match the
          server's list, within the votes of the last 3 s. Same throttling as above.

Bytes are CDP's Network.loadingFinished encodedDataLength: what came over the wire,
response headers included (request bytes are not counted). Responses from the
browser's cache count 0.

    .venv/bin/python bench/firstload.py [-v] [--questions 50] [--latency-ms 300]
        [--kbps 400] [--lang en] [--list-questions 200] [--votes-per-second 100]
        [--minutes 1]

Prints JSON lines and a markdown table; with -v each request of the cold and warm
loads (path, status, bytes, when it started, got its headers and finished, in ms from
navigation start). Timings are reported, never asserted: it exits 0. Everything talks
to 127.0.0.1 only and every wait has a timeout.
"""

import argparse
import asyncio
import json
import random
import re
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request

from freshness import CHROMIUM_ARGS
from phones import NO_LIMITS, Connection, devices_of, phone_address, start_lanqa, stop
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from playwright.sync_api import sync_playwright

CHROMIUM = "/usr/bin/chromium"
LOAD_TIMEOUT_MS = 60_000  # the first question must show within this, else "not seen"
SETTLE_S = 2.0  # the page has settled this long after its first question shows
TOLERANCE_S = 3.0  # a shown vote count may miss the votes of this last stretch
SAMPLED = 10  # questions whose shown vote counts are compared with the server's

# Notes in window.firstQuestion the performance.now() at which the first question's
# text is on the page and visible (not the "Loading…" placeholder a row has before).
FIRST_QUESTION = """(() => {
    window.firstQuestion = null;
    const look = () => {
        if (window.firstQuestion !== null) return;
        for (const text of document.querySelectorAll("#pending-questions .text")) {
            if (text.classList.contains("loading") || !text.textContent.trim()) continue;
            if (text.checkVisibility && !text.checkVisibility()) continue;
            window.firstQuestion = performance.now();
            observer.disconnect();
            return;
        }
    };
    const observer = new MutationObserver(look);
    observer.observe(document, {subtree: true, childList: true, characterData: true,
                                attributes: true, attributeFilter: ["class", "hidden"]});
})();"""

# The vote count each question's row shows: {qid: digits as shown}.
SHOWN_VOTES = """() => Object.fromEntries(
    [...document.querySelectorAll("#pending-questions [data-qid]")].map((row) =>
        [row.dataset.qid, (row.querySelector("[data-votes]") || {}).textContent || ""]))"""


# The questions


NAMES = ["Anna", "Jonas", "Priya", "Mehmet", "Sofia", "Lukas", "Chen", "Fatima", "Paul", "Ines"]
TOPICS = [
    "the new timetable",
    "the budget for next year",
    "remote work",
    "the move to the new building",
    "the pilot project in Lyon",
    "the customer survey",
    "hiring in the support team",
    "the security audit",
    "the training budget",
    "the parking situation",
    "the canteen prices",
    "the open source policy",
    "the summer party",
    "the quarterly numbers",
    "the merger rumours",
    "accessibility of our app",
    "the carbon footprint goal",
    "the mentoring programme",
    "the new laptop rollout",
    "the on-call rota",
]
FORMS = [
    "What is the plan for {topic} after the spring?",
    "Could you say more about {topic} and who decides on it?",
    "{name} mentioned {topic} earlier: when will we hear more?",
    "How does {topic} affect the teams that work part time?",
    "Is there a date yet for {topic}, or is it still open?",
    "Why was {topic} not discussed at the last meeting?",
    "Will {topic} be shared with us in writing afterwards?",
    "Question for {name}: what did you learn from {topic}?",
    "Who can we talk to about {topic} if we have concerns?",
    "What would you do differently about {topic} next time?",
    "Thanks for the talk! How much did {topic} cost in the end?",
    "Is {topic} going to change anything for new colleagues?",
    "Can {name} explain how {topic} fits the overall strategy?",
    "What is the biggest risk you see with {topic} right now?",
    "How can the rest of us help with {topic} this year?",
]


def questions(count, rng):
    """count different questions, each a sentence of 40 to 120 characters, some naming
    a person; with the name of the asker for about a third: [(text, asker or None)]."""
    texts = [
        form.format(topic=topic, name=NAMES[(i + j) % len(NAMES)])
        for i, form in enumerate(FORMS)
        for j, topic in enumerate(TOPICS)
    ]
    texts = [text for text in texts if 40 <= len(text) <= 120]
    rng.shuffle(texts)
    while len(texts) < count:  # more than the forms make: number them
        texts.append(f"{texts[len(texts) % len(FORMS)][:-1]} (part {len(texts)})?")
    return [(text, rng.choice(NAMES) if rng.random() < 0.33 else None) for text in texts[:count]]


def post(base, path, data=None, cookie=None):
    body = json.dumps(data).encode() if data is not None else b""
    request = urllib.request.Request(base + path, data=body, method="POST")
    request.add_header("Content-Type", "application/json")
    if cookie:
        request.add_header("Cookie", cookie)
    with urllib.request.urlopen(request, timeout=10) as response:
        return json.load(response)


def get(base, path):
    with urllib.request.urlopen(base + path, timeout=10) as response:
        return json.load(response)


def seed_session(base, count, seed=1):
    """A session with count questions (a fixed set for a seed); (event id, secret)."""
    created = post(base, "/api/event", {"title": "All-hands meeting"})
    for text, asker in questions(count, random.Random(seed)):
        post(base, f"/api/event/{created['id']}", {"body": text, "asker": asker})
    return created["id"], created["secret"]


def warm_server(base, eid, lang):
    """Ask for the guest page once, as a browser would (gzip, lang), so that the phone
    measured is not the one that makes the server bundle its scripts (at its first
    request for a page) and render the page: in a hall the host's page came first."""
    request = urllib.request.Request(
        f"{base}/event/{eid}", headers={"Accept-Encoding": "gzip", "Accept-Language": lang}
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        response.read()


# The network, as the page sees it


class Traffic:
    """The page's requests as CDP reports them: {request id: facts}; times in CDP's
    monotonic seconds, turned into ms from navigation start by timeline()."""

    def __init__(self, cdp):
        self.requests = {}
        self.clock = None  # wall seconds minus CDP seconds
        cdp.on("Network.requestWillBeSent", self.sent)
        cdp.on("Network.requestServedFromCache", self.cached)
        cdp.on("Network.responseReceived", self.received)
        cdp.on("Network.responseReceivedExtraInfo", self.wire)
        cdp.on("Network.loadingFinished", self.finished)
        cdp.on("Network.loadingFailed", self.failed)

    def clear(self):
        self.requests = {}

    def _of(self, event):
        return self.requests.setdefault(event["requestId"], {"cache": False})

    def sent(self, event):
        request = self._of(event)
        self.clock = event["wallTime"] - event["timestamp"]
        request.update(
            url=event["request"]["url"],
            method=event["request"]["method"],
            type=event.get("type", ""),
            start=event["timestamp"],
        )

    def cached(self, event):
        self._of(event)["cache"] = True

    def received(self, event):
        response = event["response"]
        request = self._of(event)
        request.setdefault("status", response["status"])
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            request["cache"] = True
        # When the headers came over the network (a cached response keeps the timing
        # of the load that stored it: for it, when the renderer got it).
        timing = response.get("timing")
        fresh = timing and not request["cache"] and timing.get("receiveHeadersEnd", -1) >= 0
        request["headers"] = (
            timing["requestTime"] + timing["receiveHeadersEnd"] / 1000
            if fresh
            else event["timestamp"]
        )

    def wire(self, event):
        # The status as it came over the network: a revalidated page is a 304 here,
        # where responseReceived reports the cached 200 it stands for.
        self._of(event)["status"] = event["statusCode"]

    def finished(self, event):
        self._of(event).update(end=event["timestamp"], bytes=int(event["encodedDataLength"]))

    def failed(self, event):
        self._of(event).update(end=event["timestamp"], bytes=0, failed=event.get("errorText"))

    def timeline(self, origin_ms):
        """The requests that started at or after origin_ms (wall ms, the page's
        performance.timeOrigin), in the order they started, their times in ms from then."""
        rows = []
        for request in self.requests.values():
            if "start" not in request or self.clock is None:
                continue
            ms = {
                key: round((request[key] + self.clock) * 1000 - origin_ms)
                for key in ("start", "headers", "end")
                if key in request
            }
            if ms["start"] < -50:  # the page before (a reload's old page)
                continue
            parsed = urllib.parse.urlsplit(request["url"])
            rows.append(
                {
                    "path": parsed.path + (f"?{parsed.query}" if parsed.query else ""),
                    "status": request.get("status", "failed" if "failed" in request else "-"),
                    # from the browser's cache: nothing came over the network
                    "bytes": 0 if request["cache"] else request.get("bytes", 0),
                    "cache": request["cache"],
                    "start ms": ms["start"],
                    "headers ms": ms.get("headers"),
                    "end ms": ms.get("end"),
                }
            )
        return sorted(rows, key=lambda row: row["start ms"])


def throttle(cdp, latency_ms, kbps):
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": latency_ms,
            "downloadThroughput": kbps * 1000 / 8,
            "uploadThroughput": kbps * 1000 / 8,
        },
    )
    cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})


def phone_page(browser, device, lang, latency_ms, kbps):
    """(context, page, Traffic): a new phone with an empty cache on the throttled network."""
    context = browser.new_context(**device, locale=lang)
    context.add_init_script(FIRST_QUESTION)
    page = context.new_page()
    cdp = context.new_cdp_session(page)
    traffic = Traffic(cdp)
    throttle(cdp, latency_ms, kbps)
    return context, page, traffic


def measure_load(page, traffic, navigate, settle=SETTLE_S):
    """navigate() the page; seconds to its first question and the bytes received."""
    traffic.clear()
    navigate()
    try:
        page.wait_for_function("window.firstQuestion !== null", timeout=LOAD_TIMEOUT_MS)
    except PlaywrightTimeout:  # reported as not seen; the run goes on
        first = None
    else:
        first = page.evaluate("window.firstQuestion")
    origin = page.evaluate("performance.timeOrigin")
    shown_at = first if first is not None else page.evaluate("performance.now()")
    left = shown_at + settle * 1000 - page.evaluate("performance.now()")
    page.wait_for_timeout(max(left, 0) + 100)  # + 100: the events of the last ms arrive
    requests = traffic.timeline(origin)
    until = lambda ms: [r for r in requests if r["end ms"] is not None and r["end ms"] <= ms]  # noqa: E731
    at_first, settled = until(shown_at), until(shown_at + settle * 1000)
    return {
        "first question s": round(first / 1000, 2) if first is not None else None,
        "bytes to first question": sum(r["bytes"] for r in at_first),
        "requests to first question": len(at_first),
        "bytes settled": sum(r["bytes"] for r in settled),
        "requests settled": len(settled),
        "from cache": sum(r["cache"] for r in settled),
        "requests": requests,
    }


def first_load(browser, device, base, eid, latency_ms=300, kbps=400, lang="en", settle=SETTLE_S):
    """The cold load (empty cache) and then a reload (warm cache) of the guest page of
    eid, in one browser context: (cold, warm), each as measure_load returns."""
    warm_server(base, eid, lang)
    context, page, traffic = phone_page(browser, device, lang, latency_ms, kbps)
    try:
        url = f"{base}/event/{eid}"
        cold = measure_load(page, traffic, lambda: page.goto(url, timeout=LOAD_TIMEOUT_MS), settle)
        warm = measure_load(page, traffic, lambda: page.reload(timeout=LOAD_TIMEOUT_MS), settle)
    finally:
        context.close()
    return cold, warm


# A hall's votes


class Votes:
    """Upvotes at `rate` a second on random questions, each from a new device (a signed
    voter id of its own), spread over `connections` keep-alive connections from as many
    loopback addresses; in a thread of its own. acked: [(time.time(), qid)]."""

    def __init__(self, port, qids, devices, rate, connections=16):
        self.port, self.qids, self.devices, self.rate = port, qids, devices, rate
        self.connections = connections
        self.acked, self.errors, self.late = [], 0, 0
        self.stopping = threading.Event()
        self.thread = threading.Thread(target=lambda: asyncio.run(self.run()), daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *_):
        self.stopping.set()
        self.thread.join(30)

    async def run(self):
        queue = asyncio.Queue(maxsize=self.connections * 4)

        async def voter(number):
            conn = Connection(self.port, phone_address(number))
            try:
                while True:
                    qid = await queue.get()
                    if qid is None:
                        return
                    conn.cookie = f"lanqa_voter={self.devices.new()}"
                    try:
                        status, _, _, _ = await conn.request("POST", f"/api/vote/{qid}/up")
                    except (OSError, asyncio.IncompleteReadError, TimeoutError):
                        conn.close()
                        status = 0
                    if status == 200:
                        self.acked.append((time.time(), qid))
                    else:
                        self.errors += 1
            finally:
                conn.close()

        voters = [asyncio.create_task(voter(n)) for n in range(self.connections)]
        started, sent = time.monotonic(), 0
        while not self.stopping.is_set():
            # Open loop: the votes due by now, whatever the answers' pace.
            due = int((time.monotonic() - started) * self.rate)
            while sent < due:
                if queue.full():  # the server is behind: the vote is dropped, counted
                    self.late += 1
                else:
                    queue.put_nowait(random.choice(self.qids))
                sent += 1
            await asyncio.sleep(min(0.01, 1 / self.rate))
        for _ in voters:
            await queue.put(None)
        await asyncio.wait(voters, timeout=15)


def number(shown):
    digits = re.sub(r"\D", "", shown)  # "1,234", "1.234", "1 234": as languages write it
    return int(digits) if digits else None


def compare_counts(page, base, eid, votes, sampled=SAMPLED, tolerance=TOLERANCE_S):
    """How many of `sampled` random questions show the server's vote count, less at
    most the votes acknowledged for them in the last `tolerance` seconds."""
    shown = page.evaluate(SHOWN_VOTES)
    server = {q["qid"]: q["votes"] for q in get(base, f"/api/event/{eid}/questions")}
    now = time.time()
    recent = {}
    for at, qid in list(votes.acked):
        if at >= now - tolerance:
            recent[qid] = recent.get(qid, 0) + 1
    picked = random.Random(2).sample(sorted(set(shown) & set(server)), min(sampled, len(shown)))
    matching = sum(
        number(shown[qid]) is not None
        and 0 <= server[qid] - number(shown[qid]) <= recent.get(qid, 0)
        for qid in picked
    )
    return matching, len(picked)


def hall(
    browser,
    device,
    base,
    port,
    eid,
    devices,
    rate=100,
    seconds=60,
    latency_ms=300,
    kbps=400,
    lang="en",
):
    """The guest page of eid while votes arrive at rate a second: what it receives in
    `seconds` (after its first question showed) and whether it keeps up."""
    warm_server(base, eid, lang)
    context, page, traffic = phone_page(browser, device, lang, latency_ms, kbps)
    try:
        page.goto(f"{base}/event/{eid}", timeout=LOAD_TIMEOUT_MS)
        page.wait_for_function("window.firstQuestion !== null", timeout=LOAD_TIMEOUT_MS)
        qids = [q["qid"] for q in get(base, f"/api/event/{eid}/questions")]
        origin = page.evaluate("performance.timeOrigin")
        with Votes(port, qids, devices, rate) as votes:
            start = page.evaluate("performance.now()")
            page.wait_for_timeout(seconds * 1000)
            end = page.evaluate("performance.now()")
            matching, compared = compare_counts(page, base, eid, votes)
        page.wait_for_timeout(100)  # the events of the last ms arrive
        window = [
            r
            for r in traffic.timeline(origin)
            if r["end ms"] is not None and start <= r["end ms"] <= end
        ]
        polls = [r for r in window if r["path"].startswith(f"/api/event/{eid}/questions")]
        received = sum(r["bytes"] for r in window)
        minutes = (end - start) / 60000
        return {
            "questions": len(qids),
            "votes/s": rate,
            "votes acked": len(votes.acked),
            "vote errors": votes.errors + votes.late,
            "seconds": round((end - start) / 1000, 1),
            "KB/min received": round(received / 1000 / minutes, 1),
            "bytes received": received,
            "requests": len(window),
            "polls": len(polls),
            "polls 200": sum(r["status"] == 200 for r in polls),
            "polls 304": sum(r["status"] == 304 for r in polls),
            "counts matching": f"{matching}/{compared}",
        }
    finally:
        context.close()


# The report


def table(rows):
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def load_row(label, result, args):
    row = {
        "load": label,
        "lang": args.lang,
        "network": f"{args.latency_ms} ms, {args.kbps} kbit/s",
        "questions": args.questions,
    }
    row.update((name, value) for name, value in result.items() if name != "requests")
    return row


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--questions", type=int, default=50, help="for the loads (default 50)")
    parser.add_argument("--latency-ms", type=int, default=300, help="added to each request")
    parser.add_argument("--kbps", type=int, default=400, help="kbit/s each way (default 400)")
    parser.add_argument("--lang", default="en", help="the phone's language (default en)")
    parser.add_argument("--list-questions", type=int, default=200, help="for the hall run")
    parser.add_argument("--votes-per-second", type=float, default=100)
    parser.add_argument("--minutes", type=float, default=1, help="the hall run's length")
    parser.add_argument("-v", "--verbose", action="store_true", help="list every request")
    args = parser.parse_args(argv)
    rows, hall_rows = [], []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        device = playwright.devices["Pixel 7"]
        try:
            with tempfile.TemporaryDirectory() as data_dir:
                proc, port, _ = start_lanqa(data_dir, "--limits", NO_LIMITS)
                base = f"http://127.0.0.1:{port}"
                try:
                    eid, _ = seed_session(base, args.questions)
                    loads = first_load(
                        browser, device, base, eid, args.latency_ms, args.kbps, args.lang
                    )
                finally:
                    stop(proc)
            for label, result in zip(("cold", "warm"), loads, strict=True):
                rows.append(load_row(label, result, args))
                print(json.dumps(rows[-1]), flush=True)
                if args.verbose:
                    print(f"\n{label} load, requests in the order they started:\n")
                    print(table(result["requests"]) + "\n", flush=True)
            with tempfile.TemporaryDirectory() as data_dir:
                proc, port, _ = start_lanqa(data_dir, "--limits", NO_LIMITS)
                base = f"http://127.0.0.1:{port}"
                try:
                    eid, _ = seed_session(base, args.list_questions, seed=2)
                    result = hall(
                        browser,
                        device,
                        base,
                        port,
                        eid,
                        devices_of(data_dir),
                        args.votes_per_second,
                        args.minutes * 60,
                        args.latency_ms,
                        args.kbps,
                        args.lang,
                    )
                finally:
                    stop(proc)
            hall_rows.append({"lang": args.lang, "network": rows[0]["network"], **result})
            print(json.dumps(hall_rows[-1]), flush=True)
        finally:
            browser.close()
    print()
    print(table(rows))
    print()
    print(table(hall_rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
