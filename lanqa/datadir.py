"""The data folder (--data-dir): where it is, and one LanQA server at a time in it.

Two servers on one folder would share its database and log, and the second would take
the next port and remember that one, which breaks the QR codes already printed. A server
holds an OS lock on lanqa.lock for as long as it runs; the OS lets go of the lock however
the process ends, so a crash leaves no stale lock to clear by hand.
"""

import os
import sys
from pathlib import Path

import platformdirs

from lanqa.i18n import _
from lanqa.store import Unusable

LOCK_FILE = "lanqa.lock"
# Windows locks are mandatory: lock a byte past the address the file holds, so that a
# second LanQA can still read the address.
LOCKED_BYTE = 1024
held = {}  # folder -> its lock file's descriptor, open until this process ends


class Taken(Exception):
    """Another LanQA serves this folder; address is where it answers, when known."""

    def __init__(self, folder, address):
        super().__init__(taken(folder, address))
        self.address = address


def taken(folder, address):
    if address:
        return _(
            "LanQA is already running on {folder} at {address}: use that one, or stop it first, or start this one with another --data-dir.",  # noqa: E501
            folder=folder,
            address=address,
        )
    return _(
        "LanQA is already running on {folder}: use that one, or stop it first, or start this one with another --data-dir.",  # noqa: E501
        folder=folder,
    )


def find(arg):
    """The data folder, made if needed: arg, else $LANQA_DATA_DIR, else the user data folder."""
    folder = arg or os.environ.get("LANQA_DATA_DIR") or platformdirs.user_data_dir("LanQA", False)
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise unwritable(folder, error) from None
    return folder


def claim(folder):
    """Hold folder for this process, or raise Taken. Claiming it again from the same
    process changes nothing."""
    key = Path(folder).resolve()
    if key in held:
        return
    try:
        fd = os.open(key / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise unwritable(folder, error) from None
    try:
        lock(fd)
    except (BlockingIOError, PermissionError):  # held by another process (POSIX, Windows)
        os.lseek(fd, 0, os.SEEK_SET)
        address = os.read(fd, LOCKED_BYTE).decode(errors="replace").strip()
        os.close(fd)
        raise Taken(folder, address or None) from None
    held[key] = fd


def lock(fd):
    """Lock fd's file for this process alone; fails at once if another holds it."""
    if sys.platform == "win32":
        import msvcrt

        os.lseek(fd, LOCKED_BYTE, os.SEEK_SET)
        msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
    else:
        import fcntl

        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)


def announce(folder, address):
    """Write where this LanQA answers into its lock file, for a second one to point to."""
    fd = held[Path(folder).resolve()]
    try:
        os.ftruncate(fd, 0)  # the address of the LanQA that ran before
        os.lseek(fd, 0, os.SEEK_SET)
        os.write(fd, address.encode())
    except OSError as error:
        raise unwritable(folder, error) from None


def unwritable(folder, error):
    reason = error.strerror or error
    return Unusable(
        _(
            "LanQA cannot use {folder} as its data folder ({reason}): make it a folder LanQA can write to, or start LanQA with another --data-dir.",  # noqa: E501
            folder=folder,
            reason=reason,
        )
    )
