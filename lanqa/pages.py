"""The HTML routes: the one-page web client, its files, and the security headers."""

import ipaddress

from flask import Blueprint, current_app, request, send_from_directory

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
@bp.get("/event/<eid>")
@bp.get("/event/<eid>/<secret>")
def client(eid=None, secret=None):
    response = send_from_directory(current_app.config["ASSETS"], "index.html")
    response.headers["Cache-Control"] = "no-cache"
    if ipaddress.ip_address(request.remote_addr).is_loopback:
        response.headers["Content-Security-Policy"] = WINDOW_CSP
    return response


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
