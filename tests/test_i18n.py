"""What Python says speaks the person's language: the API's errors (on every path), the
terminal, and the exports' headings. Each test uses a tiny German catalog of its own,
so that it does not depend on the real translations."""

import http.client
import json
import os
import re
import socket
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from babel.messages.catalog import Catalog
from babel.messages.pofile import write_po
from conftest import VOTER
from werkzeug.test import Client

from lanqa import __main__ as lanqa_main
from lanqa import export, i18n, pages, phone
from lanqa.server import MAX_CONNECTIONS

GERMAN = "de-DE,de;q=0.9,en;q=0.8"
GOOD_ID = "01ARZ3NDEKTSV4RRFFQ69G5FAV"


def clear_caches():
    for cached in (i18n.catalog, i18n.po, i18n.page_catalog, pages.page):
        cached.cache_clear()


@pytest.fixture
def german(tmp_path, monkeypatch):
    """use(messages): LanQA's catalogs are just a de.po of these messages ({English:
    German}, or {(singular, plural): (one, other)})."""

    def use(messages):
        catalog = Catalog(locale="de")
        for english, said in messages.items():
            catalog.add(english, said)
        folder = tmp_path / "locales"
        folder.mkdir(exist_ok=True)
        with open(folder / "de.po", "wb") as file:
            write_po(file, catalog)
        monkeypatch.setattr(i18n, "LOCALES", folder)
        clear_caches()

    yield use
    clear_caches()  # monkeypatch restores LOCALES; the caches would keep the test's catalog


# The sentences the code marks


def test_the_extractor_sees_every_sentence_python_marks_whole():
    """A comment (# noqa) or a variable inside a _() or ngettext() call would hide the
    sentence, or its plural, from the catalogs: it would stay English."""
    for path in sorted((Path(i18n.__file__).parent).glob("*.py")):
        if path.name == "i18n.py":
            continue
        source = path.read_text(encoding="utf-8")
        found = list(i18n.PYTHON.finditer(source))
        calls = re.findall(r"\b(_|ngettext)\((?!\))", source)  # not "_()" in a docstring
        assert [m.group(0).split("(")[0] for m in found] == calls, path.name
        plurals = [m for m in found if m.group(0).startswith("ngettext")]
        assert all(m.group(2) for m in plurals), path.name


# The API's errors


def test_api_error_speaks_the_language_of_accept_language(german, client):
    german({"The question is empty: type a question first.": "Die Frage ist leer."})
    eid = client.post("/api/event").json["id"]
    path, body = f"/api/event/{eid}", {"body": "  "}
    asked = client.post(path, json=body, headers={"Accept-Language": GERMAN})
    assert asked.status_code == 400 and asked.json == {"error": "Die Frage ist leer."}
    english = client.post(path, json=body, headers={"Accept-Language": "en-US"})
    assert english.json["error"] == "The question is empty: type a question first."


def test_api_error_speaks_the_language_chosen_on_the_page(german, client):
    german({"This Q&A session does not exist or has expired: check the link.": "Weg."})
    client.set_cookie(i18n.COOKIE, "de")
    assert client.get(f"/api/event/{GOOD_ID}").json["error"] == "Weg."


def test_api_error_fills_its_values_into_the_translation(german, client):
    german({"The title is too long (max {limit} characters).": "Titel zu lang (max. {limit})."})
    long_title = {"title": "x" * 200}
    refused = client.post("/api/event", json=long_title, headers={"Accept-Language": GERMAN})
    assert refused.json["error"] == "Titel zu lang (max. 120)."


def test_api_error_of_a_malformed_id_is_one_whole_sentence(german, client):
    german({"The session id '{id}' is malformed: check the link.": "Die Sitzungs-ID '{id}' ..."})
    refused = client.get("/api/event/nope", headers={"Accept-Language": GERMAN})
    assert refused.json["error"] == "Die Sitzungs-ID 'nope' ..."


