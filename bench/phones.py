"""A hall of phones against `lanqa serve`, on this machine's loopback only.

Three benchmarks, each against servers this script starts and stops itself:

  phones  N simulated phones, each with its own keep-alive connection and voter
          cookie: polls the guest list every P seconds, fetches the text of questions
          it has not seen (batches of at most 25), votes --votes-per-minute times a
          minute (default 3; 0.5 is a quiet hall) for questions chosen at random, and
          5% of them ask a question, spread evenly over the measured time. Reports
          requests/s, p50/p95/p99 latency, errors, the server's CPU and memory, and the
          bytes on the air, counted as they cross each socket (see below).
  ratio   closed-loop throughput of the guest-list poll (the 304 path, and the 200
          path) against a bare waitress app that serves a constant response of the
          same size with the same waitress settings, measured in the same run.
  votes   closed-loop upvotes, each from another device, with the rate limits
          lifted; reports votes/s and latency, and checks every acknowledged vote
          was counted.

    .venv/bin/python bench/phones.py phones --phones 2000 --interval 2 --duration 30
    .venv/bin/python bench/phones.py phones --protocol changes full --questions 50 200
    .venv/bin/python bench/phones.py phones --protocol changes --votes-per-minute 0.5
    .venv/bin/python bench/phones.py phones --loops native select --open-files 1024
    .venv/bin/python bench/phones.py ratio --questions 50 --duration 5
    .venv/bin/python bench/phones.py votes --duration 10

`--protocol` is how the phones poll, as a page does:

  changes  LanQA's own pages now (assets/held.js, lanqa/delta.py): the first poll asks
           `?since=0&texts=1` and gets the whole list with its texts, each later one
           `?since=<the version held>&texts=1` and gets a 304 or what changed, with the
           texts of new questions. Texts are fetched only for questions whose texts
           did not come along (none, unless a text could not be read). The page asks
           with fetch()'s cache "no-store", so the browser adds Pragma and
           Cache-Control: no-cache, and no If-None-Match.
  full     the page before: the whole ranked list whenever it changed (If-None-Match).

Several protocols (`--protocol changes full`) run one after another, each against a
server of its own seeded the same way, and a second table compares what each phone
downloads. `--loops native select` runs each benchmark against this system's loop and
against the select() loop that Windows has (with its cap of 480 connections), in the
same run; `--open-files 1024` starts the server with a desktop's soft open-file limit.
A phone whose idle connection was closed sends its request again on a new one, as
browsers do.

The phones send the headers Chrome sends with fetch() over plain HTTP (no Sec-Fetch-*
or client hints: those go to secure origins only; Safari's set is alike): Host,
Connection: keep-alive, User-Agent (an iPhone's Safari, 135 characters, about what
phones send), Accept: */*, Referer (the session's page), Accept-Encoding: gzip, deflate,
Accept-Language, Cookie, and on a POST also Content-Length, Origin and Content-Type.
So the bytes counted from the phones are about what real phones send.

Bytes are counted in `Connection._send`: everything written to the socket, and every
byte read from it (status line, headers and body, compressed as sent). TCP/IP and
Wi-Fi framing are not in them: each request and each answer costs one packet or more
of its own on top (40 bytes of TCP/IP headers and more for Wi-Fi, plus the ACKs), and
each new connection a handshake: "connections opened/s" counts those. Like latencies,
the bytes of requests sent during the warm-up are not counted.
"Egress" is server -> phones; KB is 1,000 bytes and Mbit/s 1,000,000 bits a second.

Everything is bounded in time and talks to 127.0.0.1 only. Timings are reported,
never asserted.
"""

import argparse
import asyncio
import concurrent.futures
import gzip
import itertools
import json
import multiprocessing
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import closing
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lanqa.limits import DEFAULTS  # noqa: E402
from lanqa.phone import Devices  # noqa: E402
from lanqa.server import Server  # noqa: E402

# For benchmarks of the write path: one client sends more than any limit allows.
NO_LIMITS = ",".join(f"{rule}=1000000/1" for rule in DEFAULTS)

QID = re.compile(r'"qid":"([0-9A-Z]{26})"')

