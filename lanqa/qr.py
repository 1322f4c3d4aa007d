"""A URL -> a QR code, as SVG for pages and as text for the terminal."""

import io
import re

import segno


def _code(url):
    # make_qr, not make: a Micro QR code is smaller but phone cameras can't read it.
    return segno.make_qr(url, error="m")


def svg(url):
    """A standalone SVG document (with xmlns) that scales to its container."""
    out = io.BytesIO()
    _code(url).save(out, kind="svg", scale=1, border=2, omitsize=True, dark="#000", light="#fff")
    return out.getvalue().decode()


def terminal(url):
    """The QR code drawn with block characters, for a terminal."""
    out = io.StringIO()
    _code(url).terminal(out=out, compact=True, border=2)
    return out.getvalue()


def wifi(name, password):
    """What a QR code that joins a WPA network says: WIFI:T:WPA;S:<name>;P:<password>;;
    with each of \\ ; , : " escaped by a backslash."""
    name, password = (re.sub(r'([\\;,:"])', r"\\\1", text) for text in (name, password))
    return f"WIFI:T:WPA;S:{name};P:{password};;"
