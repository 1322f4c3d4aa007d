"""The data folder: one LanQA server at a time in it, and a sentence, not a traceback,
when the folder or its database can't be used."""

import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
import requests

from lanqa.store import Store

try:
    import resource
except ImportError:  # Windows: no file size limit to fill the disk with
    resource = None


def lanqa(*args, data_dir, env=None, **options):
    """Run `python -m lanqa ARGS --data-dir D` to its end: (exit status, all its output)."""
    done = subprocess.run(
        [sys.executable, "-m", "lanqa", *args, "--data-dir", str(data_dir)],
        capture_output=True,
        text=True,
        timeout=30,
        env={**os.environ, **(env or {})},
        **options,
    )
    return done.returncode, done.stdout + done.stderr


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_second_server_on_the_same_folder_is_refused_and_the_first_keeps_serving(serve):
    first = serve("--port", str(free_port()))  # a port of its own, so it is remembered
    assert (first.data_dir / "port").read_text() == str(first.port)
    started = time.monotonic()
    status, output = lanqa("serve", data_dir=first.data_dir)
    assert time.monotonic() - started < 10
    assert status == 1
    assert output.splitlines() == [
        f"LanQA is already running on {first.data_dir} at {first.url}/: use that one, or "
        "stop it first, or start this one with another --data-dir."
    ]
    # Not port + 1: the port file still holds the port printed QR codes point to.
    assert (first.data_dir / "port").read_text() == str(first.port)
    assert requests.get(first.url + "/", timeout=5).status_code == 200


@pytest.mark.skipif(sys.platform == "win32", reason="the browser here is a shell script")
def test_the_app_started_again_opens_the_one_running_instead(serve, tmp_path):
    first = serve()
    opened = tmp_path / "opened"
    browser = tmp_path / "browser"
    browser.write_text(f'#!/bin/sh\necho "$1" > {opened}\n')
    browser.chmod(0o755)
    env = {"DISPLAY": "", "WAYLAND_DISPLAY": "", "BROWSER": str(browser)}
    status, output = lanqa(data_dir=first.data_dir, env=env)
    assert status == 1
    assert f"LanQA is already running on {first.data_dir} at {first.url}/" in output
    assert opened.read_text().strip() == first.url + "/"


def test_a_killed_server_leaves_no_lock_behind(serve):
    first = serve()
    first.proc.kill()
    first.proc.wait()
    again = serve(data_dir=first.data_dir)
    assert requests.get(again.url + "/", timeout=5).status_code == 200


def test_export_reads_a_folder_while_its_server_runs(serve):
    server = serve()
    eid = requests.post(server.url + "/api/event", json={}, timeout=5).json()["id"]
    ask = requests.post(f"{server.url}/api/event/{eid}", json={"body": "Read while serving?"})
    assert ask.status_code == 200
    status, output = lanqa("export", eid, "--all", "--format", "md", data_dir=server.data_dir)
    assert status == 0 and "Read while serving?" in output


def real_database(folder):
    folder.mkdir()
    Store(folder / "lanqa.db").close()
    return (folder / "lanqa.db").read_bytes()


def folder_inside_a_file(tmp):
    (tmp / "file").write_text("not a folder")
    return tmp / "file" / "data", {}


def read_only_folder(tmp):
    """A folder LanQA may read but not write. Root (tests in a container) may write into
    any folder whatever its permissions say, so then LanQA runs as `nobody`."""
    (tmp / "data").mkdir(mode=0o555)
    if os.geteuid() != 0:
        return tmp / "data", {}
    return tmp / "data", {"user": 65534, "group": 65534, "extra_groups": []}


def database_is_a_folder(tmp):
    (tmp / "data" / "lanqa.db").mkdir(parents=True)
    return tmp / "data", {}


def full_disk(tmp):
    def no_file_past_20_kb():
        resource.setrlimit(resource.RLIMIT_FSIZE, (20_000, 20_000))

    return tmp / "data", {"preexec_fn": no_file_past_20_kb}


@pytest.fixture
def open_tmp():
    """A temporary folder that any user may enter (pytest's are its owner's alone)."""
    with tempfile.TemporaryDirectory() as folder:
        os.chmod(folder, 0o755)
        yield Path(folder)


# Windows enforces no permissions on folders, and words its errors its own way.
POSIX = pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions and errors")
UNUSABLE_FOLDER = (
    "LanQA cannot use {data} as its data folder ({reason}): make it a folder LanQA can "
    "write to, or start LanQA with another --data-dir."
)


@pytest.mark.parametrize(
    "make, message",
    [
        pytest.param(
            folder_inside_a_file,
            UNUSABLE_FOLDER.replace("{reason}", "Not a directory"),
            marks=POSIX,
            id="folder-inside-a-file",
        ),
        pytest.param(
            read_only_folder,
            UNUSABLE_FOLDER.replace("{reason}", "Permission denied"),
            marks=POSIX,
            id="read-only-folder",
        ),
        pytest.param(
            database_is_a_folder,
            "LanQA cannot open or write {database} (unable to open database file): make "
            "the file and its folder writable, or start LanQA with another --data-dir.",
            id="database-is-a-folder",
        ),
        pytest.param(
            full_disk,
            "LanQA could not read or write {database} (disk I/O error): check that its "
            "disk has free space and works, then start LanQA again.",
            marks=pytest.mark.skipif(resource is None, reason="no file size limit"),
            id="disk-full",
        ),
    ],
)
def test_a_folder_that_cannot_be_written_is_explained_at_start(open_tmp, make, message):
    data, options = make(open_tmp)
    status, output = lanqa("serve", "--port", "0", data_dir=data, **options)
    assert status == 1
    assert output.splitlines() == [message.format(data=data, database=data / "lanqa.db")]


@pytest.mark.parametrize(
    "damage, reason",
    [
        (lambda good: good[:100], "database disk image is malformed"),
        (lambda good: bytes(range(256)) * 32, "file is not a database"),
    ],
    ids=["truncated", "garbage"],
)
@pytest.mark.parametrize(
    "command",
    [("serve", "--port", "0"), ("export", "01ARZ3NDEKTSV4RRFFQ69G5FAV")],
    ids=["serve", "export"],
)
def test_a_damaged_database_is_explained_and_kept_as_it_was(tmp_path, damage, reason, command):
    data = tmp_path / "data"
    damaged = damage(real_database(data))
    (data / "lanqa.db").write_bytes(damaged)
    status, output = lanqa(*command, data_dir=data)
    assert status == 1
    assert output.splitlines() == [
        f"{data / 'lanqa.db'} is damaged ({reason}). LanQA has left it as it is: move it "
        "elsewhere (keep it, it may be recoverable) to start with an empty one, or start "
        "LanQA with another --data-dir."
    ]
    assert (data / "lanqa.db").read_bytes() == damaged
