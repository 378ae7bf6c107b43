"""Flask's signed-cookie sessions, checking each distinct cookie's signature once.

A signed-in request spends ~35 µs opening its session cookie (base64, HMAC, zlib, JSON) and a
fan sends the same cookie until something in it changes. Here a process remembers the cookies
it has verified, keyed by their exact text, with what they hold and when they were signed:
the same text again is the same verified content, and only its age is checked again.
"""

import copy
import time

from flask.sessions import SecureCookieSessionInterface
from itsdangerous import BadSignature

_PLAIN = (str, int, float, bool, type(None))


class RememberingSessionInterface(SecureCookieSessionInterface):
    def __init__(self, max_entries=20_000):
        self.max_entries = max_entries
        self._verified = {}  # cookie text -> (data, signed at as a Unix time)
        self.clock = time.time

    def open_session(self, app, request):
        value = request.cookies.get(self.get_cookie_name(app))
        if not value:
            return self.session_class() if app.secret_key else None
        max_age = int(app.permanent_session_lifetime.total_seconds())
        known = self._verified.get(value)
        if known is None:
            serializer = self.get_signing_serializer(app)
            if serializer is None:
                return None
            try:
                data, signed = serializer.loads(value, max_age=max_age, return_timestamp=True)
            except BadSignature:
                return self.session_class()
            plain = all(type(v) in _PLAIN for v in data.values())
            known = (data, signed.timestamp(), plain)
            if len(self._verified) >= self.max_entries:
                self._verified.clear()  # rare: a cold start is cheaper than an LRU per request
            self._verified[value] = known
        data, signed_at, plain = known
        if not 0 <= self.clock() - signed_at <= max_age:
            self._verified.pop(value, None)
            return self.session_class()
        # a new dict: the request's changes stay its own (and a nested value is a deep copy)
        return self.session_class(data if plain else copy.deepcopy(data))

    def save_session(self, app, session, response):
        """Flask's, less its work in the usual case: a session read and left as it was.

        Flask works out the cookie's six attributes and parses the `Vary` header before it
        asks whether there is anything to write (~3% of a signed-in GET's CPU). The `Vary:
        Cookie` it would add to an answer that read the session is on every answer but static
        files already (contest.security.SecurityHeaders).
        """
        if session.modified or (session and self.should_set_cookie(app, session)):
            super().save_session(app, session, response)
