"""The audience's own language: the catalogs, and the language of a request.

Every sentence a person reads is written in English in the code, marked with `_()`
(Python, the page's HTML) or `t()` / `tn()` (the page's JavaScript), and looked up in
one gettext catalog per language, `lanqa/locales/<lang>.po`, which a translator edits
without reading code. `python -m lanqa.i18n` lists what the code marks, into
`lanqa/locales/lanqa.pot`; tests fail when a catalog lacks one of those strings.

The pages get their catalog as JSON inside the page, so they need no build step and
no extra request; the server uses the same catalogs for its error sentences, its
terminal output and the exports' headings.
"""

import ast
import gettext
import io
import json
import os
import re
from functools import cache
from pathlib import Path

from babel import Locale
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po

LOCALES = Path(__file__).resolve().parent / "locales"
# Language code -> its own name, as the language menu shows it. English first: the
# language of the code, and the fallback.
LANGUAGES = {
    "en": "English",
    "de": "Deutsch",
    "fr": "Français",
    "es": "Español",
    "pt": "Português",
    "ar": "العربية",
}
RIGHT_TO_LEFT = {"ar"}
COOKIE = "lanqa_lang"
PLURAL_TAGS = ("zero", "one", "two", "few", "many")  # CLDR's order; "other" comes last


class Text(str):
    """A sentence in English that knows how to say itself in another language: an error
    sentence is made where the error is, and translated where the answer is written."""

    def __new__(cls, message, plural=None, n=None, **values):
        english = plural if plural is not None and n != 1 else message
        text = super().__new__(cls, fill(english, n, values))
        text.message, text.plural, text.n, text.values = message, plural, n, values
        return text

    def to(self, lang):
        translations = catalog(lang)
        if self.plural is None:
            said = translations.gettext(self.message)
        else:
            said = translations.ngettext(self.message, self.plural, self.n)
        return fill(said, self.n, self.values)


def fill(text, n, values):
    """text with its {placeholders} filled; a sentence without values is left as it is,
    so that it may show braces, as in {"body": "..."}."""
    return text.format(n=n, **values) if values or n is not None else text


def _(message, **values):
    """Mark message for translation; it reads as English until asked `.to(lang)`."""
    return Text(message, **values)


def ngettext(singular, plural, n, **values):
    """The same for a sentence about n things: {n} in it is the number."""
    return Text(singular, plural, n, **values)


def say(text, lang):
    """text in lang, if it is a Text; other strings as they are."""
    return text.to(lang) if isinstance(text, Text) else text


@cache
def catalog(lang):
    """gettext translations for lang (English: the code's own strings)."""
    path = LOCALES / f"{lang}.po"
    if lang == "en" or not path.exists():
        return gettext.NullTranslations()
    buffer = io.BytesIO()
    write_mo(buffer, po(lang))
    buffer.seek(0)
    return gettext.GNUTranslations(buffer)


@cache
def po(lang):
    with open(LOCALES / f"{lang}.po", "rb") as file:
        return read_po(file, locale=lang)


@cache
def page_catalog(lang, script):
    """What a page needs to speak lang: JSON with its plural categories and the messages
    its script (the text of it) marks (each a string, or a list of plural forms in the
    order of plural_tags)."""
    tags = Locale.parse(lang).plural_form.tags
    wanted = {unescape(found.group(2)) for found in SCRIPT.finditer(script)}
    messages = {}
    if lang != "en" and (LOCALES / f"{lang}.po").exists():
        for message in po(lang):
            key = message.id[0] if isinstance(message.id, tuple) else message.id
            if not message.id or not message.string or key not in wanted:
                continue
            if isinstance(message.id, tuple):
                messages[message.id[0]] = list(message.string)
            else:
                messages[message.id] = message.string
    return json.dumps(
        {
            "lang": lang,
            "dir": direction(lang),
            "plural_tags": [tag for tag in PLURAL_TAGS if tag in tags] + ["other"],
            "languages": LANGUAGES,
            "messages": messages,
        },
        ensure_ascii=False,
        separators=(",", ":"),
    ).replace("</", "<\\/")  # safe inside a <script> element


def direction(lang):
    return "rtl" if lang in RIGHT_TO_LEFT else "ltr"


def choose(accept_language="", cookie=""):
    """The language of a request: the one the person chose on the page (a cookie), else
    the first of their phone's languages that LanQA speaks, else English."""
    chosen = re.search(rf"(?:^|;)\s*{COOKIE}=([a-z]{{2}})\b", cookie or "")
    if chosen and chosen.group(1) in LANGUAGES:
        return chosen.group(1)
    return best(accept_language)


@cache
def best(accept_language):
    """The best of LANGUAGES for an Accept-Language header ("de-CH,de;q=0.9,en;q=0.8")."""
    wanted = []
    for position, part in enumerate((accept_language or "").split(",")):
        tag, _, quality = part.strip().partition(";q=")
        try:
            weight = float(quality) if quality else 1.0
        except ValueError:
            continue
        wanted.append((-weight, position, tag.split("-")[0].lower()))
    for _, _, lang in sorted(wanted):
        if lang in LANGUAGES:
            return lang
    return "en"


def system_language():
    """The language of this computer's user, for the terminal and the command line."""
    for name in ("LC_ALL", "LC_MESSAGES", "LANG", "LANGUAGE"):
        value = os.environ.get(name, "")
        if value and value not in ("C", "POSIX") and not value.startswith("C."):
            return best(value.split(".")[0].replace("_", "-").split(":")[0])
    return "en"


# Marked strings in the code: what the catalogs must have.

# A string literal in either quote: ruff format writes a sentence that holds double
# quotes, such as {"body": "..."}, in single quotes.
LITERAL = r"""("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""
PYTHON = re.compile(rf"""\b(?:_|ngettext)\(\s*{LITERAL}(?:\s*,\s*{LITERAL})?""")
SCRIPT = re.compile(
    r"""\b(?:t|tn)\(\s*(["'`])((?:(?!\1)[^\\]|\\.)*)\1(?:\s*,\s*(["'`])((?:(?!\3)[^\\]|\\.)*)\3)?"""
)


def marked():
    """{message: plural or None} for every string the code marks for translation."""
    root, found = LOCALES.parent.parent, {}
    for path in sorted((root / "lanqa").glob("*.py")):
        if path.name == "i18n.py":
            continue
        for match in PYTHON.finditer(path.read_text(encoding="utf-8")):
            found[literal(match.group(1))] = match.group(2) and literal(match.group(2))
    for path in sorted((root / "assets").glob("*.js")) + [root / "assets" / "index.html"]:
        text = path.read_text(encoding="utf-8")
        pattern = PYTHON if path.suffix == ".html" else SCRIPT
        for match in pattern.finditer(text):
            if path.suffix == ".html":
                found[literal(match.group(1))] = match.group(2) and literal(match.group(2))
            else:
                found[unescape(match.group(2))] = match.group(4) and unescape(match.group(4))
    return found


def literal(text):
    """The string a Python (or Jinja) string literal stands for."""
    return ast.literal_eval(text)


def unescape(literal):
    return json.loads('"' + literal.replace('"', '\\"').replace("\\'", "'") + '"')


def write_template(path=LOCALES / "lanqa.pot"):
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    template = Catalog(project="LanQA")
    for message, plural in marked().items():
        template.add((message, plural) if plural else message)
    with open(path, "wb") as file:
        write_po(file, template, width=100, omit_header=False, sort_output=True)
    return len(template)


if __name__ == "__main__":
    print(f"{write_template()} strings in {LOCALES / 'lanqa.pot'}")
