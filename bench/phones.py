"""A hall of phones against `lanqa serve`, on this machine's loopback only.

Three benchmarks, each against servers this script starts and stops itself:

  phones  N simulated phones, each with its own keep-alive connection and voter
          cookie: polls the guest list every P seconds with If-None-Match, fetches
          the text of questions it has not seen (batches of at most 25), votes about
          3 times a minute, and 5% of them ask a question, spread evenly over the
          measured time. Reports requests/s, p50/p95/p99 latency, errors, and the
          server's CPU and memory.
  ratio   closed-loop throughput of the guest-list poll (the 304 path, and the 200
          path) against a bare waitress app that serves a constant response of the
          same size with the same waitress settings, measured in the same run.
  votes   closed-loop upvotes, each from another device, with the rate limits
          lifted; reports votes/s and latency, and checks every acknowledged vote
          was counted.

    .venv/bin/python bench/phones.py phones --phones 2000 --interval 2 --duration 30
    .venv/bin/python bench/phones.py phones --loops native select --open-files 1024
    .venv/bin/python bench/phones.py ratio --questions 50 --duration 5
    .venv/bin/python bench/phones.py votes --duration 10

`--loops native select` runs each benchmark against this system's loop and against the
select() loop that Windows has (with its cap of 480 connections), in the same run;
`--open-files 1024` starts the server with a desktop's soft open-file limit. A phone
whose idle connection was closed sends its request again on a new one, as browsers do.

Everything is bounded in time and talks to 127.0.0.1 only. Timings are reported,
never asserted.
"""

import argparse
import asyncio
import itertools
import json
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


def phone_address(n):
    """A loopback address of its own for phone n, as each phone has on a LAN."""
    return f"127.1.{n // 250}.{n % 250 + 1}"


class Stale(Exception):
    """A reused connection turned out closed before any answer came."""


class Connection:
    """A minimal HTTP/1.1 client on one connection; reconnects when the server closes."""

    def __init__(self, port, address="127.0.0.1"):
        self.port, self.address, self.reader, self.writer, self.cookie = (
            port,
            address,
            None,
            None,
            None,
        )

    async def request(self, method, path, body=b"", headers=None, timeout=10):
        """(status, headers, body, seconds); reconnecting is counted in the time."""
        try:
            return await asyncio.wait_for(self._request(method, path, body, headers), timeout)
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
        lines = [f"{method} {path} HTTP/1.1", f"Host: 127.0.0.1:{self.port}"]
        if method != "GET":
            lines.append(f"Content-Length: {len(body)}")
        if self.cookie:
            lines.append(f"Cookie: {self.cookie}")
        lines += [f"{name}: {value}" for name, value in (headers or {}).items()]
        try:
            self.writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            head = await self.reader.readuntil(b"\r\n\r\n")
        except (OSError, asyncio.IncompleteReadError) as error:
            if reused and not getattr(error, "partial", b""):
                raise Stale from error
            raise
        head = head.decode("latin-1").split("\r\n")
        status = int(head[0].split()[1])
        found = {}
        for line in head[1:]:
            if line:
                name, _, value = line.partition(":")
                found[name.strip().lower()] = value.strip()
        length = int(found.get("content-length", 0))
        data = await self.reader.readexactly(length) if length else b""
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

    def record(self, kind, status, seconds):
        if time.monotonic() - seconds < self.since:  # sent during the warm-up
            return
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 400 or status == 0:  # 0: no answer at all
            self.errors += 1
            return
        self.latencies.append(seconds)
        self.by_kind.setdefault(kind, []).append(seconds)

    def p99_by_kind(self):
        return {
            kind: round(percentile(values, 0.99) * 1000, 1) for kind, values in self.by_kind.items()
        }


def percentile(values, share):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0