# What a phone's browser sends with every fetch() over plain HTTP, after Host (see the
# docstring). The User-Agent is an iPhone's Safari: 135 characters.
USER_AGENT = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15"
    " (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
)
ACCEPT_LANGUAGE = "en-GB,en;q=0.9"
# What fetch() adds for cache "no-store", which LanQA's pages poll for changes with.
NO_STORE = {"Pragma": "no-cache", "Cache-Control": "no-cache"}


def browser_headers(port, eid):
    """The headers a phone on the session's page sends with each request."""
    return {
        "Connection": "keep-alive",
        "User-Agent": USER_AGENT,
        "Accept": "*/*",
        "Referer": f"http://127.0.0.1:{port}/event/{eid}",
        "Accept-Encoding": "gzip, deflate",
        "Accept-Language": ACCEPT_LANGUAGE,
    }


def phone_address(n):
    """A loopback address of its own for phone n, as each phone has on a LAN."""
    return f"127.1.{n // 250}.{n % 250 + 1}"


class Stale(Exception):
    """A reused connection turned out closed before any answer came."""


class Connection:
    """A minimal HTTP/1.1 client on one connection; reconnects when the server closes.
    headers: sent with every request, after Host and Content-Length; the Cookie goes
    last, as browsers send it. Counts the bytes it writes and reads (see counted())."""

    def __init__(self, port, address="127.0.0.1", headers=None):
        self.port, self.address, self.reader, self.writer, self.cookie = (
            port,
            address,
            None,
            None,
            None,
        )
        self.headers = headers or {}
        # Since counted() was last called: bytes each way, and connections opened.
        self.sent = self.received = self.opened = 0

    def counted(self):
        """(bytes sent, bytes received, connections opened) since the last call."""
        found = self.sent, self.received, self.opened
        self.sent = self.received = self.opened = 0
        return found

    async def request(self, method, path, body=b"", headers=None, timeout=10):
        """(status, headers, body, seconds); reconnecting is counted in the time."""
        try:
            # asyncio.timeout(), not wait_for(): no task per request, which would cost the
            # load generator a good part of the CPU it shares with the server.
            async with asyncio.timeout(timeout):
                return await self._request(method, path, body, headers)
        except TimeoutError:
            self.close()
            raise

    async def _request(self, method, path, body, headers):
        started = time.perf_counter()
        try:
            return await self._send(method, path, body, headers, started)
        except Stale:
            # As browsers do: a request that found its reused connection closed by the
            # server (an idle one, to make room) goes again on a new one.
            self.close()
            return await self._send(method, path, body, headers, started)

    async def _send(self, method, path, body, headers, started):
        reused = self.writer is not None
        if not reused:
            self.reader, self.writer = await asyncio.open_connection(
                "127.0.0.1", self.port, local_addr=(self.address, 0)
            )
            self.opened += 1
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        all_headers = {**self.headers, **(headers or {})}
        lines += [f"{name}: {value}" for name, value in all_headers.items()]
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        request = ("\r\n".join(lines) + "\r\n\r\n").encode() + body
        try:
            self.writer.write(request)
            self.sent += len(request)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError) as error:
            self.received += len(getattr(error, "partial", b""))
            if reused and not getattr(error, "partial", b""):
                raise Stale from error
            raise
        self.received += len(head)
        head = head.decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        found = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length", 0))
        try:
            data = await self.reader.readexactly(length) if length else b""
        except asyncio.IncompleteReadError as error:
            self.received += len(error.partial)
            raise
        self.received += len(data)
        if "set-cookie" in found:
            self.cookie = found["set-cookie"].split(";")[0]
        if found.get("connection", "").lower() == "close":
            self.close()
        return status, found, data, time.perf_counter() - started

    def close(self):
        if self.writer is not None:
            self.writer.close()
            self.writer = None


