"""The command line: `lanqa` (the app), `lanqa serve` (headless)."""

import argparse
import logging
import signal
import sys
import threading
import time
import webbrowser
from pathlib import Path

from lanqa import datadir, desktop, export, i18n, limits, logs, net, qr, similar
from lanqa.app import create_app
from lanqa.demo import create_demo
from lanqa.expiry import start_purger
from lanqa.i18n import _, ngettext
from lanqa.order import parse_ulid
from lanqa.server import MAX_CONNECTIONS, Server
from lanqa.store import Store, Unusable

DEFAULT_PORT = 8471
STOPPED = _("LanQA stopped.")
NO_NETWORK = _(
    "No local network found: join the venue Wi-Fi or start a hotspot on this laptop or a phone, then restart LanQA."  # noqa: E501
)
server_log = logging.getLogger("lanqa.server")


def main(argv=None):
    # A Windows pipe or file takes its ANSI code page, which lacks the terminal QR
    # code's block characters: print what it can rather than stop.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="replace")
    args = parser().parse_args(argv)
    try:
        if args.command == "serve":
            return serve(args)
        if args.command == "export":
            return export_command(args)
        return desktop_app(args)
    except datadir.Taken as taken:
        tell(taken.args[0], sys.stderr)
        if args.command is None and taken.address:
            webbrowser.open(taken.address)  # the app started again: show the one running
        return 1
    except Unusable as problem:  # a sentence that says what to do; a traceback would not
        tell(problem.args[0], sys.stderr)
        return 1


def said(text):
    """text in this computer's language (LANG...), if it is a sentence marked with _()."""
    return i18n.say(text, i18n.system_language())


def tell(text, file=None):
    """Print said(text): a sentence marked with _(), such as the args[0] of Taken and
    Unusable (str() of an exception would be English)."""
    print(said(text), file=file or sys.stdout, flush=True)


def parser():
    top = argparse.ArgumentParser(
        prog="lanqa",
        description=said(_("Live audience Q&A over the local network, no internet needed.")),
    )
    add_server_options(top)
    commands = top.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help=said(_("run the server without a window")))
    add_server_options(serve)
    serve.add_argument("--demo", action="store_true", help=said(_("also create a demo session")))
    serve.add_argument(
        "--remote-create",
        action="store_true",
        help=said(_("let other devices create sessions too (a venue server); rate-limited")),
    )
    serve.add_argument(
        "--limits",
        type=limits_arg,
        default=None,
        help=said(
            _("rate limits as rule=count/seconds, e.g. ask=5/60,devices=10/600 (see the README)")
        ),
    )
    exporting = commands.add_parser("export", help=said(_("write a session's answered questions")))
    exporting.add_argument(
        "event_id", help=said(_("the session id (the part after /event/ in its link)"))
    )
    exporting.add_argument("--format", choices=sorted(export.FORMATS), default="csv")
    exporting.add_argument("--output", type=Path, help=said(_("file to write (default: print it)")))
    exporting.add_argument(
        "--all", action="store_true", help=said(_("also pending and hidden questions"))
    )
    add_data_dir(exporting)
    top.set_defaults(demo=False, limits=None, remote_create=False)
    return top


def limits_arg(text):
    try:
        return limits.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(said(error.args[0])) from None


def add_server_options(command):
    command.add_argument(
        "--host", default="0.0.0.0", help=said(_("address to listen on (default: all)"))
    )
    command.add_argument(
        "--port",
        type=int,
        default=None,
        help=said(
            _(
                "port to listen on (default: the last one used, first {port}; 0: any)",
                port=DEFAULT_PORT,
            )
        ),
    )
    add_data_dir(command)


def add_data_dir(command):
    command.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help=said(_("folder for the database (default: $LANQA_DATA_DIR or the user data folder)")),
    )


def start(args):
    """Claim the data folder, open the database and bind the port: (app, server, folder)."""
    folder = datadir.find(args.data_dir)
    # Before the port: a second LanQA on this folder must not take the next one.
    datadir.claim(folder)
    try:
        logs.write_to(folder)
    except OSError as error:
        raise datadir.unwritable(folder, error) from None
    config = {
        "DATABASE": folder / "lanqa.db",
        "HOST": args.host,
        "RATE_LIMITS": args.limits,
        "REMOTE_CREATE": args.remote_create,
    }
    app = create_app(config)
    store, lists = app.extensions["store"], app.extensions["lists"]
    start_purger(store)
    # Questions stored without an embedding (similar.py) get theirs in the background.
    threading.Thread(
        target=similar.embed_missing,
        args=(store, lambda eid: lists.changed(eid, time.time()), time.time),
        name="lanqa-embed",
        daemon=True,
    ).start()
    port_file = folder / "port"
    port = args.port if args.port is not None else remembered_port(port_file)
    server = Server(app, args.host, port, quick=app.wsgi_app.phones.from_memory)
    datadir.announce(folder, f"http://127.0.0.1:{server.port}/")
    if port:
        # The same port next time keeps printed QR codes valid.
        port_file.write_text(str(server.port))
    return app, server, folder


def remembered_port(port_file):
    try:
        return int(port_file.read_text())
    except (OSError, ValueError):
        return DEFAULT_PORT


