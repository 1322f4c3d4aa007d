"""The HTML routes: the one-page web client, its files, and the security headers."""

import functools
import hashlib
import ipaddress
from pathlib import Path

import jinja2
from flask import Blueprint, Response, abort, current_app, redirect, request

from lanqa import delta, i18n
from lanqa.assets import Assets
from lanqa.order import forgive_ulid

bp = Blueprint("pages", __name__)

SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
        "connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # The host link carries the secret: never let it leave in a Referer.
    "Referrer-Policy": "no-referrer",
}
# The desktop window's bridge (pywebview) runs its own code through eval(); pages
# served to the laptop itself allow that, pages served to phones do not.
WINDOW_CSP = SECURITY_HEADERS["Content-Security-Policy"].replace(
    "script-src 'self'", "script-src 'self' 'unsafe-eval'"
)


# The modules each page's script holds (assets.py): app.js and the view it shows, with
# what they import; the first list is what a phone waits for, so its page loads nothing
# else. Host, projector and start-screen code stays off the guests' page.
BUNDLES = {
    "start": ("app", "landing"),
    "live": ("app",),
    "guest": ("app", "event"),
    "host": ("app", "event", "share", "session", "reply", "moderate"),
    "projector": ("app", "projector"),
}
STYLES = {"projector": ("style.css", "projector.css")}
IMMUTABLE = "public, max-age=31536000, immutable"


@functools.cache
def load_assets(folder, changed):
    """The served files of folder (Assets), made again when a file changed."""
    return Assets(folder, BUNDLES)


def served():
    folder = Path(current_app.config["ASSETS"])
    return load_assets(folder, max(path.stat().st_mtime_ns for path in folder.iterdir()))


@bp.get("/")
def start():
    """The start screen on the laptop itself. Any other device is the audience, come by
    the short address: to the live session, or to the list of them (several, or none)."""
    if from_laptop():
        return client("start")
    live = live_events()
    return redirect(f"/event/{live[0]['id']}" if len(live) == 1 else "/live", 303)


@bp.get("/live")
def live():
    return client("live")


@bp.get("/event/<eid>")
@bp.get("/event/<eid>/")
@bp.get("/event/<eid>/<secret>")
@bp.get("/event/<eid>/<secret>/")
def event(eid, secret=None):
    """A session's page. A link typed by hand (the id in any case, O for 0, I or L for 1,
    a slash at the end) goes on to the canonical one."""
    path = "/".join(["/event", forgive_ulid(eid) or eid, *([secret] if secret else [])])
    if path != request.path:
        query = request.query_string.decode()
        return redirect(path + (f"?{query}" if query else ""), 308)
    return client("guest" if secret is None else "projector" if secret == "projector" else "host")


def client(view):
    """The one-page web client in the request's language, with the script of view;
    app.js shows the view the path names. Revalidated on every visit: a 304 when it
    is the same."""
    lang = language()
    body, gzipped, etag = page(served(), lang, view)
    response = send(body, gzipped, "text/html; charset=utf-8", "no-cache")
    response.set_etag(etag)
    response.headers["Content-Language"] = lang
    response.vary.update(("Accept-Language", "Cookie"))
    if from_laptop():
        response.headers["Content-Security-Policy"] = WINDOW_CSP
    return response.make_conditional(request)


def send(body, gzipped, kind, cache):
    """A response with body, compressed when the browser takes it."""
    packed = gzipped and delta.accepts_gzip(request.headers.get("Accept-Encoding"))
    response = Response(gzipped if packed else body, content_type=kind)
    response.headers["Cache-Control"] = cache
    response.vary.add("Accept-Encoding")
    if packed:
        response.headers["Content-Encoding"] = "gzip"
    return response


def language():
    """The language of this request: the one chosen on the page, else the phone's."""
    return i18n.choose(request.headers.get("Accept-Language", ""), request.headers.get("Cookie"))


@functools.cache
def page(files, lang, view):
    """(index.html in lang for view, compressed, its ETag), with the catalog its scripts
    need: made once per language and view."""
    loader = jinja2.FileSystemLoader(files.folder)
    template = jinja2.Environment(loader=loader, autoescape=True).get_template("index.html")
    body = template.render(
        _=lambda message, **values: i18n.Text(message, **values).to(lang),
        lang=lang,
        dir=i18n.direction(lang),
        catalog=i18n.page_catalog(lang, files.scripts[view]),
        script=files.urls[f"{view}.js"],
        styles=[files.urls[name] for name in STYLES.get(view, ("style.css",))],
        icon=files.urls["icon.svg"],
    ).encode()
    return body, delta.compress(body), hashlib.sha256(body).hexdigest()[:24]


def from_laptop():
    """Whether the request comes from the laptop itself (the socket's peer, which headers
    cannot fake)."""
    return ipaddress.ip_address(request.remote_addr).is_loopback


def live_events():
    """The live sessions (store.live_events), those a device has open now included."""
    now = current_app.config["CLOCK"]()
    extensions = current_app.extensions
    return extensions["store"].live_events(now, extensions["presence"].watched(now))


@bp.get("/assets/<path:name>")
def asset(name):
    """A file with a hash in its name, kept for good; any file of the folder under its
    own name, revalidated."""
    files = served()
    found = files.files.get(name) or files.plain(name)
    if found is None:
        abort(404)
    response = send(
        found.body, found.gzipped, found.type, IMMUTABLE if found.immutable else "no-cache"
    )
    # A script or style sheet needs no page's rules: only that it is not sniffed.
    response.headers["X-Content-Type-Options"] = "nosniff"
    if not found.immutable:
        response.set_etag(hashlib.sha256(found.body).hexdigest()[:24])
        return response.make_conditional(request)
    return response


@bp.after_app_request
def secure(response):
    if "X-Content-Type-Options" in response.headers:
        return response  # an answer of phone.py: it carries the headers it needs
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