class Results:
    def __init__(self, since):
        self.latencies, self.errors, self.statuses, self.by_kind = [], 0, {}, {}
        self.since = since  # the warm-up ends: requests before are not counted
        self.sent = self.received = 0  # bytes, phones -> server and server -> phones
        self.opened = 0  # connections (a new one costs packets that no byte count shows)
        self.received_by_kind = {}

    def record(self, kind, status, seconds, conn=None):
        """A request of conn's that took seconds (status 0: no answer); its bytes and
        connections are what conn counted since the request before."""
        sent, received, opened = conn.counted() if conn else (0, 0, 0)
        if time.monotonic() - seconds < self.since:  # sent during the warm-up
            return
        self.sent += sent
        self.received += received
        self.opened += opened
        self.received_by_kind[kind] = self.received_by_kind.get(kind, 0) + received
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 400 or status == 0:  # 0: no answer at all
            self.errors += 1
            return
        self.latencies.append(seconds)
        self.by_kind.setdefault(kind, []).append(seconds)

    def merge(self, other):
        """Add the counts of other, the Results of another process's phones."""
        self.latencies += other.latencies
        self.errors += other.errors
        self.sent += other.sent
        self.received += other.received
        self.opened += other.opened
        for kind, values in other.by_kind.items():
            self.by_kind.setdefault(kind, []).extend(values)
        for mine, theirs in (
            (self.statuses, other.statuses),
            (self.received_by_kind, other.received_by_kind),
        ):
            for key, count in theirs.items():
                mine[key] = mine.get(key, 0) + count

    def p99_by_kind(self):
        return {
            kind: round(percentile(values, 0.99) * 1000, 1) for kind, values in self.by_kind.items()
        }


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


class FullPage:
    """A page that polls as LanQA's did before: the whole ranked list, whenever it has
    changed (If-None-Match)."""

    def __init__(self, eid):
        self.path, self.etag, self.qids = f"/api/event/{eid}/questions", None, []

    def next_poll(self):
        """(path, headers) of the next poll."""
        return self.path, {"If-None-Match": self.etag} if self.etag else {}

    def take(self, headers, body):
        """Take in a 200 answer (body decompressed): (the qids it lists, the texts that
        came along, as {qid: text})."""
        # Only the ids are needed: found without parsing the whole list, which would
        # cost the load generator more than the server spends answering.
        self.etag, self.qids = headers.get("etag"), QID.findall(body.decode())
        return self.qids, {}


class ChangesPage:
    """A page that polls as LanQA's pages do now (assets/held.js): the changes since
    the version it holds. It keeps only what a phone needs to vote and to fetch texts:
    the qids it holds, in question-id order."""

    def __init__(self, eid):
        self.path, self.since, self.qids = f"/api/event/{eid}/questions", "0", []
        self.ids = set()  # the same qids, to look them up

    def next_poll(self):
        """As FullPage's: the texts come along, of the questions new to the page."""
        return f"{self.path}?since={self.since}&texts=1", NO_STORE

    def take(self, headers, body):
        """As FullPage's; the qids it lists are only those of new and changed items."""
        answer = json.loads(body)
        if answer.get("full"):
            self.qids, self.ids = [], set()
        if answer.get("gone"):
            # Gaps between the indexes of the questions that went (delta.py).
            index, gone = 0, set()
            for gap in answer["gone"]:
                index += gap
                gone.add(self.qids[index])
            self.qids = [qid for qid in self.qids if qid not in gone]
            self.ids -= gone
        # "items" holds new questions and changed ones; "votes" changes no qid.
        listed = [item["qid"] for item in answer.get("items", ())]
        new = [qid for qid in listed if qid not in self.ids]
        if new:
            self.qids = sorted(self.qids + new)  # both in id order: a cheap sort
            self.ids.update(new)
        self.since = answer["v"]
        return listed, answer.get("texts", {})


PAGES = {"changes": ChangesPage, "full": FullPage}