async def phone(port, n, eid, interval, join, end, results, ask_at, votes_per_minute=3.0):
    conn, etag, known, voted, qids = Connection(port, phone_address(n)), None, set(), set(), []
    await asyncio.sleep(join)
    while time.monotonic() < end:
        try:
            status, headers, body, seconds = await conn.request(
                "GET",
                f"/api/event/{eid}/questions",
                headers={"If-None-Match": etag} if etag else {},
            )
            results.record("poll", status, seconds)
            if status == 200:
                # Only the ids are needed: found without parsing the whole list, which
                # would cost the load generator more than the server spends answering.
                etag, qids = headers.get("etag"), QID.findall(body.decode())
                unseen = sorted(set(qids) - known)
                for start in range(0, len(unseen), 25):
                    batch = unseen[start : start + 25]
                    status, _, _, seconds = await conn.request(
                        "GET", "/api/questions/" + ",".join(batch)
                    )
                    results.record("details", status, seconds)
                    known.update(batch)
            if qids and random.random() < votes_per_minute * interval / 60:
                qid = random.choice(qids)
                direction = "down" if qid in voted else "up"
                status, _, _, seconds = await conn.request("POST", f"/api/vote/{qid}/{direction}")
                results.record("vote", status, seconds)
                voted.symmetric_difference_update({qid})
            if ask_at and time.monotonic() >= ask_at:
                ask_at = None
                text = json.dumps({"body": f"What about question {random.random():.6f}?"})
                status, _, _, seconds = await conn.request(
                    "POST", f"/api/event/{eid}", text.encode(), {"Content-Type": "application/json"}
                )
                results.record("ask", status, seconds)
        except (OSError, asyncio.IncompleteReadError, ValueError, TimeoutError):
            results.record("failed", 0, 0)
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


async def run_phones(port, pid, eid, phones, interval, duration, warmup):
    """Phones join evenly over most of the warm-up (people do not all scan the QR code in
    the same second) and fetch every text then; then measure."""
    started = time.monotonic() + warmup
    results, stats = Results(since=started), ProcessStats(pid)
    end = started + duration
    # 5% of the phones ask, one after another, evenly across the measured time.
    askers = random.sample(range(phones), max(1, phones // 20))
    ask_at = {n: started + duration * (k + 0.5) / len(askers) for k, n in enumerate(askers)}
    tasks = [
        asyncio.create_task(
            phone(port, n, eid, interval, n / phones * warmup * 0.7, end, results, ask_at.get(n))
        )
        for n in range(phones)
    ]
    await asyncio.sleep(warmup)
    cpu_before, client_before = stats.cpu_seconds(), time.process_time()
    while time.monotonic() < end:
        stats.sample_rss()
        await asyncio.sleep(0.5)
    await asyncio.gather(*tasks)
    elapsed = time.monotonic() - started
    rss = stats.rss
    return {
        "phones": phones,
        "requests/s": round(len(results.latencies) / elapsed),
        "p50 ms": round(percentile(results.latencies, 0.50) * 1000, 1),
        "p95 ms": round(percentile(results.latencies, 0.95) * 1000, 1),
        "p99 ms": round(percentile(results.latencies, 0.99) * 1000, 1),
        "errors": results.errors,
        "server CPU %": round(100 * (stats.cpu_seconds() - cpu_before) / elapsed),
        "client CPU %": round(100 * (time.process_time() - client_before) / elapsed),
        # first / last / peak: a flat line over a long run means no leak
        "server RSS MB": f"{rss[0]:.0f} / {rss[-1]:.0f} / {max(rss):.0f}",
        "server RSS MB each minute": [round(mb) for mb in rss[::120]],  # sampled every 0.5 s
        "statuses": dict(sorted(results.statuses.items())),
        "p99 ms by kind": results.p99_by_kind(),
    }


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
        "--loops",
        nargs="+",
        choices=["native", "select"],
        default=["native"],
        help="the server's main loop: this system's own (epoll), or select() as on Windows",
    )
    parser.add_argument(
        "--open-files", type=int, help="the server's soft open-file limit at start, e.g. 1024"
    )
    args = parser.parse_args(argv)
    rows = []
    # The vote benchmark measures the write path, so it lifts the rate limits.
    extra = ["--limits", NO_LIMITS] if args.mode == "votes" else []
    for questions, loop in itertools.product(args.questions, args.loops):
        with tempfile.TemporaryDirectory() as data_dir:
            server, port, cap = start_lanqa(data_dir, *extra, loop=loop, open_files=args.open_files)
            try:
                eid, _ = seed(port, questions)
                if args.mode == "phones":
                    for phones in args.phones:
                        row = run_async(
                            run_phones(
                                port,
                                server.pid,
                                eid,
                                phones,
                                args.interval,
                                args.duration,
                                max(10, 3 * args.interval) if args.warmup is None else args.warmup,
                            )
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
