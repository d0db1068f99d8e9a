"""Forms of the directives pages: the boards' filters, the steps of a task, and the
create-directive page."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib.auth.models import User
from django.contrib.gis.geos import Point
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from directives.dashboard import DashboardFilter
from directives.deadlines import Standing
from directives.models import DirectiveKind, TaskPriority, TaskRecurrence
from directives.selectors import TaskFilter
from directives.services import TaskSpecification
from wards.models import Agency, Area


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


# The create-directive page (`/nhiem-vu/van-ban/moi/`): the directive's facts, then a formset of
# tasks. Choices are checked here (an agency code that is not in the list is refused with the
# field's own message); the rules between fields (a deadline before the directive, the lead
# agency among the coordinators, an end of recurrence before the first deadline) are the
# service's, so the page and the import refuse the same things with the same words.
class SignerChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.get_full_name() or obj.get_username())


class DirectiveForm(forms.Form):
    number = forms.CharField(label=_("Số hiệu"), max_length=100)
    issued_on = forms.DateField(
        label=_("Ngày ban hành"), widget=forms.DateInput(attrs={"type": "date"})
    )
    kind = forms.ChoiceField(label=_("Loại văn bản"), choices=DirectiveKind.choices)
    signer = SignerChoiceField(
        label=_("Lãnh đạo ký (tài khoản)"),
        queryset=User.objects.none(),
        required=False,
        help_text=_("Người ký quyết định gia hạn và hủy nhiệm vụ."),
    )
    signer_name = forms.CharField(label=_("Người ký (họ tên, chức vụ)"), max_length=200)
    subject = forms.CharField(label=_("Trích yếu"), max_length=500)
    text = forms.CharField(
        label=_("Nội dung"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    attachment = forms.FileField(label=_("Tệp văn bản"), required=False)

    def __init__(self, *args: Any, signers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        signer_field = self.fields["signer"]
        assert isinstance(signer_field, forms.ModelChoiceField)
        signer_field.queryset = signers


class TaskForm(forms.Form):
    lead_agency = forms.ModelChoiceField(
        label=_("Đơn vị chủ trì"), queryset=Agency.objects.none(), to_field_name="code"
    )
    coordinating_agencies = forms.ModelMultipleChoiceField(
        label=_("Đơn vị phối hợp"),
        queryset=Agency.objects.none(),
        to_field_name="code",
        required=False,
    )
    content = forms.CharField(
        label=_("Nội dung nhiệm vụ"), widget=forms.Textarea(attrs={"rows": 3})
    )
    field = forms.CharField(label=_("Lĩnh vực"), max_length=100, required=False)
    deadline = forms.DateField(
        label=_("Hạn hoàn thành (ngày)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    deadline_working_days = forms.IntegerField(
        label=_("hoặc số ngày làm việc kể từ ngày văn bản"),
        required=False,
        min_value=1,
        max_value=1000,
    )
    # Its initial value is what the select shows first, so an untouched extra row is unchanged.
    priority = forms.ChoiceField(
        label=_("Mức độ"), choices=TaskPriority.choices, initial=TaskPriority.NORMAL
    )
    recurrence = forms.ChoiceField(
        label=_("Định kỳ"), choices=TaskRecurrence.choices, required=False
    )
    recurs_until = forms.DateField(
        label=_("Định kỳ đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    area = forms.ModelChoiceField(
        label=_("Địa bàn (xã, phường)"), queryset=Area.objects.none(), required=False
    )
    latitude = forms.FloatField(label=_("Vĩ độ"), required=False, min_value=-90, max_value=90)
    longitude = forms.FloatField(label=_("Kinh độ"), required=False, min_value=-180, max_value=180)

    def __init__(
        self, *args: Any, agencies: QuerySet[Agency], areas: QuerySet[Area], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        for name in ("lead_agency", "coordinating_agencies"):
            agency_field = self.fields[name]
            assert isinstance(agency_field, forms.ModelChoiceField)
            agency_field.queryset = agencies
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = areas

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        latitude, longitude = cleaned.get("latitude"), cleaned.get("longitude")
        if (latitude is None) != (longitude is None):
            raise forms.ValidationError(
                _("Nhập cả vĩ độ và kinh độ của vị trí, hoặc bỏ trống cả hai.")
            )
        return cleaned

    def specification(self) -> TaskSpecification:
        data = self.cleaned_data
        place = None
        if data.get("latitude") is not None and data.get("longitude") is not None:
            place = Point(data["longitude"], data["latitude"], srid=4326)
        return TaskSpecification(
            lead_agency_code=data["lead_agency"].code,
            coordinating_agency_codes=tuple(
                agency.code for agency in data.get("coordinating_agencies") or ()
            ),
            content=data["content"],
            field=data.get("field") or "",
            deadline=data.get("deadline"),
            deadline_working_days=data.get("deadline_working_days"),
            priority=data["priority"],
            recurrence=data.get("recurrence") or "",
            recurs_until=data.get("recurs_until"),
            place=place,
            area=data.get("area"),
        )


if TYPE_CHECKING:
    # Django's BaseFormSet is generic in its stubs only, not at run time.
    TaskFormSetBase = forms.BaseFormSet[TaskForm]
else:
    TaskFormSetBase = forms.BaseFormSet


class BaseTaskFormSet(TaskFormSetBase):
    def clean(self) -> None:
        super().clean()
        if any(self.errors):
            return
        filled = [form for form in self.forms if form.has_changed()]
        if not filled:
            raise forms.ValidationError(_("Văn bản chỉ đạo phải giao ít nhất một nhiệm vụ."))


TaskFormSet = forms.formset_factory(TaskForm, formset=BaseTaskFormSet, extra=3, max_num=30)


class DashboardFilterForm(forms.Form):
    """The task map's filters: the period of the deadlines (the current year by default) and an
    area (the province or a commune valid today)."""

    period_start = forms.DateField(
        label=_("Hạn từ ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    period_end = forms.DateField(
        label=_("Hạn đến ngày"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    area = forms.ModelChoiceField(label=_("Địa bàn"), queryset=Area.objects.none(), required=False)

    def __init__(self, *args: Any, areas: QuerySet[Area], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        area_field = self.fields["area"]
        assert isinstance(area_field, forms.ModelChoiceField)
        area_field.queryset = areas

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("period_start"), cleaned.get("period_end")
        if start and end and end < start:
            raise forms.ValidationError(_("“Hạn đến ngày” phải sau “Hạn từ ngày”."))
        return cleaned

    def dashboard_filter(self, today: datetime.date) -> DashboardFilter:
        """The filter asked for (the current year when nothing is); call after `is_valid()`."""
        data = self.cleaned_data if self.is_bound else {}
        area = data.get("area")
        return DashboardFilter(
            period_start=data.get("period_start") or datetime.date(today.year, 1, 1),
            period_end=data.get("period_end") or datetime.date(today.year, 12, 31),
            area_id=area.pk if area else None,
        )
