"""What "already asked?" costs the server: similar-question lookups at 1,000 questions.

Starts `lanqa serve` (rate limits lifted) on 127.0.0.1, asks --questions questions from
as many phones (texts from tests/similar_pairs.tsv, each with a topic word of its own,
so that they differ), then for --duration seconds per round:

  lookup    one phone typing: GET /api/event/{eid}/similar?text=<what it has typed so
            far>, from the third word on, closed loop on one connection;
  baseline  in the same run, the same loop on a Flask route that does almost nothing
            (the host's settings), so the ratio shows what the lookup itself adds;

each once on a quiet server and once in a hall: --votes votes a second and an ask every
second in the background, as a room typing and voting would. It reports p50/p99 of
both, their ratio, and the lookup alone in this process on the same questions
(similar.Index, read from the server's database): the server's cost without HTTP.
Then memory: the server's resident memory once it has loaded the model, with no question
and with --questions questions; the time an ask takes; and the first lookups after a
restart, which read the stored embeddings rather than compute them.

    .venv/bin/python bench/similar.py --questions 1000 --duration 10

Everything talks to 127.0.0.1 only and is bounded in time; timings are reported, never
asserted.
"""

import argparse
import asyncio
import csv
import itertools
import json
import multiprocessing
import random
import sqlite3
import sys
import tempfile
import time
from contextlib import closing
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.phones import (  # noqa: E402
    NO_LIMITS,
    Connection,
    ProcessStats,
    percentile,
    phone_address,
    run_async,
    start_lanqa,
    stop,
    table,
)
from lanqa import similar  # noqa: E402

PAIRS = Path(__file__).resolve().parent.parent / "tests" / "similar_pairs.tsv"
LOADED = 2  # seconds: the server loads the model as it starts (about 0.4 s)
TOPICS = ["budget", "roadmap", "hiring", "security", "pricing", "onboarding", "testing", "parking"]


def texts():
    with open(PAIRS, encoding="utf-8", newline="") as file:
        rows = list(csv.DictReader(file, delimiter="\t", quoting=csv.QUOTE_NONE))
    return [row[column] for row in rows for column in ("question", "other")]


def typed(text):
    """What a guest's page looks up while typing text: each prefix from the third word."""
    words = text.split()
    return [" ".join(words[:n]) for n in range(3, len(words) + 1)]


def milliseconds(values):
    return round(percentile(values, 0.5) * 1000, 2), round(percentile(values, 0.99) * 1000, 2)


async def seed(port, eid, count, pool):
    """count questions, each from a phone of its own; the seconds each ask took."""
    took = []
    for n in range(count):
        body = f"{random.choice(pool)} ({random.choice(TOPICS)} {n})"
        phone = Connection(port, phone_address(n))
        status, _, _, seconds = await phone.request(
            "POST", f"/api/event/{eid}", json.dumps({"body": body}).encode()
        )
        phone.close()
        assert status == 200, status
        took.append(seconds)
    return took


async def loop(conn, paths, end):
    """Request paths in turn until end; the seconds each took."""
    took = []
    for path in itertools.cycle(paths):
        if time.monotonic() >= end:
            return took
        status, _, _, seconds = await conn.request("GET", path)
        assert status == 200, (status, path)
        took.append(seconds)


async def hall(port, eid, qids, votes, end):
    """votes upvotes a second, each from another phone, and an ask every second."""

    async def voter(n):
        conn = Connection(port, phone_address(5000 + n))
        while time.monotonic() < end:
            status = (await conn.request("POST", f"/api/vote/{random.choice(qids)}/up"))[0]
            assert status == 200, status
            await asyncio.sleep(max(0.0, 10 / votes - 0.001))
        conn.close()

    async def asker():
        n = 0
        while time.monotonic() < end:
            conn = Connection(port, phone_address(8000 + n))
            body = json.dumps({"body": f"One more question number {n} about the {n % 7}?"})
            status = (await conn.request("POST", f"/api/event/{eid}", body.encode()))[0]
            assert status == 200, status
            conn.close()
            n += 1
            await asyncio.sleep(1)

    await asyncio.gather(asker(), *(voter(n) for n in range(10)))


