"""Every write to citizen feedback, one module per capability:

| module | what it writes |
|---|---|
| `filing.py` | a new report (`incident_create`), with its photos, first event and announcements |
| `handling.py` | the unit's steps: acknowledge, assign, start, request information, transfer, answer, resolve, reject, close, priority, internal notes |
| `duplicates.py` | the unit's step that marks a report as a duplicate of another, moving its supporters |
| `citizen_actions.py` | the reporter's steps (provide information, reopen, rate) and anyone's support |
| `moderation.py` | hiding a report, its text or a photo from the public, and showing it again |
| `catalogue.py` | loading the category catalogue |
| `steps.py` | what every step is built from: the row lock, the role and state checks, text rules |

The state machine they obey is `incidents/workflow.py`. Callers use the names below
(`services.incident_acknowledge(...)`), so a service may move between modules without touching them.
"""

from incidents.services.catalogue import CatalogueLoad, categories_load_catalogue
from incidents.services.citizen_actions import (
    incident_provide_information,
    incident_rate,
    incident_reopen,
    incident_support,
)
from incidents.services.duplicates import incident_mark_duplicate
from incidents.services.filing import IncidentCreation, incident_create, photo_metadata_read
from incidents.services.handling import (
    incident_acknowledge,
    incident_answer,
    incident_assign,
    incident_close,
    incident_note_add,
    incident_reject,
    incident_request_information,
    incident_resolve,
    incident_set_priority,
    incident_start,
    incident_transfer,
)
from incidents.services.moderation import (
    incident_hide,
    incident_text_hide,
    incident_text_unhide,
    incident_unhide,
    photo_hide,
    photo_unhide,
)

__all__ = [
    "CatalogueLoad",
    "IncidentCreation",
    "categories_load_catalogue",
    "incident_acknowledge",
    "incident_answer",
    "incident_assign",
    "incident_close",
    "incident_create",
    "incident_hide",
    "incident_mark_duplicate",
    "incident_note_add",
    "incident_provide_information",
    "incident_rate",
    "incident_reject",
    "incident_reopen",
    "incident_request_information",
    "incident_resolve",
    "incident_set_priority",
    "incident_start",
    "incident_support",
    "incident_text_hide",
    "incident_text_unhide",
    "incident_transfer",
    "incident_unhide",
    "photo_hide",
    "photo_metadata_read",
    "photo_unhide",
]
