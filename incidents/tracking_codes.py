"""Public tracking codes: short, readable over the phone, and not guessable in sequence.

"PA-7K3M-Q9XD": "PA" for phản ánh, then 8 characters drawn with `secrets` from Crockford's
base-32 alphabet, which leaves out I, L, O and U so that nothing is misheard or misread as 1, 0
or a rude word. 32⁸ ≈ 1.1 × 10¹² codes: a guesser has no sequence to follow, and a collision is
rare enough that the service simply retries.
"""

from __future__ import annotations

import re
import secrets

CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
TRACKING_CODE_PREFIX = "PA"
_RANDOM_LENGTH = 8
# What people type instead of the alphabet's characters, as Crockford's decoding rules say.
_READ_AS = str.maketrans({"O": "0", "I": "1", "L": "1"})
_CODE_SHAPE = re.compile(rf"^{TRACKING_CODE_PREFIX}([{CROCKFORD_ALPHABET}]{{{_RANDOM_LENGTH}}})$")


def tracking_code_generate() -> str:
    # One draw of 40 random bits, five to a character (the alphabet has 32): the same uniform
    # choice as eight `secrets.choice`, for a fifth of the CPU (a code for every filing).
    bits = secrets.randbits(5 * _RANDOM_LENGTH)
    characters = "".join(
        CROCKFORD_ALPHABET[(bits >> (5 * position)) & 31] for position in range(_RANDOM_LENGTH)
    )
    return f"{TRACKING_CODE_PREFIX}-{characters[:4]}-{characters[4:]}"


def tracking_code_normalize(text: str) -> str | None:
    """The canonical form of a code as a person typed it, or None when it cannot be one.

    Case, spaces and hyphens are ignored and O, I, L are read as 0, 1, 1: "pa 7k3m q9xd" and
    "PA-7K3M-Q9XD" are the same code.
    """
    compact = re.sub(r"[\s\-]", "", str(text)).upper()
    if not compact.startswith(TRACKING_CODE_PREFIX):
        return None
    compact = TRACKING_CODE_PREFIX + compact[len(TRACKING_CODE_PREFIX) :].translate(_READ_AS)
    match = _CODE_SHAPE.match(compact)
    if match is None:
        return None
    characters = match.group(1)
    return f"{TRACKING_CODE_PREFIX}-{characters[:4]}-{characters[4:]}"
