"""The translation catalogs: every language has every string the code marks, with its
placeholders, and the request's language is the person's."""

import json
import re

import pytest

from lanqa import i18n, pages
from lanqa.i18n import unescape

OTHERS = [lang for lang in i18n.LANGUAGES if lang != "en"]
PLACEHOLDER = re.compile(r"\{(\w+)\}")


@pytest.fixture(scope="module")
def marked():
    found = i18n.marked()
    assert len(found) > 100  # the extractor sees the code's strings
    return found


@pytest.mark.parametrize("lang", OTHERS)
def test_every_language_has_every_string_english_has(marked, lang):
    translated = {m.id if isinstance(m.id, str) else m.id[0]: m for m in i18n.po(lang) if m.id}
    missing = [message for message in marked if message not in translated]
    assert missing == [], f"{lang}.po lacks {len(missing)}: {missing[:5]}"
    for message, plural in marked.items():
        entry = translated[message]
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        assert all(forms), f"{lang}.po: no translation for {message!r}"
        if plural:
            assert len(forms) == i18n.po(lang).num_plurals, f"{lang}.po: {message!r}"


@pytest.mark.parametrize("lang", OTHERS)
def test_translations_keep_every_placeholder(marked, lang):
    for entry in i18n.po(lang):
        if not entry.id:
            continue
        english = " ".join(entry.id) if isinstance(entry.id, tuple) else entry.id
        forms = entry.string if isinstance(entry.string, tuple) else (entry.string,)
        wanted = set(PLACEHOLDER.findall(english)) - {"n"}
        for form in forms:
            assert set(PLACEHOLDER.findall(form)) - {"n"} == wanted, (lang, english, form)


@pytest.mark.parametrize("lang", OTHERS)
def test_no_catalog_keeps_strings_the_code_no_longer_has(marked, lang):
    kept = {m.id if isinstance(m.id, str) else m.id[0] for m in i18n.po(lang) if m.id}
    assert sorted(kept - set(marked)) == []


def test_the_template_lists_what_the_code_marks(marked, tmp_path):
    path = tmp_path / "lanqa.pot"
    i18n.write_template(path)
    assert (
        path.read_text(encoding="utf-8").split("\n\n")[1:]
        == (i18n.LOCALES / "lanqa.pot").read_text(encoding="utf-8").split("\n\n")[1:]
    ), "run: python -m lanqa.i18n"


@pytest.mark.parametrize(
    "header, cookie, lang",
    [
        ("de-DE,de;q=0.9,en;q=0.8", "", "de"),
        ("en-GB,en;q=0.9", "", "en"),
        ("ja-JP,ar;q=0.5", "", "ar"),  # the first one LanQA speaks
        ("fr;q=0.2,pt-BR;q=0.8", "", "pt"),  # by weight, not by order
        ("", "", "en"),
        ("zh-CN", "", "en"),
        ("de-DE", "lanqa_voter=x; lanqa_lang=es", "es"),  # chosen on the page
        ("de-DE", "lanqa_lang=xx", "de"),  # not a language LanQA speaks
    ],
)
def test_the_language_of_a_request(header, cookie, lang):
    assert i18n.choose(header, cookie) == lang


def test_a_page_catalog_has_the_plural_categories_of_its_language():
    script = 't("Live"); tn("{n} vote", "{n} votes", 2);'
    arabic = json.loads(i18n.page_catalog("ar", script))
    assert arabic["dir"] == "rtl" and arabic["lang"] == "ar"
    assert arabic["plural_tags"] == ["zero", "one", "two", "few", "many", "other"]
    assert len(arabic["messages"]["{n} vote"]) == 6
    assert json.loads(i18n.page_catalog("de", script))["plural_tags"] == ["one", "other"]
    english = json.loads(i18n.page_catalog("en", script))
    assert english["messages"] == {} and english["dir"] == "ltr"
    files = pages.load_assets(i18n.LOCALES.parent.parent / "assets", 0)
    everything = "".join(files.scripts.values())
    assert "</" not in i18n.page_catalog("ar", everything)  # safe inside the page's <script>


@pytest.mark.parametrize("lang", ["de", "ar"])
def test_each_page_carries_the_messages_of_its_own_script_only(lang):
    files = pages.load_assets(i18n.LOCALES.parent.parent / "assets", 0)
    catalogs = {
        view: json.loads(i18n.page_catalog(lang, files.scripts[view]))["messages"]
        for view in pages.BUNDLES
    }
    for view, script in files.scripts.items():
        marked = {unescape(found.group(2)) for found in i18n.SCRIPT.finditer(script)}
        assert marked and set(catalogs[view]) == marked, view
    assert "Copy guest link" in catalogs["host"] and "Copy guest link" not in catalogs["guest"]
    assert "Ask" in catalogs["guest"]


def test_a_sentence_speaks_each_language_with_its_values():
    text = i18n.ngettext("Wait {n} second.", "Wait {n} seconds.", 3)
    assert text == "Wait 3 seconds." and text.to("en") == "Wait 3 seconds."
    assert i18n._('Send {"body": "..."}') == 'Send {"body": "..."}'  # no values: as written


# Sentences that skipped the catalog: what a translator would never see.

ROOT = i18n.LOCALES.parent.parent
PROSE = re.compile(r"""(["'`])([A-Z][a-z']*[ ,][^"'`\n]*[a-z.…!?:)][^"'`\n]*)\1""")
COMMENT = re.compile(r"//[^\n]*|/\*.*?\*/", re.S)


def unmarked_script_sentences(text):
    text = COMMENT.sub("", i18n.SCRIPT.sub("", text))
    text = re.sub(r"console\.\w+\([^)]*\)", "", text)
    return [match.group(2) for match in PROSE.finditer(text)]


@pytest.mark.parametrize("path", sorted((ROOT / "assets").glob("*.js")), ids=lambda p: p.name)
def test_the_pages_scripts_say_nothing_outside_the_catalog(path):
    assert unmarked_script_sentences(path.read_text(encoding="utf-8")) == []


def test_the_page_says_nothing_outside_the_catalog():
    from html.parser import HTMLParser

    found = []

    class Reader(HTMLParser):
        skipping = 0

        def handle_starttag(self, tag, attrs):
            self.skipping += tag in ("script", "style")
            for name, value in attrs:
                read = name in ("placeholder", "title", "aria-label", "alt")
                if read and re.search("[A-Za-z]", value or "") and "{{" not in value:
                    found.append(f"{tag} {name}={value!r}")

        def handle_endtag(self, tag):
            self.skipping -= tag in ("script", "style")

        def handle_data(self, data):
            text = re.sub(r"\{\{.*?\}\}|\{%.*?%\}", "", data, flags=re.S).strip()
            if not self.skipping and re.search("[A-Za-z]{2}", text) and text != "LanQA":
                found.append(text)

    Reader().feed((ROOT / "assets" / "index.html").read_text(encoding="utf-8"))
    assert found == []


def test_the_servers_error_sentences_go_through_the_catalog():
    plain = re.compile(r"""\b(?:abort\(\d+,|too_many\([^,]+,)\s*f?["']""")
    for path in sorted((ROOT / "lanqa").glob("*.py")):
        assert plain.findall(path.read_text(encoding="utf-8")) == [], path.name
