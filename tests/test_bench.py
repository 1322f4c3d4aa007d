"""The load benchmark runs and reports (its timings are read by people, not asserted)."""

import json
import subprocess
import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent.parent / "bench" / "phones.py"


def run(*args):
    done = subprocess.run(
        [sys.executable, str(BENCH), *args], capture_output=True, text=True, timeout=300
    )
    print(done.stdout)
    assert done.returncode == 0, done.stderr[-2000:]
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def test_a_hundred_phones_for_five_seconds_on_both_loops_under_a_desktop_file_limit():
    rows = run(
        *("phones", "--phones", "100", "--duration", "5", "--interval", "1", "--warmup", "2"),
        *("--loops", "native", "select", "--open-files", "1024", "--processes", "2"),
    )
    assert [row["loop"] for row in rows] == ["native", "select"]
    assert rows[1]["connection cap"] == 480
    for row in rows:
        assert row["phones"] == 100 and row["requests/s"] > 0
        assert row["errors"] == 0
        # New questions' texts come with the changes: no request of their own.
        assert set(row["p99 ms by kind"]) >= {"poll", "ask"}
        assert "details" not in row["p99 ms by kind"]


def test_phones_count_the_bytes_and_the_changes_protocol_sends_fewer_than_full_lists():
    # 30 votes a minute from each phone change the list at every poll, and 60 questions
    # make a full list large: each phone of "full" downloads it again and again.
    rows = run(
        *("phones", "--phones", "20", "--duration", "4", "--interval", "1", "--warmup", "2"),
        *("--questions", "60", "--protocol", "changes", "full", "--votes-per-minute", "30"),
    )
    assert [row["protocol"] for row in rows] == ["changes", "full"]
    changes, full = rows
    for row in rows:
        assert row["errors"] == 0 and row["votes/min/phone"] == 30
        assert "vote" in row["p99 ms by kind"]
        assert row["egress Mbit/s"] > 0 and row["ingress Mbit/s"] > 0
        assert row["KB/phone/min out"] > 0 and row["KB/phone/min in"] > 0
    assert changes["KB/phone/min out"] < full["KB/phone/min out"]


def test_the_ratio_benchmark_compares_with_bare_waitress():
    rows = run("ratio", "--questions", "10", "--duration", "1", "--connections", "4")
    assert [r["path"] for r in rows] == ["guest list 304", "guest list 200"]
    assert all(r["LanQA req/s"] > 0 and r["bare waitress req/s"] > 0 for r in rows)


def test_the_vote_benchmark_counts_every_acknowledged_vote():
    [row] = run("votes", "--questions", "5", "--duration", "1", "--connections", "4")
    assert row["acknowledged"] > 0 and row["counted"] == row["acknowledged"]


def test_the_similar_questions_benchmark_runs_quiet_and_in_a_hall():
    done = subprocess.run(
        [sys.executable, str(BENCH.parent / "similar.py"), "--questions", "40", "--duration", "1"],
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stderr[-2000:]
    rows = [line.split(" | ") for line in done.stdout.splitlines() if line.startswith("| ")]
    assert [row[0] for row in rows[1:]] == ["| quiet", "| hall"]
    assert all(int(row[1]) > 0 for row in rows[1:])  # lookups made
    assert "after a restart, the first lookups took" in done.stdout