def test_rate_limit_says_its_wait_with_the_plural_of_the_language(german, app, clock):
    german(
        {
            (
                "You are asking very fast: wait {n} second, then send it again.",
                "You are asking very fast: wait {n} seconds, then send it again.",
            ): ("Warte {n} Sekunde.", "Warte {n} Sekunden.")
        }
    )
    client = app.test_client()
    eid = client.post("/api/event").json["id"]
    assert [ask(client, eid, n).status_code for n in range(5)] == [200] * 5
    assert ask(client, eid, 5).json["error"] == "Warte 12 Sekunden."  # a question every 12 s
    clock.now += 11.5
    assert ask(client, eid, 6).json["error"] == "Warte 1 Sekunde."


def ask(client, eid, n):
    body = {"body": f"Question number {n}"}
    return client.post(f"/api/event/{eid}", json=body, headers={"Accept-Language": GERMAN})


def test_api_error_of_the_layer_in_front_of_flask_speaks_german(german, app):
    german({str(phone.QUESTION_GONE): "Diese Frage gibt es nicht (mehr)."})
    front = Client(app.wsgi_app)
    front.set_cookie("lanqa_voter", VOTER)  # with its cookie, Front answers, not Flask
    voted = front.post(f"/api/vote/{GOOD_ID}/up", headers={"Accept-Language": GERMAN})
    assert voted.status_code == 404
    assert voted.json == {"error": "Diese Frage gibt es nicht (mehr)."}


def test_api_error_of_a_real_server_speaks_german_to_a_phone_with_its_cookie(german, running):
    """A vote from a phone that has its voter cookie, through waitress and Front."""
    german({str(phone.QUESTION_GONE): "Diese Frage gibt es nicht (mehr)."})
    conn = http.client.HTTPConnection("127.0.0.1", running.port, timeout=5)
    headers = {"Cookie": f"lanqa_voter={VOTER}", "Accept-Language": GERMAN}
    conn.request("POST", f"/api/vote/{GOOD_ID}/up", headers=headers)
    answer = conn.getresponse()
    assert answer.status == 404
    assert json.loads(answer.read()) == {"error": "Diese Frage gibt es nicht (mehr)."}
    conn.close()


def test_waitress_refusal_speaks_the_language_of_its_headers(german, running):
    german({"That is far too long (over {limit} bytes): please shorten it.": "Zu lang: {limit}."})
    request = (
        f"POST /api/event HTTP/1.1\r\nHost: 127.0.0.1:{running.port}\r\n"
        f"Accept-Language: {GERMAN}\r\nContent-Length: 70000\r\nConnection: close\r\n\r\n"
    )
    with socket.create_connection(("127.0.0.1", running.port), timeout=5) as sock:
        sock.sendall(request.encode())
        answer = sock.makefile("rb").read()
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 413") and json.loads(body) == {"error": "Zu lang: 65536."}


# The terminal

ROOM = (
    "Room for {n} phone connected at once ({kind}).",
    "Room for {n} phones connected at once ({kind}).",
)


def test_terminal_speaks_the_language_of_lang(german, monkeypatch, capsys):
    german(
        {
            "LanQA is running. Press Ctrl+C to stop.": "LanQA läuft. Strg+C beendet es.",
            "On this laptop: {url}": "Auf diesem Laptop: {url}",
            ROOM: ("Platz für {n} Handy ({kind}).", "Platz für {n} Handys ({kind})."),
        }
    )
    monkeypatch.setenv("LANG", "de_DE.UTF-8")
    monkeypatch.delenv("LC_ALL", raising=False)
    monkeypatch.delenv("LC_MESSAGES", raising=False)
    monkeypatch.setattr("lanqa.net.candidates", lambda: [])
    server = SimpleNamespace(host="0.0.0.0", port=8471, kind="epoll", cap=MAX_CONNECTIONS)
    lanqa_main.print_links(server, "http://127.0.0.1:8471")
    lines = capsys.readouterr().out.splitlines()
    assert lines[:3] == [
        "LanQA läuft. Strg+C beendet es.",
        "  Auf diesem Laptop: http://127.0.0.1:8471/",
        f"  Platz für {MAX_CONNECTIONS} Handys (epoll).",
    ]
    assert lines[3].startswith("  No local network found")  # not in this catalog: English


