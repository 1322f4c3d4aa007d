"""The JSON API: the routes of wewerewondering.com, path for path, plus LanQA's own."""

import hmac
import ipaddress
import re

from flask import Blueprint, Response, abort, current_app, g, jsonify, request

from lanqa import export, net, qr, similar
from lanqa.expiry import QUESTION_LIFETIME
from lanqa.i18n import _, ngettext
from lanqa.order import new_secret, new_ulid
from lanqa.pages import language, live_events
from lanqa.phone import EVENT_GONE, HEADERS, IMMUTABLE, VOTER_COOKIE, too_many, ulid_or_400

bp = Blueprint("api", __name__, url_prefix="/api")

MAX_TITLE = 120
MAX_NAME = 100
MAX_QUESTION = 500  # characters of a question compared with the others (similar.py)
# Scripts written without spaces between words: Han, Hiragana, Katakana, Hangul, Thai,
# Lao, Khmer, Myanmar, Tibetan. Two of their characters make two words.
UNSPACED = re.compile(
    "[\u2e80-\u2fdf\u3005-\u3007\u3021-\u3029\u3038-\u303b\u3400-\u4dbf"
    "\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"  # Han
    "\u3040-\u30ff\u31f0-\u31ff\uff66-\uff9f"  # Hiragana, Katakana
    "\u1100-\u11ff\u3130-\u318f\uac00-\ud7af"  # Hangul
    "\u0e00-\u0eff\u1780-\u17ff\u19e0-\u19ff"  # Thai, Lao, Khmer
    "\u1000-\u109f\ua9e0-\ua9ff\uaa60-\uaa7f\u0f00-\u0fff]"  # Myanmar, Tibetan
)
MAX_WIFI_NAME = 32  # bytes in a Wi-Fi network's name (SSID)
QUESTIONS_CLOSED = _("Questions are closed for this session.")


@bp.post("/event")
def create_event():
    on_laptop = is_loopback()
    if not on_laptop:
        if not current_app.config.get("REMOTE_CREATE"):
            abort(403, _("Sessions are created on the laptop running LanQA: ask the speaker."))
        rate_limit("create", creating_fast)
    title = json_object().get("title") if request.get_data() else None
    if title is not None and not isinstance(title, str):
        abort(400, _('The title must be text, as in {"title": "Keynote Q&A"}.'))
    title = (title or "").strip() or None
    if title and len(title) > MAX_TITLE:
        abort(400, _("The title is too long (max {limit} characters).", limit=MAX_TITLE))
    eid, secret = new_ulid(now()), new_secret()
    store().create_event(eid, secret, title, now(), on_laptop)
    return {"id": eid, "secret": secret}


@bp.get("/event/<eid>")
def event(eid):
    found = phones().event(eid)
    response = jsonify({"title": found["title"]} if found["title"] else {})
    response.headers["Cache-Control"] = IMMUTABLE
    return response


@bp.post("/event/<eid>")
def ask(eid):
    eid = ulid_or_400(eid, "session")
    refuse_if_closed(lists().event(eid, now()))
    data = json_object()
    text, asker = data.get("body"), data.get("asker")
    if not isinstance(text, str) or not isinstance(asker, str | None):
        abort(
            422, _('Send the question as {"body": "your question", "asker": "your name or null"}.')
        )
    if not text.strip():
        abort(400, _("The question is empty: type a question first."))
    if not two_words(text):
        abort(400, _("A question needs at least two words."))
    if asker is not None and len(asker) > MAX_NAME:
        abort(400, _("The name is too long (max {limit} characters).", limit=MAX_NAME))
    phones().refuse_blocked(eid, g.voter)
    rate_limit("ask", asking_fast)
    qid = new_ulid(now())
    embedding = similar.vector(text)
    like = similar_to(eid, text, embedding)
    review = store().ask(eid, qid, text, asker, g.voter, now(), embedding, like)
    if review is None:
        refuse_if_closed(store().event(eid, now()))  # closed since the check above
        abort(404, EVENT_GONE)
    lists().changed(eid, now())
    # The asker's page shows its question waiting for the speaker (it has the text).
    return {"id": qid, "review": True} if review else {"id": qid}


@bp.get("/event/<eid>/similar")
def similar_questions(eid):
    """Up to 3 questions of eid that guests see and that look like ?text= (similar.py),
    best first: [{"qid", "votes", "text"}]."""
    eid = phones().event(eid)["id"]
    text = request.args.get("text", "")[:MAX_QUESTION]
    rate_limit("similar", looking_fast)
    found = suggested(eid, text)
    votes = store().votes([row["id"] for row in found]) if found else {}
    return jsonify(
        [
            {"qid": row["id"], "votes": votes[row["id"]], "text": row["text"]}
            for row in found
            if row["id"] in votes
        ]
    )


