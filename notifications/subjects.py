"""What a subscription's pages say about the thing followed, told by the app that offers it.

A subscription follows a subject of any model (a report, an area); this app keeps only the
generic reference. The confirm and unsubscribe pages still have to name it ("you will get an
email when report PA-… changes"): the app that lets people follow a model registers, for that
model, a function returning the two sentences, in a module named `subscription_subjects.py`
that `NotificationsConfig.ready()` imports from every installed app (as the admin does with
`admin.py`). Citizen feedback's is `incidents/subscription_subjects.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model


@dataclass(frozen=True)
class FollowingSentences:
    """Two sentences in the language of the request (gettext is called by the describer)."""

    # On the confirmation page: "From now on you will get an email when …".
    starts: str
    # On the unsubscribe pages: "You will get no more emails about …".
    stops: str


# Takes a row of the model it was registered for (typed Any: each describer names its own model).
SubjectDescriber = Callable[[Any], FollowingSentences]

_describers: dict[str, SubjectDescriber] = {}


def subject_describer_register(model: type[Model], describe: SubjectDescriber) -> None:
    """`describe(subject)` tells the pages what following a `model` row means."""
    _describers[model._meta.label_lower] = describe


def following_sentences(subject: Model) -> FollowingSentences:
    """The sentences of a followed subject; a LookupError names a model nobody registered."""
    label = subject._meta.label_lower
    try:
        describe = _describers[label]
    except KeyError:
        raise LookupError(f"no app describes subscriptions to {label}") from None
    return describe(subject)
