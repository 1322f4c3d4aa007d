"""A session's questions -> CSV, Markdown, JSON or a printable HTML page.

The JSON shape (times are ISO 8601 with the laptop's UTC offset):

    {"session": {"id", "title", "created"}, "exported",
     "answered": [question, ...], "pending": [...], "hidden": [...]}
    question = {"id", "text", "name", "votes", "asked", "answered"}

"name" and "answered" are null when absent; "pending" and "hidden" are present only
when every question is exported, and "answered" lists questions in answer order.
"""

import csv
import html
import io
import json
import re
from datetime import datetime

FORMATS = {
    "csv": ("text/csv; charset=utf-8", "csv"),
    "md": ("text/markdown; charset=utf-8", "md"),
    "json": ("application/json", "json"),
    "html": ("text/html; charset=utf-8", "html"),
}
SECTIONS = ("answered", "pending", "hidden")
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
        }
        if row["hidden"]:
            sections["hidden"].append(question)
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


def render(data, kind):
    """data from collect() in one of FORMATS."""
    return {"csv": to_csv, "md": to_markdown, "json": to_json, "html": to_html}[kind](data)


def filename(data, kind):
    title = data["session"]["title"] or "questions"
    slug = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")[:40] or "questions"
    return f"lanqa-{slug}-{data['session']['created'][:10]}.{FORMATS[kind][1]}"


def sections_of(data):
    return [(name, data[name]) for name in SECTIONS if name in data]


def to_json(data):
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def cell(value):
    """A CSV cell that a spreadsheet shows as text, never runs as a formula, with no
    control characters but tab and line breaks."""
    text = "" if value is None else CONTROL.sub("", str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def to_csv(data):
    out = io.StringIO()
    # The byte-order mark makes Excel read the file as UTF-8.
    out.write("\ufeff")
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(["status", "question", "name", "votes", "asked", "answered"])
    for status, questions in sections_of(data):
        for q in questions:
            writer.writerow(
                [
                    status,
                    cell(q["text"]),
                    cell(q["name"]),
                    q["votes"],
                    q["asked"],
                    q["answered"] or "",
                ]
            )
    return out.getvalue()


def markdown_text(text):
    """Question text as one line of Markdown that renders literally."""
    text = re.sub(r"([\\`*_\[\]~])", r"\\\1", " ".join(text.split())).replace("<", "&lt;")
    # At the start of a line these would make a heading, a list or a quote.
    text = re.sub(r"^([#>+-])", r"\\\1", text)
    return re.sub(r"^(\d+)([.)])", r"\1\\\2", text)


def to_markdown(data):
    session = data["session"]
    lines = [f"# {markdown_text(session['title'] or 'Questions')}", ""]
    lines += [dates(data), ""]
    for status, questions in sections_of(data):
        lines += [f"## {status.capitalize()} ({len(questions)})", ""]
        for number, q in enumerate(questions, 1):
            lines.append(f"{number}. {markdown_text(q['text'])}")
            lines += ["", f"   {meta(q, markdown_text)}", ""]
        if not questions:
            lines += ["None.", ""]
    return "\n".join(lines)


def dates(data):
    created, exported = data["session"]["created"], data["exported"]
    return f"Session of {readable(created)}, exported {readable(exported)}."


def meta(q, escape):
    parts = [f"by {escape(q['name'])}"] if q["name"] else []
    parts.append(f"{q['votes']} vote{'s' if q['votes'] != 1 else ''}")
    parts.append(f"asked {readable(q['asked'])}")
    if q["answered"]:
        parts.append(f"answered {readable(q['answered'])}")
    return " · ".join(parts)


PAGE_STYLE = """
body { font: 16px/1.5 system-ui, sans-serif; color: #111; max-width: 46rem; margin: 2rem auto;
       padding: 0 1rem; }
h1 { font-size: 1.8rem; margin-bottom: 0; }
.when { color: #555; margin-top: .25rem; }
h2 { font-size: 1.2rem; border-bottom: 2px solid #111; padding-bottom: .2rem; margin-top: 2rem; }
ol { padding-left: 1.6rem; }
li { margin: 0 0 .9rem; break-inside: avoid; }
.text { overflow-wrap: anywhere; unicode-bidi: plaintext; }
.meta { color: #555; font-size: .9rem; }
@media print { body { margin: 0; max-width: none; } h2 { break-after: avoid; } }
"""


def to_html(data):
    session = data["session"]
    title = html.escape(session["title"] or "Questions")
    parts = [
        "<!doctype html>",
        '<html lang="en">',
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title}</title>",
        f"<style>{PAGE_STYLE}</style>",
        "</head>",
        "<body>",
        f"<h1>{title}</h1>",
        f'<p class="when">{dates(data)}</p>',
    ]
    for status, questions in sections_of(data):
        parts.append(f"<h2>{status.capitalize()} ({len(questions)})</h2>")
        if not questions:
            parts.append("<p>None.</p>")
            continue
        parts.append("<ol>")
        for q in questions:
            parts.append(
                f'<li><div class="text" dir="auto">{html.escape(q["text"])}</div>'
                f'<div class="meta">{meta(q, html.escape)}</div></li>'
            )
        parts.append("</ol>")
    parts += ["</body>", "</html>", ""]
    return "\n".join(parts)
