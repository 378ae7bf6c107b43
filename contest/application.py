"""The Flask class Ginga runs on, and its request class."""

import types

from flask import Flask, Request
from werkzeug.sansio.http import parse_cookie
from werkzeug.utils import cached_property


class GingaRequest(Request):
    """Flask's request, reading each distinct Cookie header once per process.

    Werkzeug finds the header by walking every key of the environ and then parses it: ~30 µs,
    about a tenth of a signed-in API request's own work. A fan sends the same header until a
    cookie changes, and the parsed result is immutable, so the same text shares one result.
    """

    _parsed_cookies = {}  # Cookie header text -> ImmutableMultiDict
    max_parsed_cookies = 20_000

    @cached_property
    def cookies(self):
        # Under WSGI one request has at most one HTTP_COOKIE (the server joins repeats), the
        # very text werkzeug would join from its headers.
        text = self.environ.get("HTTP_COOKIE", "")
        known = self._parsed_cookies
        parsed = known.get(text)
        if parsed is None:
            parsed = parse_cookie(text, cls=self.dict_storage_class)
            if len(known) >= self.max_parsed_cookies:
                known.clear()  # rare: a cold start is cheaper than an LRU per request
            known[text] = parsed
        return parsed


class Ginga(Flask):
    """Flask, remembering which hooks and views need no async wrapper.

    Flask asks `ensure_sync` about every hook and the view on every request (a dozen on a
    signed-in API request) and each answer inspects the function's code flags: ~6% of a small
    request's time. Plain functions are asked once (Flask's docs invite this override)."""

    request_class = GingaRequest

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._sync = {}

    def ensure_sync(self, func):
        sync = self._sync.get(func)
        if sync is None:
            sync = super().ensure_sync(func)
            if isinstance(func, types.FunctionType):
                self._sync[func] = sync
        return sync
