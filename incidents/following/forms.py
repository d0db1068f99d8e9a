"""The follow-by-e-mail form of the public pages (a report's tracking page, an area's page)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from notifications.models import Subscription


class FollowForm(forms.Form):
    # A plain text field: the address is checked by the service, as for the API, so the page and
    # the API refuse the same addresses with the same sentence. The input type still lets phones
    # show their e-mail keyboard.
    email = forms.CharField(
        label=_("Địa chỉ e-mail"),
        max_length=Subscription._meta.get_field("email").max_length,
        widget=forms.EmailInput(attrs={"autocomplete": "email", "inputmode": "email"}),
    )
