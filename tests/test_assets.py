"""The web client's files as browsers get them (assets.py): one script per page with
only that page's modules, names with a hash of the content kept for good, compressed
once; and the page itself revalidated with a 304."""

import gzip
import re
import subprocess

import pytest

from lanqa.assets import Assets, strip, wrap
from lanqa.pages import BUNDLES, IMMUTABLE

# The host's tools, the projector and the start screen: none of it is for guests.
NOT_FOR_GUESTS = (
    "share",
    "session",
    "reply",
    "moderate",
    "export",
    "desktop",
    "projector",
    "landing",
)


@pytest.fixture
def event(client):
    created = client.post("/api/event").json
    return created["id"], created["secret"]


def script_of(client, path):
    page = client.get(path).data.decode()
    return re.search(r'<script type="module" src="(/assets/[^"]+)"', page).group(1)


def modules(body):
    return set(re.findall(r'\$defs\["(\w+)"\]', body.decode()))


def test_a_guest_page_gets_one_script_without_the_hosts_code(client, event):
    eid, secret = event
    guest = client.get(script_of(client, f"/event/{eid}")).data
    host = client.get(script_of(client, f"/event/{eid}/{secret}")).data
    assert {"app", "event", "api", "held", "order"} <= modules(guest)
    assert not modules(guest) & set(NOT_FOR_GUESTS)
    assert {"share", "session", "reply", "moderate", "export", "desktop"} <= modules(host)
    assert "projector" in modules(client.get(script_of(client, f"/event/{eid}/projector")).data)
    assert "landing" in modules(client.get(script_of(client, "/")).data)


def test_every_script_is_valid_javascript(tmp_path, app):
    files = Assets(app.config["ASSETS"], BUNDLES)
    for name in BUNDLES:
        path = tmp_path / f"{name}.mjs"
        path.write_bytes(files.files[files.urls[f"{name}.js"].rsplit("/", 1)[1]].body)
        done = subprocess.run(["node", "--check", str(path)], capture_output=True, text=True)
        assert done.returncode == 0, done.stderr


def test_hashed_files_are_kept_for_good_and_compressed(client, event):
    eid, _ = event
    page = client.get(f"/event/{eid}").data.decode()
    urls = re.findall(r'(?:href|src)="(/assets/[^"]+)"', page)
    assert len(set(urls)) == 3  # the icon, the style sheet, the script
    for url in set(urls):
        assert re.fullmatch(r"/assets/\w+\.[0-9a-f]{12}\.(js|css|svg)", url)
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert plain.headers["Cache-Control"] == IMMUTABLE
        assert plain.headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in plain.headers
        assert packed.headers["Content-Encoding"] == "gzip"
        assert gzip.decompress(packed.data) == plain.data
    assert client.get("/assets/guest.000000000000.js").status_code == 404


def test_files_under_their_own_names_are_revalidated(client):
    first = client.get("/assets/style.css")
    assert first.status_code == 200 and first.headers["Cache-Control"] == "no-cache"
    assert b"--accent" in first.data
    again = client.get("/assets/style.css", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304
    assert client.get("/assets/app.js").data.startswith(b"//")  # as written, not bundled
    assert client.get("/assets/../lanqa.db").status_code == 404
    assert client.get("/assets/nothing.js").status_code == 404


def test_a_page_seen_before_is_a_304(client, event):
    eid, _ = event
    first = client.get(f"/event/{eid}", headers={"Accept-Encoding": "gzip"})
    assert first.headers["Content-Encoding"] == "gzip"
    assert first.headers["Cache-Control"] == "no-cache"
    again = client.get(f"/event/{eid}", headers={"If-None-Match": first.headers["ETag"]})
    assert again.status_code == 304 and again.data == b""
    german = client.get(f"/event/{eid}", headers={"Accept-Language": "de"})
    assert german.headers["ETag"] != first.headers["ETag"]


def test_the_bundler_refuses_what_it_does_not_know():
    for source in (
        "export default 1;\n",
        "export let x = 1;\n",
        'import x from "./y.js";\n',
        "export { a };\n",
        "const here = import.meta.url;\n",
    ):
        with pytest.raises(ValueError):
            wrap("m", source)


def test_the_bundler_keeps_what_modules_import_and_export():
    code, imports = wrap(
        "m",
        'import { a, b as c } from "./x.js";\nimport * as y from "./y.js";\n'
        'export const d = 1;\nexport async function e() { return import("./z.js"); }\n',
    )
    assert imports == ["x", "y"]
    assert 'const { a, b: c } = $need("x");' in code
    assert 'const y = $need("y");' in code
    assert 'return $load("z");' in code
    assert "Object.assign($exports, { d, e });" in code


def test_comments_go_but_template_strings_stay():
    source = (
        "// a comment\nconst a = 1; // kept: not a whole line\n/* block\n   comment */\n"
        "const b = `\n// inside a template\n`;\n/* one line */ const c = 2;\n"
    )
    assert strip(source, js=True) == (
        "const a = 1; // kept: not a whole line\nconst b = `\n// inside a template\n`;\n"
        "/* one line */ const c = 2;\n"
    )
