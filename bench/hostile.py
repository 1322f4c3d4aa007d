"""One unfriendly guest on the venue Wi-Fi against `lanqa serve`, measured.

Each attack runs against a server this script starts and stops itself. Loopback
addresses stand in for the devices on the LAN: 127.66.x.x are the attacker's, 127.1.x.x
the phones'; 127.0.0.1 is the laptop. The attack on session creation comes from this
machine's own LAN address instead, the one source here that is not the laptop.

  slowloris  5,200 sockets from one address, each sending a byte of a request head
             every few seconds and reopened when the server closes it; meanwhile new
             phones load the guest page and its first poll.
  votes      cookie-less upvotes on one question (each request a new device), from one
             address and from 20.
  asks       cookie-less questions, from one address and from 50; then the size of
             the guest list they leave behind.
  create     POST /api/event from the LAN address: refused, and the laptop's list of
             recent sessions untouched.
  rebind     the host's routes under another site's name (DNS rebinding).
  log        a flood of refused requests from one address, and what it adds to lanqa.log.

    .venv/bin/python bench/hostile.py
    .venv/bin/python bench/hostile.py --only slowloris rebind --seconds 10

About a minute and a half in all, to this machine's own addresses only. Prints a markdown table
`| attack | measured |`; numbers are reported, never asserted.
"""

import argparse
import asyncio
import collections
import json
import multiprocessing
import os
import random
import resource
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.phones import Connection, phone_address, run_async, seed, start_lanqa, stop  # noqa: E402
from lanqa import net  # noqa: E402

ATTACKER = "127.66.0.1"
FAILED = (OSError, asyncio.IncompleteReadError, TimeoutError, ValueError)


def attacker_address(block, n):
    """The attacker's n-th address in a block of its own per attack."""
    return f"127.66.{block}.{n + 1}"


