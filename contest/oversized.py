"""Oversized request lines and headers answered in the site's own shape, not gunicorn's page.

gunicorn refuses a request line over `limit_request_line` or a header over
`limit_request_field_size` with a bare HTML page, before the app sees it. gunicorn.conf.py
sets those limits above the ones here, so the app answers first: a URL over 4096 characters
is 414 and a header over 8 KB is 431, as the API's JSON error under /api/ and a short page
elsewhere. (Behind nginx its own limits answer first, with the same JSON: deploy/nginx/.)
"""

import json

MAX_URL = 4096
MAX_HEADER = 8190


class OversizedRequests:
    def __init__(self, app, max_url=MAX_URL, max_header=MAX_HEADER):
        self.app, self.max_url, self.max_header = app, max_url, max_header

    def __call__(self, environ, start_response):
        path, query = environ.get("PATH_INFO", ""), environ.get("QUERY_STRING", "")
        if len(path) + len(query) > self.max_url:
            return self._refuse(
                environ, start_response, 414, "URI Too Long", "uri_too_long",
                "The address of this request is too long.",
            )  # fmt: skip
        for key, value in environ.items():
            if key.startswith("HTTP_") and len(value) > self.max_header:
                return self._refuse(
                    environ, start_response, 431, "Request Header Fields Too Large",
                    "headers_too_large", "A header of this request is too large.",
                )  # fmt: skip
        return self.app(environ, start_response)

    @staticmethod
    def _refuse(environ, start_response, status, reason, code, message):
        if environ.get("PATH_INFO", "").startswith("/api/"):
            body = json.dumps({"error": {"code": code, "message": message}}).encode()
            kind = "application/json"
        else:
            body = (
                '<!doctype html><html lang="en"><meta charset="utf-8">'
                '<meta name="viewport" content="width=device-width, initial-scale=1">'
                f"<title>Ginga</title><h1>{status}</h1><p>{message}</p>"
                '<p><a href="/">Ginga home</a></p></html>'
            ).encode()
            kind = "text/html; charset=utf-8"
        start_response(
            f"{status} {reason}",
            [("Content-Type", kind), ("Content-Length", str(len(body))), ("Connection", "close")],
        )
        return [body]
