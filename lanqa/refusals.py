"""waitress's refusals (malformed or oversized HTTP, an app that raised) as LanQA's JSON.

waitress answers these itself, before the app runs and on every path, in plain text;
channel.QuickChannel has it use JsonErrorTask instead.
"""

from waitress.task import ErrorTask
from werkzeug.exceptions import InternalServerError, default_exceptions

from lanqa import i18n
from lanqa.errors import UNEXPECTED
from lanqa.i18n import _
from lanqa.phone import error_answer


def refusal(code, detail):
    """The sentence for a refusal with status code; detail is waitress's reason, or the
    limit the request went over."""
    if code == 400:
        return _(
            "LanQA could not read this request ({reason}): reload the page and try again.",
            reason=detail,
        )
    if code == 413:
        return _("That is far too long (over {limit} bytes): please shorten it.", limit=detail)
    if code == 431:
        return _(
            "The address or the request headers are too long (at most {limit} bytes): shorten the address, or clear this site's cookies.",  # noqa: E501
            limit=detail,
        )
    if code == 501:
        return _(
            "The request body's Transfer-Encoding is not supported: send it with a Content-Length, or chunked."  # noqa: E501
        )
    return UNEXPECTED


class JsonErrorTask(ErrorTask):
    """waitress's answer to a request it refused (malformed, too large, or an app that
    raised), as JSON with LanQA's headers, on every path, in the request's language when
    its headers could be read."""

    def execute(self):
        refused, adj = self.request.error, self.channel.adj
        detail = {413: adj.max_request_body_size, 431: adj.max_request_header_size}
        message = refusal(refused.code, detail.get(refused.code, str(refused.body)[:100]))
        error = default_exceptions.get(refused.code, InternalServerError)(message)
        headers = getattr(self.request, "headers", None) or {}  # waitress's: "ACCEPT_LANGUAGE"
        lang = i18n.choose(headers.get("ACCEPT_LANGUAGE", ""), headers.get("COOKIE", ""))
        answer = error_answer(error, lang)
        self.status = answer.status_line()
        self.response_headers.extend(answer.headers)
        self.set_close_on_finish()
        self.content_length = len(answer.body)
        self.write(answer.body)
