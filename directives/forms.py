"""Forms of the directives pages: the boards' filters and the steps of a task."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from directives.deadlines import Standing
from directives.selectors import TaskFilter
from wards.models import Agency


class TaskFilterForm(forms.Form):
    # The number typed, not a list to choose from: a province issues thousands of directives,
    # and a select of them all made the board's page three times slower to render.
    directive = forms.CharField(label=_("Số văn bản"), required=False, max_length=100)
    agency = forms.ModelChoiceField(
        label=_("Đơn vị chủ trì"), queryset=Agency.objects.none(), required=False
    )
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    deadline_from = forms.DateField(
        label=_("Hạn từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    deadline_to = forms.DateField(
        label=_("Hạn đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    standing = forms.ChoiceField(
        label=_("Tình trạng"),
        required=False,
        choices=[("", _("Tất cả"))] + [(standing.value, standing.label) for standing in Standing],
    )

    def __init__(
        self,
        *args: Any,
        agencies: list[Agency],
        fields: list[str],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        agency_field = self.fields["agency"]
        assert isinstance(agency_field, forms.ModelChoiceField)
        agency_field.queryset = Agency.objects.filter(pk__in=[a.pk for a in agencies]).order_by(
            "name"
        )
        choice_field = self.fields["field"]
        assert isinstance(choice_field, forms.ChoiceField)
        choice_field.choices = [("", _("Tất cả"))] + [(value, value) for value in fields]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("deadline_from"), cleaned.get("deadline_to")
        if start and end and end < start:
            raise forms.ValidationError(_("“Hạn đến ngày” phải sau “Hạn từ ngày”."))
        return cleaned

    def task_filter(self) -> TaskFilter:
        data = self.cleaned_data if self.is_valid() else {}
        agency = data.get("agency")
        return TaskFilter(
            directive_number=(data.get("directive") or "").strip(),
            agency_id=agency.pk if agency else None,
            field=data.get("field") or "",
            deadline_from=data.get("deadline_from"),
            deadline_to=data.get("deadline_to"),
            standing=data.get("standing") or "",
        )


class NoteForm(forms.Form):
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class ProgressForm(forms.Form):
    text = forms.CharField(label=_("Nội dung báo cáo"), widget=forms.Textarea(attrs={"rows": 3}))
    percent = forms.IntegerField(label=_("Tiến độ (%)"), min_value=0, max_value=99)
    attachment = forms.FileField(label=_("Tệp kèm theo"), required=False)


class ExtensionRequestForm(forms.Form):
    requested_deadline = forms.DateField(
        label=_("Hạn đề nghị"), widget=forms.DateInput(attrs={"type": "date"})
    )
    reason = forms.CharField(label=_("Lý do"), widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionDecisionForm(forms.Form):
    grant = forms.TypedChoiceField(
        label=_("Quyết định"),
        choices=[("yes", _("Đồng ý gia hạn")), ("no", _("Không đồng ý"))],
        coerce=lambda value: value == "yes",
    )
    deadline = forms.DateField(
        label=_("Hạn mới (để trống: theo đề nghị)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    note = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class CompleteForm(forms.Form):
    evidence = forms.CharField(
        label=_("Kết quả thực hiện"), widget=forms.Textarea(attrs={"rows": 3})
    )
    attachment = forms.FileField(label=_("Tệp kết quả"), required=False)


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("Lý do hủy"), widget=forms.Textarea(attrs={"rows": 2}))


class MonthForm(forms.Form):
    month = forms.RegexField(regex=r"^\d{4}-(0[1-9]|1[0-2])$", required=False)

    def year_month(self, today: datetime.date) -> tuple[int, int]:
        if self.is_valid() and self.cleaned_data.get("month"):
            year, month = self.cleaned_data["month"].split("-")
            return int(year), int(month)
        return today.year, today.month
