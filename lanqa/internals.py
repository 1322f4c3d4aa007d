"""The parts of waitress that LanQA relies on beyond its documented API, checked at start.

channel.py answers on waitress's main loop, loop.py replaces that loop, and server.py
subclasses its server. All of it leans on names inside waitress that a release may
rename. pyproject.toml pins the versions the tests ran on; this check catches the rest
(a different version installed by hand, a vendored copy), so that server.py can fall
back to plain waitress, which is slower but correct, instead of silently breaking.
"""

import inspect

from waitress import buffers, parser, server, utilities, wasyncore
from waitress.adjustments import Adjustments
from waitress.channel import HTTPChannel
from waitress.server import BaseWSGIServer
from waitress.task import ErrorTask, Task

# Attributes of a class (methods, and defaults that instances later overwrite).
CLASS_ATTRIBUTES = {
    HTTPChannel: "received service del_channel readable writable send request will_close"
    " close_when_flushed error_task_class"
    " total_outbufs_len current_outbuf_count last_activity",
    BaseWSGIServer: "channel_class asyncore accept readable run pull_trigger close",
    Adjustments: "listen connection_limit outbuf_overflow outbuf_high_watermark"
    " max_request_body_size max_request_header_size",
    ErrorTask: "execute set_close_on_finish write status content_length",
    wasyncore.dispatcher: "accepting readable writable",
}
# Attributes an instance gets in __init__: the names its code assigns.
INSTANCE_ATTRIBUTES = {
    (HTTPChannel, "__init__"): "server adj addr outbufs requests_lock outbuf_lock requests"
    " connected",
    (BaseWSGIServer, "__init__"): "effective_port asyncore task_dispatcher active_channels",
    (wasyncore.dispatcher, "__init__"): "_fileno",
    (parser.HTTPRequestParser, "__init__"): "headers",
    (Task, "__init__"): "response_headers request channel",
}
# run() must call self.asyncore.loop(...) for LanQA's loop to be the one that runs.
CALLS = {(BaseWSGIServer, "run"): "asyncore loop"}
# Functions and the parameters LanQA passes them.
SIGNATURES = {
    (server, "TcpWSGIServer"): "application map adj sockinfo",
    (buffers, "OverflowableBuffer"): "overflow",
    (utilities, "build_http_date"): "when",
    (wasyncore, "readwrite"): "obj flags",
    (wasyncore, "read"): "obj",
    (wasyncore, "write"): "obj",
    (wasyncore, "close_all"): "map",
}


def missing():
    """The internals that are not as LanQA expects: empty when all is well."""
    found = []
    for owner, names in CLASS_ATTRIBUTES.items():
        found += [f"{owner.__name__}.{name}" for name in names.split() if not hasattr(owner, name)]
    for (owner, function), names in {**INSTANCE_ATTRIBUTES, **CALLS}.items():
        code = getattr(getattr(owner, function, None), "__code__", None)
        used = code.co_names if code else ()
        found += [
            f"{owner.__name__}.{function} uses {name}" for name in names.split() if name not in used
        ]
    for (owner, function), names in SIGNATURES.items():
        try:
            parameters = inspect.signature(getattr(owner, function)).parameters
        except (AttributeError, TypeError, ValueError):
            parameters = {}
        found += [f"{function}({name})" for name in names.split() if name not in parameters]
    return found
