"""A viewer's own shuffled order of a round's clips, computed by the database.

An affine map of the id modulo a prime, its factors drawn from the viewer's seed: a
permutation, different per viewer and stable for one, so early or popular clips do not
snowball. The database sorts by it (a top-N sort or an OFFSET page), so no request reads every
id of a round into Python.
"""

import hashlib

import sqlalchemy as sa

from contest.models import Entry

_PRIME = 2_147_483_647


def _factors(seed):
    digest = hashlib.blake2b(seed.encode(), digest_size=8).digest()
    return 1 + int.from_bytes(digest[:4], "big") % (_PRIME - 1), int.from_bytes(digest[4:], "big")


def fan_order(seed):
    """The ORDER BY expression of this seed's shuffle (then Entry.id for a total order)."""
    times, plus = _factors(seed)
    big = sa.BigInteger
    product = sa.cast(Entry.id, big) * sa.literal(times, big) + sa.literal(plus, big)
    return product % sa.literal(_PRIME, big)  # 64-bit: the product passes 2**31
