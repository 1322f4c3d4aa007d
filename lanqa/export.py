"""A session's questions -> CSV, Markdown, JSON or a printable HTML page.

The JSON shape (times are ISO 8601 with the laptop's UTC offset):

    {"session": {"id", "title", "created"}, "exported",
     "answered": [question, ...], "pending": [...], "review": [...], "hidden": [...]}
    question = {"id", "text", "name", "votes", "asked", "answered", "reply", "also"}

"name", "answered" and "reply" (the speaker's) are null when absent; "also" lists the
texts of the questions the host merged into this one (duplicates), [] when none; "pending",
"review" (questions waiting for the speaker's approval) and "hidden" are present only
when every question is exported, and "answered" lists questions in answer order. A
question in review is in no other section: it was never public.
"""

import csv
import html
import io
import json
import re
from datetime import datetime

from lanqa import i18n
from lanqa.i18n import _, ngettext

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
    "html": ("text/html; charset=utf-8", "html"),
}
SECTIONS = ("answered", "pending", "review", "hidden")
QUESTIONS = _("Questions")  # the title of a session without one
NONE = _("None.")  # what a section without questions says
# Spreadsheets run cells starting with these as formulas.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Control characters but tab and line breaks (NUL, escape, C1...): spreadsheets and
# other readers stop at them, drop the row, or show garbage.
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")


def iso(seconds):
    """Unix seconds -> ISO 8601 in the laptop's time zone, with its offset."""
    if seconds is None:
        return None
    return datetime.fromtimestamp(seconds).astimezone().isoformat(timespec="seconds")


def readable(stamp):
    """ISO 8601 -> '2026-11-30 14:05', in the same time zone."""
    return datetime.fromisoformat(stamp).strftime("%Y-%m-%d %H:%M")


def collect(event, rows, now, everything=False):
    """The export's content as plain data (the JSON shape above)."""
    sections = {name: [] for name in SECTIONS}
    for row in rows:
        question = {
            "id": row["id"],
            "text": row["text"],
            "name": row["who"],
            "votes": row["votes"],
            "asked": iso(row["created"]),
            "answered": iso(row["answered"]),
            "reply": row["reply"],
            "also": [merged["text"] for merged in json.loads(row["also"])],
        }
        if row["hidden"]:
            sections["hidden"].append(question)
        elif row["review"]:
            sections["review"].append(question)
        elif row["answered"] is not None:
            sections["answered"].append((row["answered"], question))
        else:
            sections["pending"].append(question)
    sections["answered"] = [q for _, q in sorted(sections["answered"], key=lambda p: p[0])]
    sections["pending"].sort(key=lambda q: q["votes"], reverse=True)
    data = {
        "session": {"id": event["id"], "title": event["title"], "created": iso(event["created"])},
        "exported": iso(now),
    }
    for name in SECTIONS if everything else ("answered",):
        data[name] = sections[name]
    return data


def render(data, kind, lang="en"):
    """data from collect() in one of FORMATS, its headings in lang (JSON's keys stay
    English: they are a data format)."""
    if kind == "json":
        return to_json(data)
    return {"csv": to_csv, "md": to_markdown, "html": to_html}[kind](data, lang)


def filename(data, kind):
    title = data["session"]["title"] or "questions"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "questions"
    return f"lanqa-{slug}-{data['session']['created'][:10]}.{FORMATS[kind][1]}"


def sections_of(data):
    """The sections to show: those in data, but an empty review section (a session
    without moderation has none)."""
    shown = [name for name in SECTIONS if name in data and (data[name] or name != "review")]
    return [(name, data[name]) for name in shown]


def status(name):
    """A question's state, as a CSV cell says it."""
    return {
        "answered": _("answered"),
        "pending": _("pending"),
        "review": _("in review"),
        "hidden": _("hidden"),
    }[name]


