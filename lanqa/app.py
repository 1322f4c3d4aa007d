"""create_app(config) -> the Flask app: the one place that wires LanQA together."""

import secrets
import sys
import time
from pathlib import Path

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from lanqa import api, errors, logs, moderation, pages, similar
from lanqa.i18n import _
from lanqa.limits import Limits
from lanqa.lists import Lists
from lanqa.phone import Devices, Front, Phones, error_answer
from lanqa.presence import Presence
from lanqa.store import Store

MAX_BODY = 1024
MESSAGES = {
    404: _("Nothing is here: check the address."),
    413: _(
        "That is too long (at most {limit} bytes with the name): please shorten it.", limit=MAX_BODY
    ),
    500: errors.UNEXPECTED,
}


def assets_dir():
    """The web client's folder, next to the package or inside a frozen bundle."""
    root = Path(getattr(sys, "_MEIPASS", Path(__file__).resolve().parent.parent))
    return root / "assets"


def create_app(config):
    """A LanQA app; config needs DATABASE (a file path), may set ASSETS, CLOCK, HOST,
    RATE_LIMITS ({rule: (count, seconds)}, see limits.py), REMOTE_CREATE (other devices may
    create sessions) and VOTER_KEY (signs voter ids; else one kept in the database)."""
    app = Flask(__name__, static_folder=None)
    app.config.update(ASSETS=assets_dir(), CLOCK=time.time, MAX_CONTENT_LENGTH=MAX_BODY)
    app.config.update(config)
    app.json.sort_keys = False
    app.extensions["store"] = store = Store(app.config["DATABASE"])
    app.extensions["lists"] = lists = Lists(store)
    app.extensions["presence"] = presence = Presence()
    app.extensions["limits"] = limits = Limits(app.config.get("RATE_LIMITS"))
    app.extensions["similar"] = similar.Indexes()
    app.register_blueprint(api.bp)
    app.register_blueprint(moderation.bp)
    app.register_blueprint(pages.bp)
    app.before_request(logs.start_timer)
    app.before_request(read_body)
    app.after_request(logs.log_request)
    app.register_error_handler(HTTPException, error_response)
    routes = app.url_map.bind("lanqa")
    key = app.config.get("VOTER_KEY") or store.setting("voter key", lambda: secrets.token_hex(32))
    devices = Devices(key.encode())
    phones = Phones(store, lists, presence, limits, app.config["CLOCK"], routes, devices)
    app.extensions["phones"] = phones
    # The main loop's answers (server.Server's quick=) are app.wsgi_app.phones.from_memory.
    app.wsgi_app = Front(app.wsgi_app, phones)
    return app


def read_body():
    # Reading every body up front enforces the size cap on every route, even
    # on those that ignore their body. JSON that no route could store is refused here,
    # once for every route.
    errors.check_body(request.get_data())


def error_response(error):
    """Every 4xx/5xx as {"error": "<a sentence a person can act on>"}."""
    if getattr(error, "original_exception", None):  # a 500 for an exception (logged)
        error = errors.failure(error.original_exception)
    message = error.description
    if message == type(error).description:
        message = MESSAGES.get(error.code)
        if error.code == 405:
            message = _("This address does not accept {method} requests.", method=request.method)
    error.description = message or error.name
    return error_answer(error, pages.language()).response()
