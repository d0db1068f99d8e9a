"""Who files the demo reports: invented names, with contact details that cannot reach anyone."""

from __future__ import annotations

import random
from typing import Any

from incidents import demo_texts
from wards.demo_territory import without_diacritics

# Under reserved names (RFC 2606 .example; 0123 numbers were withdrawn in 2018): no demo
# reporter can be a real person's mailbox or phone.
REPORTER_EMAIL_DOMAIN = "nguoidan.example"
REPORTER_PHONE_PREFIX = "0123 456"


def random_reporter(rng: random.Random) -> dict[str, Any]:
    """A quarter anonymous; the others give a name and a phone or an email."""
    draw = rng.random()
    if draw < 0.25:
        return {}
    name = " ".join(
        (
            rng.choice(demo_texts.FAMILY_NAMES),
            rng.choice(demo_texts.MIDDLE_NAMES),
            rng.choice(demo_texts.GIVEN_NAMES),
        )
    )
    if draw < 0.7:
        # Never contacted: a demo phone number must not reach anyone, even a withdrawn one.
        return {
            "reporter_name": name,
            "reporter_phone": f"{REPORTER_PHONE_PREFIX} {rng.randrange(1000):03d}",
        }
    local_part = without_diacritics(name).lower().replace(" ", ".")
    return {
        "reporter_name": name,
        "reporter_email": f"{local_part}{rng.randint(1, 99)}@{REPORTER_EMAIL_DOMAIN}",
        "reporter_may_be_contacted": rng.random() < 0.6,
    }
