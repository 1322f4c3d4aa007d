"""The host's moderation routes: hiding, answering, approving and highlighting a
question (toggles), blocking a device, a session's settings, replies, merging a
duplicate question into another, deleting a session.

What guests may see follows from two flags on a question: hidden, and in review;
lists.py and store.py's PUBLIC keep both out of everything guests get.
"""

from flask import Blueprint, abort, request

from lanqa.api import host_event, json_object, lists, now, phones, store
from lanqa.i18n import _
from lanqa.phone import EVENT_GONE, ulid_or_400

bp = Blueprint("moderation", __name__, url_prefix="/api")

SETTINGS = ("moderation", "closed")
MAX_REPLY = 500
# What each toggle sets: (on, now) -> (column, value) for store.set_flag.
TOGGLES = {
    "hidden": lambda on, when: ("hidden", int(on)),
    "answered": lambda on, when: ("answered", when if on else None),
    "approved": lambda on, when: ("review", int(not on)),
    "highlighted": lambda on, when: ("highlighted", int(on)),
}
MAX_HIDE = 25  # question ids in one request: the body is at most 1 KB


@bp.post("/event/<eid>/questions/<secret>/<qid>/toggle/<prop>")
def toggle(eid, secret, qid, prop):
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    if prop not in TOGGLES:
        abort(400, _("Only 'hidden', 'answered', 'approved' and 'highlighted' can be toggled."))
    host_event(eid, secret)
    body = request.get_data(as_text=True)
    if body not in ("on", "off"):
        abort(400, _("Send 'on' or 'off' as the request body."))
    on, when = body == "on", int(now())
    column, value = TOGGLES[prop](on, when)
    if not store().set_flag(eid, qid, column, value, now()):
        abort(404, _("That question is not part of this Q&A session."))
    if prop == "hidden":
        lists().hidden([qid], on)
    if prop == "approved":
        lists().in_review([qid], not on)
    lists().changed(eid, now())
    if prop == "answered":
        return {"answered": when} if on else {}
    return {prop: on}


@bp.post("/event/<eid>/questions/<secret>/<qid>/block")
def block(eid, secret, qid):
    """Block the device that asked qid: its questions hidden, its votes taken back."""
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    host_event(eid, secret)
    done = phones().block(eid, qid)
    if done is None:
        abort(404, _("That question is not part of this Q&A session, or its device is unknown."))
    hidden, votes = done
    return {"hidden": hidden, "votes_removed": votes}


@bp.post("/event/<eid>/questions/<secret>/hide")
def hide_many(eid, secret):
    """Hide several questions at once: {"qids": [...]}."""
    eid = ulid_or_400(eid, "session")
    host_event(eid, secret)
    qids = json_object().get("qids")
    if not isinstance(qids, list) or not 0 < len(qids) <= MAX_HIDE:
        abort(
            400,
            _(
                'Send the questions to hide as {{"qids": ["...", "..."]}} (max {limit}).',
                limit=MAX_HIDE,
            ),
        )
    qids = [ulid_or_400(str(qid), "question") for qid in qids]
    hidden = store().hide(eid, qids, now())
    lists().hidden(hidden, True)
    lists().changed(eid, now())
    return {"hidden": len(hidden)}


@bp.get("/event/<eid>/settings/<secret>")
def settings(eid, secret):
    return settings_of(host_event(eid, secret))


@bp.post("/event/<eid>/settings/<secret>")
def change_settings(eid, secret):
    """{"moderation": bool, "closed": bool}, either or both: the settings after it."""
    found = host_event(eid, secret)
    data = json_object()
    if any(key not in SETTINGS or not isinstance(value, bool) for key, value in data.items()):
        abort(
            400,
            _('Send the settings as {"moderation": true or false, "closed": true or false}.'),
        )
    changed = lists().change_event(
        lambda: store().change_settings(found["id"], now(), **data), now()
    )
    if changed is None:
        abort(404, EVENT_GONE)
    return settings_of(changed)


def settings_of(event):
    return {name: bool(event[name]) for name in SETTINGS}


@bp.post("/event/<eid>/questions/<secret>/<qid>/reply")
def reply(eid, secret, qid):
    """{"reply": "text"} sets the host's reply to qid; "" or null removes it."""
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    host_event(eid, secret)
    data = json_object()
    text = data.get("reply", 0)  # 0: neither text nor null
    if not isinstance(text, str | None):
        abort(
            400, _('Send the reply as {"reply": "your answer"}, or {"reply": null} to remove it.')
        )
    text = (text or "").strip() or None
    if text and len(text) > MAX_REPLY:
        abort(400, _("The reply is too long (max {limit} characters).", limit=MAX_REPLY))
    if not store().reply(eid, qid, text, now()):
        abort(404, _("That question is not part of this Q&A session."))
    lists().changed(eid, now())
    return {"reply": text} if text else {}


@bp.post("/event/<eid>/questions/<secret>/<qid>/merge")
def merge(eid, secret, qid):
    """{"into": qid2}: qid, a duplicate, joins qid2, which gains its voters (one vote per
    device) and lists its text under it ("also asked as"); qid leaves the lists."""
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    host_event(eid, secret)
    into = json_object().get("into")
    if not isinstance(into, str):
        abort(400, _('Send the question to merge into as {"into": "<question id>"}.'))
    into = ulid_or_400(into, "question")
    if into == qid:
        abort(400, _("A question cannot be merged into itself."))
    votes = store().merge(eid, qid, into, now())
    if votes is None:
        abort(404, _("That question is not part of this Q&A session."))
    lists().changed(eid, now())
    return {"into": into, "votes": votes}


@bp.post("/event/<eid>/questions/<secret>/<qid>/unmerge")
def unmerge(eid, secret, qid):
    """Undo merging qid: it is back with its own votes, and the other question loses
    the voters it gained by the merge."""
    eid, qid = ulid_or_400(eid, "session"), ulid_or_400(qid, "question")
    host_event(eid, secret)
    done = store().unmerge(eid, qid, now())
    if done is None:
        abort(
            404,
            _("That question is not merged into another, or that one has been merged since."),
        )
    lists().changed(eid, now())
    into, votes, into_votes = done
    return {"votes": votes, "into": into, "into_votes": into_votes}


@bp.delete("/event/<eid>/<secret>")
@bp.post("/event/<eid>/delete/<secret>")  # for clients that cannot send DELETE
def delete(eid, secret):
    """The session, its questions, votes, settings and blocked devices, all at once."""
    found = host_event(eid, secret)
    if not phones().delete(found["id"]):
        abort(404, EVENT_GONE)
    return {"deleted": True}