class Client:
    """One keep-alive HTTP/1.1 connection from source to target:port that sends no
    cookie unless given one: every request is a new device, as from a script that
    drops its cookies. host: the Host header, by default target with the port."""

    def __init__(self, port, source=None, target="127.0.0.1", host=None, cookie=None):
        self.port, self.source, self.target, self.cookie = port, source, target, cookie
        self.host = host or f"{target}:{port}"
        self.reader = self.writer = None

    async def request(self, method, path, body=b"", timeout=10):
        """(status, lowercase headers, body)."""
        try:
            return await asyncio.wait_for(self._exchange(method, path, body), timeout)
        except BaseException:
            self.close()
            raise

    async def _exchange(self, method, path, body):
        if self.writer is not None:
            try:
                return await self._send(method, path, body)
            except asyncio.IncompleteReadError as error:
                if error.partial:
                    raise
                self.close()  # closed by the server while idle: once more, on a new one
        source = (self.source, 0) if self.source else None
        self.reader, self.writer = await asyncio.open_connection(
            self.target, self.port, local_addr=source
        )
        return await self._send(method, path, body)

    async def _send(self, method, path, body):
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self.host}"]
        if method != "GET":
            lines += [f"Content-Length: {len(body)}", "Content-Type: application/json"]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
        head = (await self.reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        data = await self.reader.readexactly(int(headers.get("content-length", 0)))
        if headers.get("connection", "").lower() == "close":
            self.close()
        return int(head[0].split()[1]), headers, data

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


async def flood(clients, seconds, make):
    """Each client sends make(n) -> (method, path, body), the next as soon as the last is
    answered, for seconds: the count of each status (0: no answer)."""
    statuses, end, numbers = collections.Counter(), time.monotonic() + seconds, iter(range(10**9))

    async def send_from(client):
        while time.monotonic() < end:
            try:
                statuses[(await client.request(*make(next(numbers))))[0]] += 1
            except FAILED:
                statuses[0] += 1
        client.close()

    await asyncio.gather(*(send_from(client) for client in clients))
    return statuses


def clients_from(port, block, addresses, per_address, **where):
    return [
        Client(port, attacker_address(block, n), **where)
        for n in range(addresses)
        for _ in range(per_address)
    ]


def laptop_cookie(port):
    """The laptop's own voter cookie, as its window keeps one: without it, each request
    this script makes from 127.0.0.1 would be a new device, and the laptop's address
    too may bring only so many (the "devices" limit)."""
    _, headers, _ = run_async(Client(port).request("GET", "/"))
    return headers["set-cookie"].split(";")[0]


async def guest_list(port, eid, cookie):
    """The guest list of eid (parsed) and its size in bytes, read on the laptop."""
    status, _, body = await Client(port, cookie=cookie).request(
        "GET", f"/api/event/{eid}/questions"
    )
    assert status == 200, (status, body)
    return json.loads(body), len(body)


def statuses_text(statuses):
    return ", ".join(
        f"{count:,} x {status or 'no answer'}" for status, count in sorted(statuses.items())
    )


# Slowloris: the attacker runs in a process of its own, so that its 5,200 sockets do
# not slow down the loop that times the phones.


async def slow_socket(port, source, end, tally):
    """Open a socket, send a request head a byte every 2-4 s and never finish it; when
    the server closes it, open another a few seconds later."""
    head = f"GET / HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nUser-Agent: slow\r\nX-a: b".encode()
    await asyncio.sleep(random.uniform(0, 1))  # all 5,200 open within the first second
    while time.monotonic() < end:
        try:
            opening = asyncio.open_connection("127.0.0.1", port, local_addr=(source, 0))
            reader, writer = await asyncio.wait_for(opening, 5)
        except FAILED:
            tally["connects failed"] += 1
            await asyncio.sleep(random.uniform(2, 4))
            continue
        tally["opened"] += 1
        opened = time.monotonic()
        closed = asyncio.ensure_future(reader.read(1))
        for byte in head:
            await asyncio.wait([closed], timeout=min(random.uniform(2, 4), end - time.monotonic()))
            if closed.done() or time.monotonic() >= end:
                break
            writer.write(bytes([byte]))
        lifetime = time.monotonic() - opened
        if not closed.done():
            tally["open at the end"] += 1
        elif lifetime < 3:
            # Over the address's share: closed as accepted, if after a second or so
            # in the listen queue (a full queue makes the kernel resend its SYN-ACK).
            tally["closed at once"] += 1
        else:
            tally["closed later"] += 1
            tally["lifetimes"].append(lifetime)
        if closed.done() and not closed.cancelled():
            closed.exception()  # a reset, not an error of this script's
        closed.cancel()
        writer.close()
        await asyncio.sleep(random.uniform(2, 4))


def slowloris(port, sockets, seconds, results):
    """The attacker's process: puts its tally on the results queue when done."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    tally = collections.Counter(lifetimes=[])

    async def attack():
        end = time.monotonic() + seconds
        await asyncio.gather(*(slow_socket(port, ATTACKER, end, tally) for _ in range(sockets)))

    run_async(attack())
    lifetimes = sorted(tally.pop("lifetimes"))
    tally["median lifetime"] = lifetimes[len(lifetimes) // 2] if lifetimes else 0
    results.put(dict(tally))


def open_files(pid):
    return len(os.listdir(f"/proc/{pid}/fd"))


async def watch_phones(port, pid, eid, seconds, moments, baseline):
    """New phones load the guest page and poll once at each moment (seconds after the
    first attacker socket is in): (timings, peak sockets the server held beyond baseline)."""
    waiting_until = time.monotonic() + 30
    while open_files(pid) <= baseline + 10:  # until the attack has begun
        if time.monotonic() > waiting_until:
            raise RuntimeError("the slowloris process opened no sockets")
        await asyncio.sleep(0.05)
    started, timings, peak = time.monotonic(), [], 0

    async def sample():
        nonlocal peak
        while time.monotonic() < started + seconds:
            peak = max(peak, open_files(pid) - baseline)
            await asyncio.sleep(0.25)

    sampler = asyncio.ensure_future(sample())
    for n, moment in enumerate(moments):
        await asyncio.sleep(max(0, started + moment - time.monotonic()))
        timings.append((moment, await new_phone(port, eid, phone_address(n))))
    await sampler
    return timings, peak


async def new_phone(port, eid, address):
    """Seconds for a new phone's guest page and first poll, or None if it got no answer
    within 15 s."""
    phone, started = Connection(port, address), time.perf_counter()
    try:
        page = await phone.request("GET", f"/event/{eid}", timeout=15)
        poll = await phone.request("GET", f"/api/event/{eid}/questions", timeout=15)
    except FAILED:
        return None
    finally:
        phone.close()
    assert page[0] == 200 and poll[0] == 200 and phone.cookie, (page[0], poll[0])
    return time.perf_counter() - started


def attack_slowloris(data_dir, seconds, sockets=5200):
    server, port, cap = start_lanqa(data_dir)
    try:
        eid, _ = seed(port, 10)
        baseline = open_files(server.pid)
        results = multiprocessing.get_context("spawn").Queue()
        process = multiprocessing.get_context("spawn").Process(
            target=slowloris, args=(port, sockets, seconds, results)
        )
        process.start()
        moments = [moment for moment in (2, 6, 10, 14, 18) if moment < seconds]
        timings, peak = run_async(watch_phones(port, server.pid, eid, seconds, moments, baseline))
        tally = results.get(timeout=seconds + 30)
        process.join(10)
    finally:
        stop(server)
    phones = ", ".join(f"{t:.2f} s" if t is not None else "no answer" for _, t in timings)
    return (
        f"slowloris: {sockets:,} sockets from {ATTACKER}, {seconds:.0f} s",
        f"new phone, page + first poll at {', '.join(f'{m:g}' for m, _ in timings)} s: "
        f"{phones}; server held at most {peak:,} sockets more than idle (a phone's too) "
        f"(its cap per address {max(16, cap // 10):,}, of {cap:,}); the attacker opened "
        f"{tally.get('opened', 0):,}: {tally.get('closed at once', 0):,} closed within 3 s, "
        f"{tally.get('closed later', 0):,} later, after a median "
        f"{tally['median lifetime']:.1f} s, {tally.get('open at the end', 0):,} open at the end, "
        f"{tally.get('connects failed', 0):,} connects failed",
    )


# Votes and asks: cookie-less, so that each request is a new device


def upvote(qid):
    return lambda n: ("POST", f"/api/vote/{qid}/up", b"")


def spam(eid):
    """A spammer's n-th question into eid."""
    return lambda n: (
        "POST",
        f"/api/event/{eid}",
        json.dumps({"body": f"Spam question {n}"}).encode(),
    )


async def vote_floods(port, eid, seconds, cookie):
    """Upvotes on one question from one address, and on another from 20, at once:
    [(votes counted, statuses)] for each."""
    questions, _ = await guest_list(port, eid, cookie)
    one, many = questions[:2]
    statuses = await asyncio.gather(
        flood(clients_from(port, 1, 1, 20), seconds, upvote(one["qid"])),
        flood(clients_from(port, 2, 20, 4), seconds, upvote(many["qid"])),
    )
    after = {q["qid"]: q["votes"] for q in (await guest_list(port, eid, cookie))[0]}
    return [
        (after[one["qid"]] - one["votes"], statuses[0]),
        (after[many["qid"]] - many["votes"], statuses[1]),
    ]


def attack_votes(port, seconds, cookie, sessions):
    eid, _ = seed(port, 2)
    sessions.append(eid)
    found = run_async(vote_floods(port, eid, seconds, cookie))
    return [
        (
            f"cookie-less votes on one question, {where}, {seconds:.0f} s",
            f"{counted:,} counted, of {sum(sent.values()):,} sent ({statuses_text(sent)})",
        )
        for where, (counted, sent) in zip(("1 address", "20 addresses"), found, strict=True)
    ]


async def ask_floods(port, one, many, seconds, cookie):
    """Questions into session one from one address, and into session many from 50, at
    once: [(guest list, its size in bytes, statuses)] for each."""
    statuses = await asyncio.gather(
        flood(clients_from(port, 3, 1, 20), seconds, spam(one)),
        flood(clients_from(port, 4, 50, 2), seconds, spam(many)),
    )
    lists = [await guest_list(port, eid, cookie) for eid in (one, many)]
    return [(*found, sent) for found, sent in zip(lists, statuses, strict=True)]


def attack_asks(port, seconds, cookie, sessions):
    """The asks, and the guest list the 50 addresses leave behind."""
    (one, _), (many, _) = seed(port, 0), seed(port, 0)
    sessions += [one, many]
    found = run_async(ask_floods(port, one, many, seconds, cookie))
    rows = [
        (
            f"cookie-less asks, {where}, {seconds:.0f} s",
            f"{len(questions):,} stored, of {sum(sent.values()):,} sent ({statuses_text(sent)})",
        )
        for where, (questions, _, sent) in zip(("1 address", "50 addresses"), found, strict=True)
    ]
    questions, size, _ = found[1]
    each = size / max(len(questions), 1)
    rows.append(
        (
            "guest list after the 50-address asks",
            f"{size:,} bytes for {len(questions):,} questions ({each:.0f} bytes each)",
        )
    )
    return rows


# Sessions from a device that is not the laptop, and another site's name


async def create_flood(port, lan, seconds, cookie):
    """POST /api/event from the LAN address, with the voter cookie its first request got
    (without one, each request past the tenth is a 429 for too many new devices)."""
    _, headers, _ = await Client(port, target=lan).request("GET", "/")
    theirs = headers["set-cookie"].split(";")[0]
    clients = [Client(port, target=lan, cookie=theirs) for _ in range(20)]
    statuses = await flood(clients, seconds, lambda n: ("POST", "/api/event", b""))
    status, _, body = await Client(port, cookie=cookie).request("GET", "/api/local/events")
    return statuses, [event["id"] for event in json.loads(body)]


def attack_create(port, seconds, cookie, sessions):
    found = net.candidates()
    if not found:
        return ("POST /api/event from a LAN address", "skipped: this machine has no LAN address")
    lan = found[0].ip
    statuses, listed = run_async(create_flood(port, lan, seconds, cookie))
    created = sum(count for status, count in statuses.items() if 200 <= status < 300)
    others = "" if set(statuses) <= {403} else f" ({statuses_text(statuses)})"
    laptops = "the laptop's and only those" if sorted(listed) == sorted(sessions) else "NOT only"
    return (
        f"POST /api/event flood from {lan} (the LAN address), {seconds:.0f} s",
        f"{statuses.get(403, 0):,} x 403, {created:,} sessions created{others}; "
        f"/api/local/events lists {len(listed)} sessions, {laptops}",
    )


async def rebind(port, eid, secret, cookie):
    questions, _ = await guest_list(port, eid, cookie)
    qid = questions[0]["qid"]
    routes = [
        ("GET", "/api/local/events", b""),
        ("GET", f"/api/event/{eid}/questions/{secret}", b""),
        ("POST", f"/api/event/{eid}/questions/{secret}/{qid}/toggle/hidden", b"on"),
        ("GET", f"/api/event/{eid}/export/{secret}?format=json&all=1", b""),
        ("GET", f"/event/{eid}/{secret}", b""),
    ]
    answers = []
    for method, path, body in routes:
        evil = Client(port, host=f"rebind.evil.example:{port}")
        status, headers, data = await evil.request(method, path, body)
        evil.close()
        is_json = headers.get("content-type") == "application/json"
        answers.append((status, is_json and "error" in json.loads(data), secret.encode() in data))
    still_shown = qid in [q["qid"] for q in (await guest_list(port, eid, cookie))[0]]
    return answers, still_shown


def attack_rebind(port, cookie, sessions):
    eid, secret = seed(port, 1)
    sessions.append(eid)
    answers, still_shown = run_async(rebind(port, eid, secret, cookie))
    codes = collections.Counter(status for status, _, _ in answers)
    return (
        f"DNS rebinding: Host rebind.evil.example:port over 127.0.0.1, {len(answers)} host routes",
        f"{statuses_text(codes)}; JSON error {sum(j for _, j, _ in answers)}/{len(answers)}; "
        f"secret in a body {sum(s for _, _, s in answers)}; the toggled question "
        f"{'still shown' if still_shown else 'HIDDEN'}",
    )


# Refusals and the log


def log_size(path):
    text = path.read_bytes() if path.exists() else b""
    return text.count(b"\n"), len(text)


def attack_log(data_dir, seconds):
    server, port, _ = start_lanqa(data_dir)
    log = Path(data_dir) / "lanqa.log"
    try:
        eid, _ = seed(port, 1)
        qid = run_async(guest_list(port, eid, laptop_cookie(port)))[0][0]["qid"]
        lines, size = log_size(log)

        refused = (upvote(qid), spam(eid))  # in turn
        sent = run_async(flood(clients_from(port, 7, 1, 20), seconds, lambda n: refused[n % 2](n)))
        during = log_size(log)
    finally:
        stop(server)
    after_stop = log_size(log)
    return (
        f"429 flood from one address (cookie-less asks and votes), {seconds:.0f} s",
        f"{sum(sent.values()):,} sent ({statuses_text(sent)}); lanqa.log "
        f"+{during[0] - lines} lines, +{during[1] - size:,} bytes; once stopped (the count "
        f"of the minute's refusals) +{after_stop[0] - lines}, +{after_stop[1] - size:,} bytes",
    )


def table(rows):
    lines = ["| attack | measured |", "|---|---|"]
    return "\n".join(lines + [f"| {attack} | {measured} |" for attack, measured in rows])


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    attacks = ["slowloris", "votes", "asks", "rebind", "create", "log"]
    parser.add_argument("--only", nargs="+", choices=attacks, default=attacks)
    parser.add_argument("--seconds", type=float, default=20, help="per attack (10 for create, log)")
    parser.add_argument("--sockets", type=int, default=5200, help="slowloris sockets")
    args = parser.parse_args(argv)
    # Thousands of sockets: this process's own open-file limit, as high as it goes.
    hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    rows, short = [], min(10, args.seconds)
    if "slowloris" in args.only:
        with tempfile.TemporaryDirectory() as data_dir:
            rows.append(attack_slowloris(data_dir, args.seconds, args.sockets))
            print(rows[-1], flush=True)
    # These share a server: each comes from addresses of its own, and the limits are
    # per address. The laptop's sessions are noted, for the list `create` checks.
    shared = [attack for attack in attacks[1:5] if attack in args.only]
    if shared:
        with tempfile.TemporaryDirectory() as data_dir:
            server, port, _ = start_lanqa(data_dir)
            try:
                cookie, sessions = laptop_cookie(port), []
                for attack in shared:
                    if attack == "votes":
                        found = attack_votes(port, args.seconds, cookie, sessions)
                    elif attack == "asks":
                        found = attack_asks(port, args.seconds, cookie, sessions)
                    elif attack == "rebind":
                        found = [attack_rebind(port, cookie, sessions)]
                    else:
                        found = [attack_create(port, short, cookie, sessions)]
                    rows += found
                    print(*found, sep="\n", flush=True)
            finally:
                stop(server)
    if "log" in args.only:
        with tempfile.TemporaryDirectory() as data_dir:
            rows.append(attack_log(data_dir, short))
    print(table(rows))


if __name__ == "__main__":
    main()