def suggested(eid, text, embedding=None):
    """The questions of eid guests see that look like text (similar.py), as rows with
    "id" and "text"; embedding: text's, if already made."""

    def questions():
        return [
            {"id": row["id"], "gone": row["created"] + QUESTION_LIFETIME}
            for row in store().similar_candidates(eid, now())
        ]

    version = lists().members(eid)  # read before the rows, as lists.py does
    index = current_app.extensions["similar"].get(eid, version, now(), questions, texts)
    return index.suggest(text, language(), embedding)


def similar_to(eid, text, embedding):
    """The id of the question of eid that text looks like most, or None."""
    found = suggested(eid, text, embedding)
    return found[0]["id"] if found else None


def texts(qids):
    """Rows (id, text, embedding), read in batches: SQLite takes only so many parameters."""
    rows = []
    for start in range(0, len(qids), 500):
        rows += store().texts_and_embeddings(qids[start : start + 500])
    return rows


def refuse_if_closed(event):
    if event is not None and event["closed"]:
        abort(403, QUESTIONS_CLOSED)


def two_words(text):
    """Whether text has two words, counted as each script writes them (see UNSPACED)."""
    return re.search(r"\S\s+\S", text.strip()) is not None or len(UNSPACED.findall(text)) >= 2


# Polls, texts and votes: phone.py answers them, here and in front of Flask alike.


@bp.get("/event/<eid>/questions")
def guest_list(eid):
    return phones().poll(eid, g.voter, poll_headers(), query=query()).response()


@bp.get("/event/<eid>/questions/<secret>")
def host_list(eid, secret):
    found = host_event(eid, secret)
    answer = phones().poll(found["id"], g.voter, poll_headers(), host=True, query=query())
    return answer.response()


@bp.post("/vote/<qid>/<updown>")
def vote(qid, updown):
    return phones().vote(qid, updown, g.voter, request.remote_addr).response()


@bp.get("/questions/<qids>")
def details(qids):
    return phones().texts(qids).response()


@bp.get("/event/<eid>/questions/<secret>/texts/<qids>")
def host_details(eid, secret, qids):
    """The texts of questions of this event, hidden ones too: for its host."""
    found = host_event(eid, secret)
    return phones().texts(qids, host_of=found["id"]).response()


@bp.get("/event/<eid>/share")
def share(eid):
    found = phones().event(eid)
    addresses, chosen = share_address()
    return {
        "url": guest_url(found["id"], chosen),
        "lan": chosen is not None,
        "addresses": [
            {"ip": a.ip, "interface": a.interface, "usable": a.usable} for a in addresses
        ],
    }


