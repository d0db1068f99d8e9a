"""Atom feeds of public reports, per area and for the whole territory (django.contrib.syndication).

An entry is a report: published when it was filed, updated when it was resolved, titled by its
category and status, linking to its public tracking page, summarised by its public description
(unless hidden) and the unit's public answer. Never a name, phone, email, photo or internal note.
Summaries are HTML in Atom (`type="html"`), so the citizens' texts are escaped first: a
description containing markup shows as text in a feed reader, never as markup.
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.syndication.views import Feed
from django.http import Http404, HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.html import escape, linebreaks
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import NotFound
from incidents.following import selectors
from incidents.models import Incident
from incidents.notice_texts import tracking_page_path
from wards.models import Area


def _category_name(incident: Incident) -> str:
    category = incident.category
    if get_language() == "en" and category.name_en:
        return category.name_en
    return category.name


class _IncidentEntries(Feed):
    # No fixed `language`: the feed speaks the page language (Vietnamese unless the visitor chose
    # English with the site's language switch, geoapp/middleware.py).
    feed_type = Atom1Feed

    def item_title(self, incident: Incident) -> str:
        return f"{_category_name(incident)} — {incident.get_status_display()}"

    def item_link(self, incident: Incident) -> str:
        return tracking_page_path(incident.tracking_code)

    def item_description(self, incident: Incident) -> str:
        parts = []
        if not incident.description_hidden:
            parts.append(linebreaks(escape(incident.description)))
        if incident.public_answer:
            parts.append(
                f"<p><strong>{escape(_('Trả lời'))}:</strong></p>"
                + linebreaks(escape(incident.public_answer))
            )
        return "".join(parts)

    # Dates in Vietnam's time: the same instants, written as a reader here expects them.
    def item_pubdate(self, incident: Incident) -> datetime:
        return incident.reported_at.astimezone(VIETNAM_TIME_ZONE)

    def item_updateddate(self, incident: Incident) -> datetime:
        return incident.feed_updated_at.astimezone(VIETNAM_TIME_ZONE)  # type: ignore[attr-defined]

    def item_categories(self, incident: Incident) -> tuple[str, ...]:
        return (_category_name(incident),)


class TerritoryIncidentsFeed(_IncidentEntries):
    """/phan-anh/moi.atom: the latest public reports of the whole territory."""

    def title(self) -> str:
        return _("Phản ánh mới và đã giải quyết — Quảng Ngãi")

    def subtitle(self) -> str:
        return _("Các phản ánh công khai mới gửi hoặc vừa giải quyết xong.")

    def link(self) -> str:
        return "/"

    def feed_url(self) -> str:
        return reverse("incidents-feed")

    def items(self) -> list[Incident]:
        return selectors.feed_incidents()


class AreaIncidentsFeed(_IncidentEntries):
    """/khu-vuc/<area_id>/phan-anh.atom: the latest public reports located in one area."""

    def get_object(self, request: HttpRequest, area_id: int) -> Area:
        try:
            return selectors.feed_area_get(area_id=area_id)
        except NotFound as error:
            raise Http404(error.message) from None

    def title(self, area: Area) -> str:
        return _("Phản ánh mới và đã giải quyết tại %(area)s") % {"area": area.name}

    def subtitle(self, area: Area) -> str:
        return _("Các phản ánh công khai mới gửi hoặc vừa giải quyết xong tại %(area)s.") % {
            "area": area.name
        }

    def link(self, area: Area) -> str:
        return "/"

    def feed_url(self, area: Area) -> str:
        return reverse("area-incidents-feed", args=[area.pk])

    def items(self, area: Area) -> list[Incident]:
        return selectors.feed_incidents(area=area)
