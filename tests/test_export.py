"""Export of a session's questions: each format read back, with hard cases."""

import csv
import io
import json
import re
import subprocess
import sys
from datetime import datetime
from html.parser import HTMLParser

import pytest

from lanqa import export as export_module

HARD = [
    ('He said "yes", then: no?', None),
    ("Line one\nline two, with a comma", 'Zoë, "Z" O\'Brien'),
    ("Emoji work? 🎉🙋‍♀️ sure", "🙂"),
    ("هل يعمل النص من اليمين إلى اليسار؟ نعم", "سارة"),
    ('=HYPERLINK("http://evil") click me', "+cmd|' /C calc'!A0"),
    ("-2+3 is what exactly", "@admin"),
    ("<script>alert(1)</script> **bold** # not a heading", "<b>me</b>"),
]


@pytest.fixture
def session(client, clock):
    """A session with every hard case answered (in reverse order), one pending, one hidden."""
    eid, secret = (lambda r: (r["id"], r["secret"]))(
        client.post("/api/event", json={"title": "Town hall, Q&A"}).json
    )
    qids = []
    for text, who in HARD:
        qids.append(client.post(f"/api/event/{eid}", json={"body": text, "asker": who}).json["id"])
        clock.now += 60
    for qid in reversed(qids):
        client.post(f"/api/event/{eid}/questions/{secret}/{qid}/toggle/answered", data="on")
        clock.now += 60
    pending = client.post(f"/api/event/{eid}", json={"body": "Still waiting here"}).json["id"]
    hidden = client.post(f"/api/event/{eid}", json={"body": "Rude remark here"}).json["id"]
    client.post(f"/api/event/{eid}/questions/{secret}/{hidden}/toggle/hidden", data="on")
    return {"eid": eid, "secret": secret, "qids": qids, "pending": pending, "hidden": hidden}


def export(client, session, kind, everything=False, secret=None):
    path = f"/api/event/{session['eid']}/export/{secret or session['secret']}?format={kind}"
    return client.get(path + ("&all=1" if everything else ""))


def test_json_lists_answered_questions_in_answer_order_with_every_field(client, session):
    data = export(client, session, "json").json
    assert data["session"]["title"] == "Town hall, Q&A"
    assert set(data) == {"session", "exported", "answered"}
    answered = data["answered"]
    assert [q["id"] for q in answered] == list(reversed(session["qids"]))
    by_text = {q["text"]: q for q in answered}
    for text, who in HARD:
        assert by_text[text]["name"] == who
    first = answered[0]
    assert set(first) == {"id", "text", "name", "votes", "asked", "answered", "reply", "also"}
    assert first["votes"] == 1 and first["reply"] is None and first["also"] == []
    asked, done = datetime.fromisoformat(first["asked"]), datetime.fromisoformat(first["answered"])
    assert asked.utcoffset() is not None and done > asked


def test_all_adds_pending_and_hidden_sections(client, session):
    data = export(client, session, "json", everything=True).json
    assert [q["id"] for q in data["pending"]] == [session["pending"]]
    assert [q["id"] for q in data["hidden"]] == [session["hidden"]]


def test_csv_reads_back_exactly_and_neutralises_formulas(client, session):
    response = export(client, session, "csv")
    assert response.mimetype == "text/csv"
    assert 'attachment; filename="lanqa-town-hall-q-a-' in response.headers["Content-Disposition"]
    raw = response.data.decode("utf-8")
    assert raw.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(raw[1:], newline="")))
    assert [r["status"] for r in rows] == ["answered"] * len(HARD)
    by_text = {r["question"].lstrip("'"): r for r in rows}
    for text, who in HARD:
        row = by_text[text]
        assert row["name"].lstrip("'") == (who or "")
        for value in (row["question"], row["name"]):
            assert not value.startswith(("=", "+", "-", "@"))
    assert by_text['=HYPERLINK("http://evil") click me']["question"].startswith("'=")
    assert by_text["-2+3 is what exactly"]["name"] == "'@admin"
    assert by_text["Line one\nline two, with a comma"]["question"] == HARD[1][0]


def test_csv_keeps_no_control_character_but_tab_and_line_breaks(client, session):
    eid = session["eid"]
    text, who = "Nul\x00 and\x1b[1m escape,\ttab\r\nnext line\x85", "\x00=cmd()\x7f"
    client.post(f"/api/event/{eid}", json={"body": text, "asker": who})
    raw = export(client, session, "csv", everything=True).data.decode("utf-8")
    assert not re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]", raw)
    rows = {r["question"]: r for r in csv.DictReader(io.StringIO(raw[1:], newline=""))}
    assert rows["Nul and[1m escape,\ttab\r\nnext line"]["name"] == "'=cmd()"


def test_markdown_shows_every_question_literally(client, session):
    text = export(client, session, "md", everything=True).data.decode()
    assert text.startswith("# Town hall, Q&A\n")
    assert "## Answered (7)" in text and "## Pending (1)" in text and "## Hidden (1)" in text
    assert "&lt;script>alert(1)&lt;/script> \\*\\*bold\\*\\* # not a heading" in text
    assert "Line one line two, with a comma" in text
    assert 'by Zoë, "Z" O\'Brien' in text
    assert "هل يعمل النص" in text and "🎉" in text
    assert "<script>" not in text and "<b>" not in text