def test_terminal_logs_stay_english(german, monkeypatch, caplog):
    german({ROOM: ("Platz für {n} Handy ({kind}).", "Platz für {n} Handys ({kind}).")})
    server = SimpleNamespace(kind="epoll", cap=MAX_CONNECTIONS)
    with caplog.at_level("INFO", logger="lanqa.server"):
        said = lanqa_main.capacity(server, "de")
    assert said == [f"Platz für {MAX_CONNECTIONS} Handys (epoll)."]
    assert caplog.messages == [f"Room for {MAX_CONNECTIONS} phones connected at once (epoll)."]


def test_terminal_of_lanqa_serve_speaks_german_with_lang_de(tmp_path):
    """With LanQA's own catalogs: the first line `lanqa serve` prints, in German."""
    running = i18n.Text("LanQA is running. Press Ctrl+C to stop.").to("de")
    assert running != "LanQA is running. Press Ctrl+C to stop."
    env = {k: v for k, v in os.environ.items() if k not in ("LC_ALL", "LC_MESSAGES")}
    env.update(LANG="de_DE.UTF-8", PYTHONUNBUFFERED="1")
    command = [sys.executable, "-m", "lanqa", "serve", "--port", "0"]
    command += ["--host", "127.0.0.1", "--data-dir", str(tmp_path)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, env=env)
    try:
        first = process.stdout.readline().rstrip("\n")
    finally:
        process.terminate()
        process.communicate(timeout=10)
    assert first == running


# The exports


def test_export_headings_speak_the_language_asked_for(german, client):
    german(
        {
            "Answered ({count})": "Beantwortet ({count})",
            "Session of {created}, exported {exported}.": "Sitzung vom {created}.",
            ("{n} vote", "{n} votes"): ("{n} Stimme", "{n} Stimmen"),
            "question": "Frage",
        }
    )
    created = client.post("/api/event", json={"title": "Keynote"}).json
    eid, secret = created["id"], created["secret"]
    qid = client.post(f"/api/event/{eid}", json={"body": "Is this on?"}).json["id"]
    client.post(f"/api/event/{eid}/questions/{secret}/{qid}/toggle/answered", data="on")
    path = f"/api/event/{eid}/export/{secret}"
    markdown = client.get(path + "?format=md", headers={"Accept-Language": GERMAN}).text
    assert "## Beantwortet (1)" in markdown and "1 Stimme · asked" in markdown
    assert "Sitzung vom " in markdown
    page = client.get(path + "?format=html", headers={"Accept-Language": GERMAN}).text
    assert '<html lang="de" dir="ltr">' in page and "<h2>Beantwortet (1)</h2>" in page
    sheet = client.get(path + "?format=csv", headers={"Accept-Language": GERMAN}).text
    assert (
        sheet.splitlines()[0] == "\ufeffstatus,Frage,name,votes,asked,answered,reply,also asked as"
    )
    data = client.get(path + "?format=json", headers={"Accept-Language": GERMAN}).json
    assert list(data["answered"][0]) == [
        "id",
        "text",
        "name",
        "votes",
        "asked",
        "answered",
        "reply",
        "also",
    ]


def test_export_render_speaks_german_and_english_by_default(german):
    german({"Questions": "Fragen", "None.": "Keine."})
    data = {
        "session": {"id": GOOD_ID, "title": None, "created": "2026-11-30T14:05:00+01:00"},
        "exported": "2026-11-30T16:00:00+01:00",
        "answered": [],
    }
    assert export.render(data, "md", "de").startswith("# Fragen\n")
    assert "\nKeine.\n" in export.render(data, "md", "de")
    assert export.render(data, "md").startswith("# Questions\n")
