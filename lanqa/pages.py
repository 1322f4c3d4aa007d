"""The HTML routes: the one-page web client, its files, and the security headers."""

import functools
import ipaddress

import jinja2
from flask import Blueprint, Response, current_app, redirect, request, send_from_directory

from lanqa import i18n
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


@bp.get("/")
def start():
    """The start screen on the laptop itself. Any other device is the audience, come by
    the short address: to the live session, or to the list of them (several, or none)."""
    if from_laptop():
        return client()
    live = live_events()
    return redirect(f"/event/{live[0]['id']}" if len(live) == 1 else "/live", 303)


@bp.get("/live")
def live():
    return client()


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
    return client()


def client():
    """The one-page web client in the request's language; app.js shows the view the
    path names."""
    lang = language()
    response = Response(page(current_app.config["ASSETS"], lang), mimetype="text/html")
    response.headers["Cache-Control"] = "no-cache"
    response.headers["Content-Language"] = lang
    response.vary.update(("Accept-Language", "Cookie"))
    if from_laptop():
        response.headers["Content-Security-Policy"] = WINDOW_CSP
    return response


def language():
    """The language of this request: the one chosen on the page, else the phone's."""
    return i18n.choose(request.headers.get("Accept-Language", ""), request.headers.get("Cookie"))


@functools.cache
def page(assets, lang):
    """index.html in lang, with the catalog its scripts need: made once per language."""
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(assets), autoescape=True)
    template = environment.get_template("index.html")
    return template.render(
        _=lambda message, **values: i18n.Text(message, **values).to(lang),
        lang=lang,
        dir=i18n.direction(lang),
        catalog=i18n.page_catalog(lang),
    )


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
    response = send_from_directory(current_app.config["ASSETS"], name)
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.after_app_request
def secure(response):
    for name, value in SECURITY_HEADERS.items():
        response.headers.setdefault(name, value)
    return response