async def phone(port, n, eid, interval, join, end, results, ask_at, votes_per_minute, protocol):
    """Phone n: joins after join seconds, then polls every interval seconds as a page of
    protocol does until end, fetching the texts it lacks, voting and asking at ask_at."""
    conn = Connection(port, phone_address(n), browser_headers(port, eid))
    page = PAGES[protocol](eid)
    known, voted = set(), set()  # qids whose texts this phone has; that it voted for
    origin = {"Origin": f"http://127.0.0.1:{port}"}  # sent with a POST, as browsers do
    await asyncio.sleep(join)
    while time.monotonic() < end:
        try:
            path, poll_headers = page.next_poll()
            status, headers, body, seconds = await conn.request("GET", path, headers=poll_headers)
            results.record("poll", status, seconds, conn)
            if status == 200:
                if headers.get("content-encoding") == "gzip":
                    body = gzip.decompress(body)
                listed, texts = page.take(headers, body)
                known.update(texts)
                unseen = sorted(set(listed) - known)
                for start in range(0, len(unseen), 25):
                    batch = unseen[start : start + 25]
                    status, _, _, seconds = await conn.request(
                        "GET", "/api/questions/" + ",".join(batch)
                    )
                    results.record("details", status, seconds, conn)
                    known.update(batch)
            if page.qids and random.random() < votes_per_minute * interval / 60:
                qid = random.choice(page.qids)
                direction = "down" if qid in voted else "up"
                status, _, _, seconds = await conn.request(
                    "POST", f"/api/vote/{qid}/{direction}", headers=origin
                )
                results.record("vote", status, seconds, conn)
                voted.symmetric_difference_update({qid})
            if ask_at and time.monotonic() >= ask_at:
                ask_at = None
                text = json.dumps({"body": f"What about question {random.random():.6f}?"})
                asking = {**origin, "Content-Type": "application/json"}
                status, _, _, seconds = await conn.request(
                    "POST", f"/api/event/{eid}", text.encode(), asking
                )
                results.record("ask", status, seconds, conn)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            results.record("failed", 0, 0, conn)
            conn.close()
        await asyncio.sleep(interval * random.uniform(0.9, 1.1))
    conn.close()