class Collect(HTMLParser):
    def __init__(self):
        super().__init__()
        self.tags, self.text = [], []

    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)

    def handle_data(self, data):
        self.text.append(data)


def test_html_page_escapes_everything_and_prints_cleanly(client, session):
    response = export(client, session, "html")
    assert response.headers["Content-Disposition"].startswith("inline")
    assert "script-src" not in response.headers["Content-Security-Policy"]
    page = Collect()
    page.feed(response.data.decode())
    assert "script" not in page.tags and "b" not in page.tags
    text = "".join(page.text)
    for question, who in HARD:
        assert question in text
        if who:
            assert who in text
    assert "@media print" in text
    assert re.search(r'<div class="text" dir="auto">هل', response.data.decode())


def test_the_route_refuses_a_wrong_secret_and_an_unknown_format(client, session):
    assert export(client, session, "csv", secret="wrong").status_code == 401
    response = export(client, session, "xlsx")
    assert response.status_code == 400 and "csv, md, json or html" in response.json["error"]


def test_the_command_line_gives_the_same_data_as_the_route(app, client, session, tmp_path):
    route = export(client, session, "json", everything=True).json
    data_dir = tmp_path  # the app fixture's database is tmp_path / "lanqa.db"
    out = tmp_path / "export.json"
    command = [sys.executable, "-m", "lanqa", "export", session["eid"], "--format", "json"]
    command += ["--all", "--output", str(out), "--data-dir", str(data_dir)]
    subprocess.run(command, check=True, capture_output=True)
    cli = json.loads(out.read_text(encoding="utf-8"))
    route.pop("exported"), cli.pop("exported")
    assert cli == route


def test_the_command_line_prints_csv_to_stdout(session, tmp_path):
    command = [sys.executable, "-m", "lanqa", "export", session["eid"], "--data-dir", str(tmp_path)]
    printed = subprocess.run(command, check=True, capture_output=True, text=True).stdout
    assert (
        printed.splitlines()[0]
        == "\ufeffstatus,question,name,votes,asked,answered,reply,also asked as"
    )


@pytest.mark.parametrize("eid", ["01ARZ3NDEKTSV4RRFFQ69G5FAV", "not-an-id"])
def test_the_command_line_explains_an_unknown_session(tmp_path, eid):
    command = [sys.executable, "-m", "lanqa", "export", eid, "--data-dir", str(tmp_path)]
    result = subprocess.run(command, capture_output=True, text=True)
    assert result.returncode == 1 and result.stdout == ""
    assert "no session" in result.stderr and "60 days" in result.stderr


@pytest.mark.parametrize(
    "text, markdown",
    [
        ("# heading here", "\\# heading here"),
        ("- a list", "\\- a list"),
        ("> a quote", "\\> a quote"),
        ("2023. was great", "2023\\. was great"),
        ("a_b [x](y) `c`", "a\\_b \\[x\\](y) \\`c\\`"),
        ("Wi-Fi is fine", "Wi-Fi is fine"),
    ],
)
def test_markdown_escapes_only_what_would_change_the_rendering(text, markdown):
    assert export_module.markdown_text(text) == markdown


def test_replies_appear_in_every_format_escaped_as_their_questions(client, session):
    eid, secret, qid = session["eid"], session["secret"], session["qids"][0]
    text = '=HYPERLINK("x") <script>alert(1)</script> **next week**'
    path = f"/api/event/{eid}/questions/{secret}/{qid}/reply"
    assert client.post(path, json={"reply": text}).json == {"reply": text}
    data = export(client, session, "json").json
    assert {q["id"]: q["reply"] for q in data["answered"]}[qid] == text
    raw = export(client, session, "csv").data.decode("utf-8")
    rows = {r["question"]: r for r in csv.DictReader(io.StringIO(raw[1:], newline=""))}
    assert rows[HARD[0][0]]["reply"] == "'" + text  # never run as a formula
    assert rows[HARD[1][0]]["reply"] == ""
    markdown = export(client, session, "md").data.decode()
    escaped = '=HYPERLINK("x") &lt;script>alert(1)&lt;/script> \\*\\*next week\\*\\*'
    assert f"   Reply: {escaped}\n" in markdown
    question_at = markdown.index(export_module.markdown_text(HARD[0][0]))
    assert markdown.index("Reply:") > question_at  # under its question
    page = export(client, session, "html").data.decode()
    assert "<script>" not in page
    assert '<div class="reply" dir="auto">Reply: =HYPERLINK(&quot;x&quot;) &lt;script&gt;' in page


def test_the_review_section_shows_only_when_it_has_questions(client, session):
    everything = export(client, session, "md", everything=True).data.decode()
    assert "In review" not in everything
    assert export(client, session, "json", everything=True).json["review"] == []