def heading(name, count):
    """A section's heading, with its number of questions."""
    if name == "answered":
        return _("Answered ({count})", count=count)
    if name == "pending":
        return _("Pending ({count})", count=count)
    if name == "review":
        return _("In review ({count})", count=count)
    return _("Hidden ({count})", count=count)


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def cell(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula, with no
    control characters but tab and line breaks."""
    text = "" if value is None else CONTROL.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(data, lang="en"):
    out = io.StringIO()
    # The byte-order mark makes Excel read the file as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    header = [
        _("status"),
        _("question"),
        _("name"),
        _("votes"),
        _("asked"),
        _("answered"),
        _("reply"),
        _("also asked as"),
    ]
    writer.writerow([i18n.say(word, lang) for word in header])
    for name, questions in sections_of(data):
        for q in questions:
            writer.writerow(
                [
                    i18n.say(status(name), lang),
                    cell(q["text"]),
                    cell(q["name"]),
                    q["votes"],
                    q["asked"],
                    q["answered"] or "",
                    cell(q["reply"]),
                    cell(" | ".join(q["also"])),
                ]
            )
    return out.getvalue()


def markdown_text(text):
    """Question text as one line of Markdown that renders literally."""
    text = re.sub(r"([\\`*_\[\]~])", r"\\\1", " ".join(text.split())).replace("<", "&lt;")
    # At the start of a line these would make a heading, a list or a quote.
    text = re.sub(r"^([#>+-])", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def to_markdown(data, lang="en"):
    session = data["session"]
    lines = [f"# {markdown_text(session['title'] or i18n.say(QUESTIONS, lang))}", ""]
    lines += [dates(data, lang), ""]
    for name, questions in sections_of(data):
        lines += [f"## {i18n.say(heading(name, len(questions)), lang)}", ""]
        for number, q in enumerate(questions, 1):
            lines.append(f"{number}. {markdown_text(q['text'])}")
            lines += ["", f"   {meta(q, markdown_text, lang)}", ""]
            if q["reply"]:
                lines += [f"   {said_reply(q, markdown_text, lang)}", ""]
            lines += [f"   {also_asked(text, markdown_text, lang)}" for text in q["also"]]
            lines += [""] if q["also"] else []
        if not questions:
            lines += [i18n.say(NONE, lang), ""]
    return "\n".join(lines)


def dates(data, lang):
    created, exported = data["session"]["created"], data["exported"]
    said = _(
        "Session of {created}, exported {exported}.",
        created=readable(created),
        exported=readable(exported),
    )
    return i18n.say(said, lang)


def meta(q, escape, lang):
    """A question's name, votes and times in one line; escape: for the name."""
    parts = [_("by {name}", name=escape(q["name"]))] if q["name"] else []
    parts.append(ngettext("{n} vote", "{n} votes", q["votes"]))
    parts.append(_("asked {time}", time=readable(q["asked"])))
    if q["answered"]:
        parts.append(_("answered {time}", time=readable(q["answered"])))
    return " · ".join(i18n.say(part, lang) for part in parts)


def said_reply(q, escape, lang):
    """The speaker's reply to q, labelled; escape: for the reply's text."""
    return i18n.say(_("Reply: {text}", text=escape(q["reply"])), lang)


def also_asked(text, escape, lang):
    """A duplicate the host merged into a question, labelled; escape: for its text."""
    return i18n.say(_("Also asked as: {text}", text=escape(text)), lang)


PAGE_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; color: #111; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.8rem; margin-bottom: 0; }
.when { color: #555; margin-top: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #111; padding-bottom: .2rem; margin-top: 2rem; }
ol { padding-inline-start: 1.6rem; }
li { margin: 0 0 .9rem; break-inside: avoid; }
.text { overflow-wrap: anywhere; unicode-bidi: plaintext; }
.meta { color: #555; font-size: .9rem; }
.reply { margin-top: .2rem; padding-inline-start: .6rem; border-inline-start: 3px solid #888;
         overflow-wrap: anywhere; unicode-bidi: plaintext; white-space: pre-line; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""


def to_html(data, lang="en"):
    session = data["session"]
    title = html.escape(session["title"] or i18n.say(QUESTIONS, lang))
    parts = [
        "<!doctype html>",
        f'<html lang="{lang}" dir="{i18n.direction(lang)}">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{PAGE_STYLE}</style>",
        "</head>",
        "<body>",
        # Everything in the one main landmark, so a screen reader can jump to it.
        "<main>",
        f"<h1>{title}</h1>",
        f'<p class="when">{html.escape(dates(data, lang))}</p>',
    ]
    for name, questions in sections_of(data):
        parts.append(f"<h2>{html.escape(i18n.say(heading(name, len(questions)), lang))}</h2>")
        if not questions:
            parts.append(f"<p>{html.escape(i18n.say(NONE, lang))}</p>")
            continue
        parts.append("<ol>")
        for q in questions:
            reply = q["reply"] and said_reply(q, html.escape, lang)
            also = "".join(
                f'<div class="meta" dir="auto">{also_asked(text, html.escape, lang)}</div>'
                for text in q["also"]
            )
            parts.append(
                f'<li><div class="text" dir="auto">{html.escape(q["text"])}</div>'
                f'<div class="meta">{meta(q, html.escape, lang)}</div>'
                + (f'<div class="reply" dir="auto">{reply}</div>' if reply else "")
                + also
                + "</li>"
            )
        parts.append("</ol>")
    parts += ["</main>", "</body>", "</html>", ""]
    return "\n".join(parts)
