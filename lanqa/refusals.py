"""waitress's refusals (malformed or oversized HTTP, an app that raised) as LanQA's JSON.

waitress answers these itself, before the app runs and on every path, in plain text;
channel.QuickChannel has it use JsonErrorTask instead.
"""

from waitress.task import ErrorTask
from werkzeug.exceptions import InternalServerError, default_exceptions

from lanqa.errors import UNEXPECTED
from lanqa.phone import error_answer

# By status; {} is waitress's reason, or the limit the request went over.
REFUSALS = {
    400: "LanQA could not read this request ({}): reload the page and try again.",
    413: "That is far too long (over {} bytes): please shorten it.",
    431: "The address or the request headers are too long (at most {} bytes): "
    "shorten the address, or clear this site's cookies.",
    501: "The request body's Transfer-Encoding is not supported: "
    "send it with a Content-Length, or chunked.",
}


class JsonErrorTask(ErrorTask):
    """waitress's answer to a request it refused (malformed, too large, or an app that
    raised), as JSON with LanQA's headers, on every path."""

    def execute(self):
        refused, adj = self.request.error, self.channel.adj
        detail = {413: adj.max_request_body_size, 431: adj.max_request_header_size}
        message = REFUSALS.get(refused.code, UNEXPECTED)
        message = message.format(detail.get(refused.code, str(refused.body)[:100]))
        error = default_exceptions.get(refused.code, InternalServerError)(message)
        answer = error_answer(error)
        self.status = answer.status_line()
        self.response_headers.extend(answer.headers)
        self.set_close_on_finish()
        self.content_length = len(answer.body)
        self.write(answer.body)
