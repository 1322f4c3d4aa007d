"""The command line: `lanqa` (the app), `lanqa serve` (headless)."""

import argparse
import logging
import signal
import sys
import threading
import time
import webbrowser
from pathlib import Path

from lanqa import datadir, desktop, export, limits, logs, net, qr
from lanqa.app import create_app
from lanqa.demo import create_demo
from lanqa.expiry import start_purger
from lanqa.order import parse_ulid
from lanqa.server import MAX_CONNECTIONS, Server
from lanqa.store import Store, Unusable

DEFAULT_PORT = 8471
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
        print(taken, file=sys.stderr)
        if args.command is None and taken.address:
            webbrowser.open(taken.address)  # the app started again: show the one running
        return 1
    except Unusable as problem:  # a sentence that says what to do; a traceback would not
        print(problem, file=sys.stderr)
        return 1


def parser():
    top = argparse.ArgumentParser(
        prog="lanqa", description="Live audience Q&A over the local network, no internet needed."
    )
    add_server_options(top)
    commands = top.add_subparsers(dest="command")
    serve = commands.add_parser("serve", help="run the server without a window")
    add_server_options(serve)
    serve.add_argument("--demo", action="store_true", help="also create a demo session")
    serve.add_argument(
        "--remote-create",
        action="store_true",
        help="let other devices create sessions too (a venue server); rate-limited",
    )
    serve.add_argument(
        "--limits",
        type=limits_arg,
        default=None,
        help="rate limits as rule=count/seconds, e.g. ask=5/60,devices=10/600 (see the README)",
    )
    exporting = commands.add_parser("export", help="write a session's answered questions")
    exporting.add_argument("event_id", help="the session id (the part after /event/ in its link)")
    exporting.add_argument("--format", choices=sorted(export.FORMATS), default="csv")
    exporting.add_argument("--output", type=Path, help="file to write (default: print it)")
    exporting.add_argument("--all", action="store_true", help="also pending and hidden questions")
    add_data_dir(exporting)
    top.set_defaults(demo=False, limits=None, remote_create=False)
    return top


def limits_arg(text):
    try:
        return limits.parse(text)
    except ValueError as error:
        raise argparse.ArgumentTypeError(str(error)) from None


def add_server_options(command):
    command.add_argument("--host", default="0.0.0.0", help="address to listen on (default: all)")
    command.add_argument(
        "--port",
        type=int,
        default=None,
        help=f"port to listen on (default: the last one used, first {DEFAULT_PORT}; 0: any)",
    )
    add_data_dir(command)


def add_data_dir(command):
    command.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder for the database (default: $LANQA_DATA_DIR or the user data folder)",
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
    start_purger(app.extensions["store"])
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
    app, server, _ = start(args)
    # Before the links are printed: whoever waits for them may stop LanQA right after.
    signal.signal(signal.SIGTERM, stop)
    try:
        local = f"http://127.0.0.1:{server.port}"
        print_links(server, local)
        if args.demo:
            eid, secret = create_demo(app.extensions["store"], time.time())
            print(f"Demo session, host view: {local}/event/{eid}/{secret}", flush=True)
            print(f"Demo session, guests:    {lan_base(server) or local}/event/{eid}", flush=True)
        if open_browser:
            webbrowser.open(local + "/")
        server.run()
    except KeyboardInterrupt:
        pass  # stopped before the server ran; once it runs, waitress takes Ctrl+C itself
    finally:
        server.close()
        # Closing the last connection checkpoints the WAL into lanqa.db.
        app.extensions["store"].close()
        logs.flush()
    print("LanQA stopped.", flush=True)
    return 0


def desktop_app(args):
    """The LanQA window, or the web browser when this machine can't show one."""
    problem = desktop.gui_problem()
    if problem:
        print(f"No window toolkit ({problem}): LanQA opens in your web browser.", flush=True)
        if advice := desktop.advice():
            print(advice, flush=True)
        return serve(args, open_browser=True)
    app, server, folder = start(args)
    # Until the window takes them over, SIGTERM and Ctrl+C stop LanQA as in serve().
    signal.signal(signal.SIGTERM, stop)
    try:
        local = f"http://127.0.0.1:{server.port}"
        print_links(server, local)
        threading.Thread(target=server.run, name="lanqa-server", daemon=True).start()
        # Returns when the window is closed, also on SIGTERM or Ctrl+C.
        desktop.open_window(local + "/", folder / "window")
    except KeyboardInterrupt:
        pass  # stopped before the window opened
    finally:
        server.close()
        app.extensions["store"].close()
        logs.flush()
    print("LanQA stopped.", flush=True)
    return 0


def export_command(args):
    database = datadir.find(args.data_dir) / "lanqa.db"
    now = time.time()
    store = Store(database)
    eid = parse_ulid(args.event_id)
    event = store.event(eid, now) if eid else None
    if event is None:
        print(
            f"lanqa export: no session {args.event_id!r} in {database}; "
            "check the id, and note that sessions are deleted 60 days after they start.",
            file=sys.stderr,
        )
        return 1
    data = export.collect(event, store.export_rows(eid, now), now, everything=args.all)
    text = export.render(data, args.format)
    if args.output:
        args.output.write_text(text, encoding="utf-8", newline="")
        print(f"Wrote {args.output}", file=sys.stderr)
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


def capacity(server):
    """How many phones this laptop's limits let stay connected, logged and printed, with
    a warning when that is under 2,000."""
    limit = server.kind
    if server.kind == "select":
        limit = "select(), as on Windows"
    elif server.cap < MAX_CONNECTIONS:
        limit += f", open-file limit {server.open_files}"
    lines = [f"  Room for {server.cap} phones connected at once ({limit})."]
    if server.cap < 2000:
        lines.append(
            "  Warning: fewer than 2,000 phones can stay connected. Phones past "
            f"{server.cap // 2} still get in, but reconnect for every update, which is slower."
        )
        if server.kind != "select":
            lines[-1] += " To raise the limit: ulimit -n 8192, then start LanQA again."
    for line in lines:
        level = logging.WARNING if "Warning" in line else logging.INFO
        server_log.log(level, line.strip())
    return lines


def print_links(server, local):
    lan = lan_base(server)
    lines = ["LanQA is running. Press Ctrl+C to stop.", f"  On this laptop: {local}/"]
    lines += capacity(server)
    if lan:
        lines += [f"  Phones on the same Wi-Fi: {lan}/", qr.terminal(lan + "/")]
        # The short address takes a phone to the live session (or lists them): the back
        # row, too far from the screen to scan, can type it.
        lines.append(f"  Or type: {lan.removeprefix('http://')}")
    else:
        lines.append(
            "  No local network found: join the venue Wi-Fi or start a hotspot on this "
            "laptop or a phone, then restart LanQA."
        )
    print("\n".join(lines), flush=True)


if __name__ == "__main__":
    sys.exit(main())