def serve(args, open_browser=False):
    """Serve until Ctrl+C or SIGTERM, printing the links people need."""
    app, server, _folder = start(args)
    # Before the links are printed: whoever waits for them may stop LanQA right after.
    signal.signal(signal.SIGTERM, stop)
    try:
        local = f"http://127.0.0.1:{server.port}"
        print_links(server, local)
        if args.demo:
            eid, secret = create_demo(app.extensions["store"], time.time())
            tell(_("Demo session, host view: {url}", url=f"{local}/event/{eid}/{secret}"))
            tell(_("Demo session, guests: {url}", url=f"{lan_base(server) or local}/event/{eid}"))
        if open_browser:
            webbrowser.open(local + "/")
        similar.load_soon()
        server.run()
    except KeyboardInterrupt:
        pass  # stopped before the server ran; once it runs, waitress takes Ctrl+C itself
    finally:
        server.close()
        # Closing the last connection checkpoints the WAL into lanqa.db.
        app.extensions["store"].close()
        logs.flush()
    tell(STOPPED)
    return 0


def desktop_app(args):
    """The LanQA window, or the web browser when this machine can't show one."""
    problem = desktop.gui_problem()
    if problem:
        reason = said(problem)
        tell(_("No window toolkit ({reason}): LanQA opens in your web browser.", reason=reason))
        if advice := desktop.advice():
            tell(advice)
        return serve(args, open_browser=True)
    app, server, folder = start(args)
    # Until the window takes them over, SIGTERM and Ctrl+C stop LanQA as in serve().
    signal.signal(signal.SIGTERM, stop)
    try:
        local = f"http://127.0.0.1:{server.port}"
        print_links(server, local)
        threading.Thread(target=server.run, name="lanqa-server", daemon=True).start()
        # Returns when the window is closed, also on SIGTERM or Ctrl+C. The model loads
        # once the page has: it would slow the window down.
        desktop.open_window(local + "/", folder / "window", loaded=similar.load_soon)
    except KeyboardInterrupt:
        pass  # stopped before the window opened
    finally:
        server.close()
        app.extensions["store"].close()
        logs.flush()
    tell(STOPPED)
    return 0


def export_command(args):
    database = datadir.find(args.data_dir) / "lanqa.db"
    now = time.time()
    store = Store(database)
    eid = parse_ulid(args.event_id)
    event = store.event(eid, now) if eid else None
    if event is None:
        tell(
            _(
                "lanqa export: no session {id} in {database}; check the id, and note that sessions are deleted 60 days after they start.",  # noqa: E501
                id=repr(args.event_id),
                database=database,
            ),
            sys.stderr,
        )
        return 1
    data = export.collect(event, store.export_rows(eid, now), now, everything=args.all)
    text = export.render(data, args.format, i18n.system_language())
    if args.output:
        args.output.write_text(text, encoding="utf-8", newline="")
        tell(_("Wrote {path}", path=args.output), sys.stderr)
    else:
        sys.stdout.write(text)
    return 0


def stop(signum, frame):
    raise KeyboardInterrupt


def lan_base(server):
    """http://<LAN address>:<port>, or None when phones cannot reach this server."""
    if server.host not in ("0.0.0.0", ""):
        return None if server.host.startswith("127.") else f"http://{server.host}:{server.port}"
    address = net.best(net.candidates())
    return f"http://{address.ip}:{server.port}" if address else None


def capacity(server, lang="en"):
    """How many phones this laptop's limits let stay connected, logged (in English) and
    returned in lang to print, with a warning when that is under 2,000."""
    cap, kind = server.cap, server.kind
    if kind == "select":
        room = ngettext(
            "Room for {n} phone connected at once (select(), as on Windows).",
            "Room for {n} phones connected at once (select(), as on Windows).",
            cap,
        )
    elif cap < MAX_CONNECTIONS:
        room = ngettext(
            "Room for {n} phone connected at once ({kind}, open-file limit {files}).",
            "Room for {n} phones connected at once ({kind}, open-file limit {files}).",
            cap,
            kind=kind,
            files=server.open_files,
        )
    else:
        room = ngettext(
            "Room for {n} phone connected at once ({kind}).",
            "Room for {n} phones connected at once ({kind}).",
            cap,
            kind=kind,
        )
    server_log.info(room)
    lines = [i18n.say(room, lang)]
    if cap < 2000:
        warning = [
            _("Warning: fewer than 2,000 phones can stay connected."),
            slower(cap // 2),
        ]
        if kind != "select":
            warning.append(_("To raise the limit: ulimit -n 8192, then start LanQA again."))
        server_log.warning(" ".join(warning))
        lines.append(" ".join(i18n.say(sentence, lang) for sentence in warning))
    return lines


def slower(n):
    return ngettext(
        "Phones past the first {n} still get in, but reconnect for each update, which is slower.",
        "Phones past the first {n} still get in, but reconnect for each update, which is slower.",
        n,
    )


def print_links(server, local):
    """What the laptop's terminal shows: the links, the room, the QR code to scan."""
    lan = lan_base(server)
    lines = [
        said(_("LanQA is running. Press Ctrl+C to stop.")),
        "  " + said(_("On this laptop: {url}", url=f"{local}/")),
        *("  " + line for line in capacity(server, i18n.system_language())),
    ]
    if lan:
        lines.append("  " + said(_("Phones on the same Wi-Fi: {url}", url=f"{lan}/")))
        lines.append(qr.terminal(lan + "/"))
        # The short address takes a phone to the live session (or lists them): the back
        # row, too far from the screen to scan, can type it.
        lines.append("  " + said(_("Or type: {address}", address=lan.removeprefix("http://"))))
    else:
        lines.append("  " + said(NO_NETWORK))
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