@bp.get("/event/<eid>/qr.svg")
def share_qr(eid):
    found = phones().event(eid)
    chosen = share_address()[1]
    response = Response(qr.svg(guest_url(found["id"], chosen)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-cache"  # the address may change
    return response


@bp.get("/event/<eid>/devices/<secret>")
def devices(eid, secret):
    found = host_event(eid, secret)
    return {"devices": presence().count(found["id"], now())}


@bp.get("/event/<eid>/export/<secret>")
def export_questions(eid, secret):
    found = host_event(eid, secret)
    kind = request.args.get("format", "csv")
    if kind not in export.FORMATS:
        abort(400, _("Choose an export format: csv, md, json or html."))
    rows = store().export_rows(found["id"], now())
    data = export.collect(found, rows, now(), everything=request.args.get("all") == "1")
    text = export.render(data, kind, language())
    response = Response(text, content_type=export.FORMATS[kind][0])
    inline = kind == "html" and request.args.get("download") != "1"
    response.headers["Content-Disposition"] = (
        f'{"inline" if inline else "attachment"}; filename="{export.filename(data, kind)}"'
    )
    if kind == "html":
        # A standalone page with its own stylesheet and no script at all.
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; style-src 'unsafe-inline'"
        )
    return response


@bp.get("/local/events")
def recent_events():
    loopback_only()
    return jsonify([dict(row) for row in store().recent_events(now())])


@bp.get("/live")
def live():
    """The live sessions, for the page phones see at the short address: no secrets."""
    fields = ("id", "title", "created", "questions")
    response = jsonify([{name: row[name] for name in fields} for row in live_events()])
    response.headers["Cache-Control"] = "no-cache"
    return response


@bp.post("/local/wifi-qr")
def wifi_qr():
    """The QR code that joins the venue's Wi-Fi, for the projector. The laptop itself only,
    and kept nowhere: phones never see the password but on the screen."""
    loopback_only()
    data = json_object()
    name, password = data.get("name"), data.get("password")
    if not (isinstance(name, str) and isinstance(password, str) and name and password):
        abort(400, _('Send the network as {"name": "VenueWiFi", "password": "its password"}.'))
    if len(name.encode()) > MAX_WIFI_NAME:
        abort(400, _("The network name is too long (max {limit} bytes).", limit=MAX_WIFI_NAME))
    response = Response(qr.svg(qr.wifi(name, password)), mimetype="image/svg+xml")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.before_app_request
def check_host():
    """Every request, pages too, must name this server and come from its own pages."""
    headers = request.headers
    port = request.environ.get("SERVER_PORT", "80")
    phones().guard(request.method, headers.get("Host", ""), headers.get("Origin"), port)


# The device behind a request: a random id in a cookie, set on first contact.


@bp.before_app_request
def identify_voter():
    """g.voter: the device's id. A device without one gets one from its first page or
    API request (not from a stylesheet), as long as its address has not brought too
    many new devices lately: a script that drops its cookie is a new device each time.
    Past that, API requests get a 429 and pages are served without a cookie."""
    g.voter, g.new_voter = phones().devices.of(request.headers.get("Cookie", "")), False
    if g.voter or request.blueprint not in ("api", "pages") or request.endpoint == "pages.asset":
        return
    wait = current_app.extensions["limits"].take("devices", request.remote_addr, now())
    if wait and request.blueprint == "api":
        too_many(wait, new_devices_fast)
    if not wait:
        g.voter, g.new_voter = phones().devices.new(), True


@bp.after_app_request
def remember_voter(response):
    if g.get("new_voter"):
        response.set_cookie(
            VOTER_COOKIE, g.voter, max_age=400 * 86400, httponly=True, samesite="Lax"
        )
    return response


# Helpers


def store():
    return current_app.extensions["store"]


def lists():
    return current_app.extensions["lists"]


def presence():
    return current_app.extensions["presence"]


def phones():
    return current_app.extensions["phones"]


def now():
    return current_app.config["CLOCK"]()


def rate_limit(action, message):
    """429 when this device or its address has done action too often (see phone.py);
    message(n) says to wait n seconds."""
    phones().limit(action, g.voter, request.remote_addr, message)


def creating_fast(n):
    return ngettext(
        "Too many new sessions: wait {n} second, then try again.",
        "Too many new sessions: wait {n} seconds, then try again.",
        n,
    )


def looking_fast(n):
    return ngettext(
        "Too many looks for similar questions: wait {n} second.",
        "Too many looks for similar questions: wait {n} seconds.",
        n,
    )


def asking_fast(n):
    return ngettext(
        "You are asking very fast: wait {n} second, then send it again.",
        "You are asking very fast: wait {n} seconds, then send it again.",
        n,
    )


def new_devices_fast(n):
    return ngettext(
        "Too many new devices from your network: wait {n} second, then try again.",
        "Too many new devices from your network: wait {n} seconds, then try again.",
        n,
    )


def poll_headers():
    """The headers a poll reads (phone.HEADERS), as phone.py takes them."""
    return {name: request.headers[name] for name, _ in HEADERS if name in request.headers}


def query():
    return request.query_string.decode("latin-1")


def is_loopback():
    """Whether the request comes from the laptop itself. REMOTE_ADDR is the socket's
    peer: headers such as X-Forwarded-For can't fake it."""
    return ipaddress.ip_address(request.remote_addr).is_loopback


def loopback_only():
    if not is_loopback():
        abort(403, _("This works only on the laptop running LanQA."))


def json_object():
    data = request.get_json(force=True, silent=True)
    if not isinstance(data, dict):
        abort(400, _("The request body must be a JSON object."))
    return data


def host_event(eid, secret):
    found = phones().event(eid)
    if not hmac.compare_digest(found["secret"].encode(), secret.encode()):
        abort(401, _("This host link is wrong: open the host link you were given."))
    return found


def share_address():
    """The addresses phones might use, and the one to share: ?ip= if it is one, else the best."""
    if current_app.config.get("HOST", "0.0.0.0").startswith("127."):
        return [], None
    addresses = net.candidates()
    wanted = [a for a in addresses if a.ip == request.args.get("ip")]
    return addresses, (wanted[0] if wanted else net.best(addresses))


def guest_url(eid, address):
    port = request.host.rpartition(":")[2] if ":" in request.host else "80"
    base = f"http://{address.ip}:{port}" if address else request.host_url.rstrip("/")
    return f"{base}/event/{eid}"