async def rounds(port, eid, secret, qids, pool, duration, votes):
    lookups = [
        f"/api/event/{eid}/similar?text={quote(prefix)}" for text in pool for prefix in typed(text)
    ]
    random.shuffle(lookups)
    baseline = [f"/api/event/{eid}/settings/{secret}"]
    found = {}
    for load in ("quiet", "hall"):
        for kind, paths in (("lookup", lookups), ("baseline", baseline)):
            conn = Connection(port, "127.0.0.1", {"Accept-Language": "en"})
            await conn.request("GET", paths[0])  # a first request, not counted
            if load == "hall":  # in a process of its own: it does not delay the lookups
                crowd = multiprocessing.Process(
                    target=in_a_hall, args=(port, eid, qids, votes, duration)
                )
                crowd.start()
            found[load, kind] = await loop(conn, paths, time.monotonic() + duration)
            conn.close()
            if load == "hall":
                crowd.join(duration + 10)
                assert crowd.exitcode == 0, "the hall's votes and asks failed"
    return found


def in_a_hall(port, eid, qids, votes, duration):
    run_async(hall(port, eid, qids, votes, time.monotonic() + duration))


def in_process(database, pool):
    """similar.Index.suggest alone on the server's questions: seconds per lookup."""
    with closing(sqlite3.connect(database)) as db:
        db.row_factory = sqlite3.Row
        rows = [dict(row) for row in db.execute("SELECT id, text, embedding FROM questions")]
    index = similar.Index(rows)
    took = []
    for text in pool:
        for prefix in typed(text):
            started = time.perf_counter()
            index.suggest(prefix, "en")
            took.append(time.perf_counter() - started)
    return took


def after_restart(data_dir, eid, pool):
    """The first three lookups after a restart (and LOADED seconds), in seconds: the first
    reads the stored embeddings; none computes them again."""
    server, port, _ = start_lanqa(data_dir, "--limits", NO_LIMITS)
    time.sleep(LOADED)

    async def look():
        conn = Connection(port, "127.0.0.1", {"Accept-Language": "en"})
        paths = [f"/api/event/{eid}/similar?text={quote(text)}" for text in pool[:3]]
        return [(await conn.request("GET", path))[3] for path in paths]

    try:
        return run_async(look())
    finally:
        stop(server)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--questions", type=int, default=1000)
    parser.add_argument("--duration", type=float, default=10.0)
    parser.add_argument("--votes", type=float, default=100.0, help="votes a second in the hall")
    args = parser.parse_args(argv)
    random.seed(7)
    pool = [text for text in texts() if len(text.split()) >= 3]
    with tempfile.TemporaryDirectory() as data_dir:
        server, port, _ = start_lanqa(data_dir, "--limits", NO_LIMITS)
        stats = ProcessStats(server.pid)
        try:
            time.sleep(LOADED)
            stats.sample_rss()
            created = json.loads(run_async(Connection(port).request("POST", "/api/event"))[2])
            eid, secret = created["id"], created["secret"]
            asks = run_async(seed(port, eid, args.questions, pool))
            stats.sample_rss()
            listed = run_async(Connection(port).request("GET", f"/api/event/{eid}/questions"))
            qids = [item["qid"] for item in json.loads(listed[2])]
            found = run_async(rounds(port, eid, secret, qids, pool, args.duration, args.votes))
            stats.sample_rss()
        finally:
            stop(server)
        alone = in_process(Path(data_dir) / "lanqa.db", pool)
        restarted = after_restart(data_dir, eid, pool)
    rows = []
    for load in ("quiet", "hall"):
        lookup, baseline = (
            milliseconds(found[load, "lookup"]),
            milliseconds(found[load, "baseline"]),
        )
        rows.append(
            {
                "server": load,
                "lookups": len(found[load, "lookup"]),
                "lookup p50 / p99 ms": f"{lookup[0]} / {lookup[1]}",
                "baseline p50 / p99 ms": f"{baseline[0]} / {baseline[1]}",
                "ratio p50 / p99": f"{lookup[0] / baseline[0]:.2f} / {lookup[1] / baseline[1]:.2f}",
            }
        )
    print(table(rows))
    print(
        f"\nsimilar.Index.suggest alone, {args.questions} questions, {len(alone)} lookups:"
        " p50 / p99 %.3f / %.3f ms" % milliseconds(alone)
    )
    asked = milliseconds(asks[len(asks) // 2 :])
    print(
        f"asks at {args.questions // 2}..{args.questions} questions:"
        f" p50 / p99 {asked[0]:.1f} / {asked[1]:.1f} ms"
    )
    print(
        "after a restart, the first lookups took "
        + ", ".join(f"{seconds * 1000:.1f}" for seconds in restarted)
        + " ms"
    )
    print(
        f"server memory: {stats.rss[0]:.0f} MB with the model and no question,"
        f" {stats.rss[1]:.0f} MB with {args.questions} questions,"
        f" {stats.rss[2]:.0f} MB after the lookups"
    )


if __name__ == "__main__":
    main()