class ProcessStats:
    """CPU seconds and peak resident memory of a process, from /proc (Linux)."""

    def __init__(self, pid):
        self.pid, self.rss = pid, []

    def cpu_seconds(self):
        fields = Path(f"/proc/{self.pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / 100  # utime + stime, in clock ticks

    def sample_rss(self):
        status = Path(f"/proc/{self.pid}/status").read_text()
        self.rss.append(int(re.search(r"VmRSS:\s+(\d+) kB", status).group(1)) / 1024)


def run_phones(port, pid, eid, phones, interval, duration, warmup, votes, protocol, processes=1):
    """Phones join evenly over most of the warm-up (people do not all scan the QR code in
    the same second) and fetch every text then; then measure. votes: per phone and
    minute; protocol: "changes" or "full" (see PAGES). processes: how many processes
    share the phones (each takes every processes-th one), so that the load generator is
    not what runs out of CPU first."""
    started = time.monotonic() + warmup  # the same clock in every process (monotonic)
    stats = ProcessStats(pid)
    end = started + duration
    # 5% of the phones ask, one after another, evenly across the measured time.
    askers = random.sample(range(phones), max(1, phones // 20))
    ask_at = {n: started + duration * (k + 0.5) / len(askers) for k, n in enumerate(askers)}
    setup = (port, eid, phones, interval, warmup, started, end, ask_at, votes, protocol)
    fork = multiprocessing.get_context("fork")
    with concurrent.futures.ProcessPoolExecutor(processes, mp_context=fork) as pool:
        shares = [pool.submit(phones_share, *setup, k, processes) for k in range(processes)]
        time.sleep(max(0, started - time.monotonic()))
        cpu_before = stats.cpu_seconds()
        while time.monotonic() < end:
            stats.sample_rss()
            time.sleep(0.5)
        cpu_after = stats.cpu_seconds()
        shares = [share.result() for share in shares]
    results, client_cpu = Results(since=started), sum(cpu for _, cpu in shares)
    for share, _ in shares:
        results.merge(share)
    elapsed = time.monotonic() - started
    rss = stats.rss
    # Counted requests were all sent in the measured time, while elapsed also takes in
    # the phones' last sleep (up to one interval): bytes go per measured second.
    minutes = duration / 60
    return {
        "phones": phones,
        "protocol": protocol,
        "votes/min/phone": votes,
        "requests/s": round(len(results.latencies) / elapsed),
        "p50 ms": round(percentile(results.latencies, 0.50) * 1000, 1),
        "p95 ms": round(percentile(results.latencies, 0.95) * 1000, 1),
        "p99 ms": round(percentile(results.latencies, 0.99) * 1000, 1),
        "errors": results.errors,
        "egress Mbit/s": round(results.received * 8 / duration / 1e6, 2),
        "ingress Mbit/s": round(results.sent * 8 / duration / 1e6, 2),
        "KB/phone/min out": round(results.received / 1000 / phones / minutes, 1),
        "KB/phone/min in": round(results.sent / 1000 / phones / minutes, 1),
        "connections opened/s": round(results.opened / duration, 1),
        "KB/phone/min out by kind": {
            kind: round(count / 1000 / phones / minutes, 1)
            for kind, count in results.received_by_kind.items()
        },
        "server CPU %": round(100 * (cpu_after - cpu_before) / duration),
        "client CPU %": round(100 * client_cpu / duration),
        # first / last / peak: a flat line over a long run means no leak
        "server RSS MB": f"{rss[0]:.0f} / {rss[-1]:.0f} / {max(rss):.0f}",
        "server RSS MB each minute": [round(mb) for mb in rss[::120]],  # sampled every 0.5 s
        "statuses": dict(sorted(results.statuses.items())),
        "p99 ms by kind": results.p99_by_kind(),
    }


def phones_share(
    port, eid, phones, interval, warmup, started, end, ask_at, votes, protocol, share, processes
):
    """Run phones share, share + processes, ... until end, in this process: (its
    Results, its CPU seconds in the measured time)."""

    async def run():
        tasks = [
            asyncio.create_task(
                phone(
                    port,
                    n,
                    eid,
                    interval,
                    n / phones * warmup * 0.7,
                    end,
                    results,
                    ask_at.get(n),
                    votes,
                    protocol,
                )
            )
            for n in range(share, phones, processes)
        ]
        await asyncio.sleep(max(0, started - time.monotonic()))
        before = time.process_time()
        await asyncio.gather(*tasks)
        return time.process_time() - before

    random.seed()  # not the choices of the process it was forked from
    results = Results(since=started)
    cpu = run_async(run())
    return results, cpu


async def closed_loop(port, path, headers, connections, duration):
    """Requests/s with `connections` clients each sending the next request on a reply."""
    count, end = 0, time.monotonic() + duration

    async def client(number):
        nonlocal count
        conn = Connection(port, phone_address(number))
        while time.monotonic() < end:
            await conn.request("GET", path, headers=headers)
            count += 1
        conn.close()

    started = time.monotonic()
    await asyncio.gather(*(client(n) for n in range(connections)))
    return count / (time.monotonic() - started)


def devices_of(data_dir):
    """Voter ids as the server at data_dir hands them out (signed with its key), so a
    benchmark can be many devices without asking for each id first."""
    with closing(sqlite3.connect(Path(data_dir) / "lanqa.db")) as db:
        key = db.execute("SELECT value FROM settings WHERE name = 'voter key'").fetchone()[0]
    return Devices(key.encode())


async def run_votes(port, eid, connections, duration, devices):
    """Closed-loop upvotes, each from a different device; then check that all landed."""
    _, _, body, _ = await Connection(port).request("GET", f"/api/event/{eid}/questions")
    qids = [q["qid"] for q in json.loads(body)]
    before = sum(q["votes"] for q in json.loads(body))
    latencies, end = [], time.monotonic() + duration

    async def device_stream(number):
        conn = Connection(port, phone_address(number))
        while time.monotonic() < end:
            # Every vote comes from another device, one that has loaded the page (and
            # so has its voter cookie), as a phone has before it can vote.
            conn.cookie = f"lanqa_voter={devices.new()}"
            status, _, _, seconds = await conn.request(
                "POST", f"/api/vote/{random.choice(qids)}/up"
            )
            if status == 200:
                latencies.append(seconds)
        conn.close()

    started = time.monotonic()
    await asyncio.gather(*(device_stream(n) for n in range(connections)))
    elapsed = time.monotonic() - started
    _, _, body, _ = await Connection(port).request("GET", f"/api/event/{eid}/questions")
    return {
        "connections": connections,
        "votes/s": round(len(latencies) / elapsed),
        "p50 ms": round(percentile(latencies, 0.50) * 1000, 1),
        "p99 ms": round(percentile(latencies, 0.99) * 1000, 1),
        "acknowledged": len(latencies),
        "counted": sum(q["votes"] for q in json.loads(body)) - before,
    }


def run_async(coroutine):
    """Run coroutine on uvloop where it is installed: the load generator, which shares
    the machine with the server, then costs about a third of what asyncio's loop does."""
    try:
        import uvloop
    except ImportError:
        return asyncio.run(coroutine)
    return uvloop.run(coroutine)


# The servers


def start_lanqa(data_dir, *extra, loop="native", open_files=None):
    """`lanqa serve --port 0` in a subprocess: (process, port, connection cap). loop
    "select" forces the Windows path; open_files sets the soft open-file limit it
    starts with, as a desktop session would."""
    command = [sys.executable, "-m", "lanqa", "serve", "--port", "0", "--data-dir", str(data_dir)]
    command += extra
    env = {name: value for name, value in os.environ.items() if name != "LANQA_LOOP"}
    if loop == "select":
        env["LANQA_LOOP"] = "select"

    def limit():
        if open_files:
            hard = resource.getrlimit(resource.RLIMIT_NOFILE)[1]
            resource.setrlimit(resource.RLIMIT_NOFILE, (open_files, hard))

    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        env=env,
        preexec_fn=limit,
    )
    port = None
    for line in process.stdout:
        found = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        port = port or (found and int(found.group(1)))
        cap = re.search(r"Room for (\d+) phones", line)
        if port and cap:
            # Keep reading its output: a full pipe would stop the server mid-run.
            threading.Thread(target=process.stdout.read, daemon=True).start()
            return process, port, int(cap.group(1))
    raise RuntimeError("lanqa serve did not start")


def bare_server(status, size):
    """A plain WSGI app, no Flask, serving `size` constant bytes: the baseline."""
    body = b"x" * size

    def app(environ, start_response):
        headers = [("Content-Type", "application/json"), ("ETag", '"constant"')]
        if status == 200:
            headers.append(("Content-Length", str(size)))
        start_response({200: "200 OK", 304: "304 Not Modified"}[status], headers)
        return [body] if status == 200 else []

    server = Server(app, "127.0.0.1", 0)  # LanQA's waitress settings and main loop
    print(server.port, flush=True)
    server.run()


def start_bare(status, size):
    code = f"import bench.phones as b; b.bare_server({status}, {size})"
    root = Path(__file__).resolve().parent.parent
    process = subprocess.Popen(
        [sys.executable, "-c", code], cwd=root, stdout=subprocess.PIPE, text=True
    )
    return process, int(process.stdout.readline())


def stop(process):
    process.terminate()
    process.wait(10)
    process.stdout.close()


def seed(port, questions):
    """A session with `questions` questions from as many devices; (event id, secret)."""

    async def go():
        created = await Connection(port).request("POST", "/api/event")
        event = json.loads(created[2])
        for n in range(questions):
            body = json.dumps({"body": f"Benchmark question number {n}?"}).encode()
            await Connection(port, phone_address(n)).request(
                "POST", f"/api/event/{event['id']}", body
            )
        return event["id"], event["secret"]

    return run_async(go())


def table(rows):
    columns = list(rows[0])
    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(str(row[c]) for c in columns) + " |" for row in rows]
    return "\n".join(lines)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("mode", choices=["phones", "ratio", "votes"])
    parser.add_argument("--phones", type=int, nargs="+", default=[2000])
    parser.add_argument("--interval", type=float, default=2.0)
    parser.add_argument("--duration", type=float, default=20.0)
    parser.add_argument(
        "--warmup", type=float, default=None, help="default: 3 poll intervals, at least 10 s"
    )
    parser.add_argument("--questions", type=int, nargs="+", default=[50])
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument(
        "--processes", type=int, default=1, help="processes the phones are shared among"
    )
    parser.add_argument(
        "--loops",
        nargs="+",
        choices=["native", "select"],
        default=["native"],
        help="the server's main loop: this system's own (epoll), or select() as on Windows",
    )
    parser.add_argument(
        "--open-files", type=int, help="the server's soft open-file limit at start, e.g. 1024"
    )
    parser.add_argument(
        "--protocol",
        nargs="+",
        choices=list(PAGES),
        default=["changes"],
        help="how phones poll: the changes since a version, as LanQA's pages do, or the"
        " full list with If-None-Match, as they did; each against a server of its own",
    )
    parser.add_argument(
        "--votes-per-minute",
        type=float,
        default=3.0,
        help="per phone: 3 is a hall (2,000 phones: 100 votes/s), 0.5 a quiet one",
    )
    args = parser.parse_args(argv)
    raise_open_file_limit()
    rows = []
    # The vote benchmark measures the write path, so it lifts the rate limits.
    extra = ["--limits", NO_LIMITS] if args.mode == "votes" else []
    # Each protocol gets a server of its own: in one server the second would find the
    # questions the first one's phones asked.
    protocols = args.protocol if args.mode == "phones" else [None]
    for questions, loop, protocol in itertools.product(args.questions, args.loops, protocols):
        with tempfile.TemporaryDirectory() as data_dir:
            server, port, cap = start_lanqa(data_dir, *extra, loop=loop, open_files=args.open_files)
            try:
                eid, _ = seed(port, questions)
                if args.mode == "phones":
                    for phones in args.phones:
                        row = run_phones(
                            port,
                            server.pid,
                            eid,
                            phones,
                            args.interval,
                            args.duration,
                            max(10, 3 * args.interval) if args.warmup is None else args.warmup,
                            args.votes_per_minute,
                            protocol,
                            args.processes,
                        )
                        setup = {"questions": questions, "loop": loop, "connection cap": cap}
                        rows.append({**setup, **row})
                        print(json.dumps(rows[-1]), flush=True)
                elif args.mode == "votes":
                    devices = devices_of(data_dir)
                    votes = run_votes(port, eid, args.connections, args.duration, devices)
                    rows.append(run_async(votes))
                    print(json.dumps(rows[-1]), flush=True)
                else:
                    rows += ratio_rows(port, eid, questions, args)
            finally:
                stop(server)
    print(table(rows))
    ratios = protocol_ratios(rows) if len(protocols) > 1 else []
    if ratios:
        print()
        print(table(ratios))


def raise_open_file_limit():
    """Each phone's connection is an open file of this process: 5,000 phones need more
    than the soft limit of 1,024 that many systems start a shell with. Raise the soft
    limit to the hard one (the server raises its own when it starts)."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    # An unlimited hard limit (macOS) is not one the kernel takes as a soft limit.
    if soft != hard and hard != resource.RLIM_INFINITY:
        resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))


def protocol_ratios(rows):
    """What a phone downloads with the changes protocol and with the full list, for each
    setup that ran both."""
    setup = ("questions", "loop", "phones", "votes/min/phone")
    full = {tuple(row[key] for key in setup): row for row in rows if row["protocol"] == "full"}
    ratios = []
    for row in rows:
        other = full.get(tuple(row[key] for key in setup))
        if row["protocol"] != "changes" or other is None:
            continue
        changes_kb, full_kb = row["KB/phone/min out"], other["KB/phone/min out"]
        ratios.append(
            {
                **{key: row[key] for key in setup},
                "changes KB/phone/min out": changes_kb,
                "full KB/phone/min out": full_kb,
                "full ÷ changes": round(full_kb / changes_kb, 1) if changes_kb else "-",
                "changes KB/phone/min in": row["KB/phone/min in"],
                "full KB/phone/min in": other["KB/phone/min in"],
            }
        )
    return ratios


def ratio_rows(port, eid, questions, args):
    path = f"/api/event/{eid}/questions"
    first = run_async(Connection(port).request("GET", path))
    etag, size = first[1]["etag"], len(first[2])
    rows = []
    for status, headers in ((304, {"If-None-Match": etag}), (200, {})):
        ours = run_async(closed_loop(port, path, headers, args.connections, args.duration))
        bare, bare_port = start_bare(status, size)
        try:
            base = run_async(closed_loop(bare_port, "/", {}, args.connections, args.duration))
        finally:
            stop(bare)
        rows.append(
            {
                "path": f"guest list {status}",
                "questions": questions,
                "body bytes": size if status == 200 else 0,
                "LanQA req/s": round(ours),
                "bare waitress req/s": round(base),
                "ratio": round(ours / base, 2),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


if __name__ == "__main__":
    main()
