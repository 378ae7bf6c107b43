"""The Flask class Ginga runs on."""

import types

from flask import Flask


class Ginga(Flask):
    """Flask, remembering which hooks and views need no async wrapper.

    Flask asks `ensure_sync` about every hook and the view on every request (a dozen on a
    signed-in API request) and each answer inspects the function's code flags: ~6% of a small
    request's time. Plain functions are asked once (Flask's docs invite this override)."""

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
