"""The web client's files as browsers get them: one script per page, every file under a
name with a hash of its content, and each compressed once.

On a phone's weak Wi-Fi each request costs a round trip, and a browser sends only six
at a time: a page that loads twenty modules waits for four rounds before its first
question shows. So each page gets its modules as one script, bundled here when the
server starts: each module becomes a function that runs once, when first imported, as
an ES module does, and hands its exports to the modules that import it. It knows the
forms of import and export the client uses (named and namespace imports, `import()`,
`export` before a declaration) and refuses anything else, so a module it cannot bundle
fails the tests rather than a phone. Full-line comments are left out.

A name with a hash never changes its content: browsers keep it for good and a returning
phone asks for nothing but the page. The plain names are served too, revalidated, for
anything that asks for them.
"""

import hashlib
import re
from dataclasses import dataclass
from pathlib import Path

from lanqa import delta

TYPES = {
    ".js": "text/javascript",
    ".css": "text/css",
    ".svg": "image/svg+xml",
    ".html": "text/html",
}
IMPORT = re.compile(r'^import (?:\{([^}]*)\}|\* as (\w+)) from "\./(\w+)\.js";\n', re.M)
EXPORT = re.compile(r"^export (?:async )?(?:function\*?|class|const) ([\w$]+)", re.M)
DYNAMIC = re.compile(r'\bimport\("\./(\w+)\.js"\)')
UNKNOWN = re.compile(r"^\s*(?:import|export)\b|\bimport\.meta\b", re.M)
PRELUDE = """const $defs = {};
const $done = {};
function $need(name) {
  if (!(name in $done)) {
    $done[name] = {};
    $defs[name]($done[name]);
  }
  return $done[name];
}
const $load = (name) => (name in $defs ? Promise.resolve().then(() => $need(name))
  : Promise.reject(new Error(`${name}.js is not in this page's script`)));
"""


@dataclass(frozen=True)
class Asset:
    body: bytes
    gzipped: bytes
    type: str
    immutable: bool


class Assets:
    """The served files of folder; bundles: {name: (module, ...)}, the modules each
    page's script holds (the first one runs; the others are there for its import())."""

    def __init__(self, folder, bundles):
        self.folder = Path(folder)
        self.files = {}  # name as served -> Asset
        self.urls = {}  # file or bundle name -> its URL with the hash
        self.scripts = {}  # bundle name -> its text
        for path in sorted(self.folder.iterdir()):
            if path.suffix in (".css", ".svg"):
                self._add(path.name, strip(path.read_text(), js=False).encode())
        for name, modules in bundles.items():
            self.scripts[name] = self.bundle(modules)
            self._add(f"{name}.js", self.scripts[name].encode())

    def _add(self, name, body):
        stem, suffix = name.rsplit(".", 1)
        digest = hashlib.sha256(body).hexdigest()[:12]
        hashed = f"{stem}.{digest}.{suffix}"
        kind = TYPES["." + suffix]
        self.files[hashed] = Asset(body, delta.compress(body), kind, True)
        self.urls[name] = f"/assets/{hashed}"

    def plain(self, name):
        """The Asset of a file of the folder under its own name, or None."""
        path = self.folder / name
        if "/" in name or "\\" in name or path.suffix not in TYPES or not path.is_file():
            return None
        body = path.read_bytes()
        return Asset(body, delta.compress(body), TYPES[path.suffix], False)

    def bundle(self, modules):
        """One script with modules and every module they import, the first one run."""
        wanted, defined = list(modules), {}
        while wanted:
            name = wanted.pop()
            if name not in defined:
                defined[name], imports = wrap(name, (self.folder / f"{name}.js").read_text())
                wanted += imports
        parts = [PRELUDE, *(defined[name] for name in sorted(defined))]
        return "".join(parts) + f'$need("{modules[0]}");\n'


def wrap(name, source):
    """(module as a function of its exports object, the modules it imports)."""
    imports = []

    def static(found):
        names, namespace, module = found.groups()
        imports.append(module)
        if namespace:
            return f'const {namespace} = $need("{module}");\n'
        return f'const {{{names.replace(" as ", ": ")}}} = $need("{module}");\n'

    code = IMPORT.sub(static, strip(source, js=True))
    exports = EXPORT.findall(code)
    code = EXPORT.sub(lambda found: found.group(0).removeprefix("export "), code)
    code = DYNAMIC.sub(lambda found: f'$load("{found.group(1)}")', code)
    if UNKNOWN.search(code):
        raise ValueError(f"{name}.js: an import or export that assets.py cannot bundle")
    exported = f"Object.assign($exports, {{ {', '.join(exports)} }});\n"
    return f'$defs["{name}"] = ($exports) => {{\n{code}{exported}}};\n', imports


def strip(source, js):
    """source without its full-line comments (// in scripts, /* */ in both), outside
    multi-line template strings."""
    kept, in_template, in_comment = [], False, False
    for line in source.splitlines(keepends=True):
        text = line.strip()
        whole = "*/" not in text or text.endswith("*/")  # nothing after the comment
        if in_comment or (not in_template and text.startswith("/*") and whole):
            in_comment = not text.endswith("*/")
        elif not (js and not in_template and text.startswith("//")):
            kept.append(line)
            if js and line.count("`") % 2:
                in_template = not in_template
    return "".join(kept)
