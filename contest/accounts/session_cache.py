"""A per-process cache of who a session belongs to, exact across processes.

Loading the signed-in fan was an ORM query on every request, about half of a signed-in API
request's cost. Here each process keeps, per session id, a detached copy of the fan's row and
the *generation* of that fan it was read at. Any change to the fan (a ban, a role, a profile
edit: every flushed change of a User row) and any ended session bumps the fan's generation
after the commit, before the answer that made the change is sent. Every request compares the
cached generation with the current one and reloads on a difference, so a banned fan is
refused on their very next request, on every process.

Where generations live: in this process (one process: the embedded default), or in Redis
(REDIS_URL: every process reads the same counter; one GET per signed-in request). When Redis
does not answer, nothing is trusted from the cache: every request asks the database.

The generation is read *before* the row: a change committed after that read leaves the entry
with an older generation, which the next request sees. So the first request of a session in
a process only learns whose it is; the second reads the row and fills the entry.
"""

import logging
import threading
import time

import sqlalchemy as sa
from redis import Redis
from redis.exceptions import RedisError
from sqlalchemy.orm import make_transient_to_detached
from sqlalchemy.orm.instrumentation import manager_of_class

from contest.models import User

log = logging.getLogger(__name__)
COLUMNS = [attr.key for attr in sa.inspect(User).column_attrs]
_USERS = manager_of_class(User)
KEY_DAYS = 2  # a generation outlives every cache entry by far (entries live seconds)


class Entry:
    __slots__ = ("user_id", "values", "created_at", "generation", "filled_at")

    def __init__(self, user_id, created_at):
        self.user_id, self.created_at = user_id, created_at
        self.values = self.generation = None
        self.filled_at = 0.0


class SessionCache:
    def __init__(self, seconds, redis_url=None, prefix="ginga", max_entries=20_000):
        self.seconds = seconds
        self.max_entries = max_entries
        self.prefix = prefix
        self.redis = (
            Redis.from_url(redis_url, socket_timeout=1, socket_connect_timeout=1)
            if redis_url
            else None
        )
        self._entries = {}  # session id -> Entry
        self._generations = {}  # user id -> generation, when there is no Redis
        self._lock = threading.Lock()

    def _key(self, user_id):
        return f"{self.prefix}:user-generation:{user_id}"

    def generation(self, user_id):
        """The fan's current generation; raises RedisError when Redis cannot say."""
        if self.redis is None:
            return self._generations.get(user_id, 0)
        value = self.redis.get(self._key(user_id))
        return int(value) if value else 0

    def owner(self, session_id):
        """(user id, session created_at) when this process knows the session, else None."""
        entry = self._entries.get(session_id)
        return (entry.user_id, entry.created_at) if entry is not None else None

    def cached(self, session_id, generation):
        """A detached copy of the fan's row if it was read at this generation and is fresh."""
        entry = self._entries.get(session_id)
        if entry is None or entry.values is None or entry.generation != generation:
            return None
        if time.monotonic() - entry.filled_at > self.seconds:
            return None
        user = _USERS.new_instance()  # no __init__: no defaults over the stored values
        user.__dict__.update(entry.values)
        make_transient_to_detached(user)  # committed values, the row's identity, no session
        return user

    def learn(self, session_id, user_id, created_at):
        """Remember whose a session is (it never changes)."""
        with self._lock:
            if len(self._entries) >= self.max_entries:
                self._entries.clear()  # rare: a cold start is cheaper than an LRU per request
            self._entries.setdefault(session_id, Entry(user_id, created_at))

    def fill(self, session_id, user, generation):
        """Keep a detached copy of this user's row, read at `generation`."""
        entry = self._entries.get(session_id)
        if entry is None or entry.user_id != user.id:
            return
        entry.values = {key: getattr(user, key) for key in COLUMNS}
        entry.generation = generation
        entry.filled_at = time.monotonic()

    def forget_session(self, session_id):
        self._entries.pop(session_id, None)

    def changed(self, user_ids):
        """These fans changed (a committed change): every process must reload them."""
        with self._lock:
            for entry in list(self._entries.values()):
                if entry.user_id in user_ids:
                    entry.values = None
            for user_id in user_ids:
                self._generations[user_id] = self._generations.get(user_id, 0) + 1
        if self.redis is not None:
            try:
                pipe = self.redis.pipeline(transaction=False)
                for user_id in user_ids:
                    pipe.incr(self._key(user_id))
                    pipe.expire(self._key(user_id), KEY_DAYS * 86400)
                pipe.execute()
            except RedisError:
                # other processes cannot hear of it: their entries age out within `seconds`
                log.exception("could not publish account changes %s", sorted(user_ids))
