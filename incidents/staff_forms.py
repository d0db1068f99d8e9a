"""Forms of the officials' pages: they parse and label what the pages send, nothing more.

Whether an action is allowed, and whether a text is present and short enough, is the services'
decision (their messages are the ones the officer reads), so text fields here are optional and
only typed; the browser's `required` attribute is a convenience, not the rule.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.models import User
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from geoapp.exceptions import InvalidInput
from incidents.forms import choice_field, model_choice_field
from incidents.models import IncidentPhoto, IncidentPriority, IncidentStatus, RejectionReason
from incidents.queue_keyset import Cursor, cursor_parse, sort_normalize
from incidents.staff_queue_selectors import (
    SORT_DEADLINE,
    SORT_NEWEST,
    SORT_OLDEST,
    SORT_OVERDUE,
    STATUS_ALL,
    STATUS_OPEN,
    QueueChoices,
    QueueFilters,
)
from wards.models import Agency

TEXT_ROWS = 3


def _text(label: Any, *, required_in_browser: bool = False, help_text: Any = "") -> forms.Field:
    attributes: dict[str, int | str] = {"rows": TEXT_ROWS}
    if required_in_browser:
        attributes["required"] = "required"
    return forms.CharField(
        label=label,
        required=False,
        strip=False,
        widget=forms.Textarea(attrs=attributes),
        help_text=help_text,
    )


# The queue


class QueueFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    category = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    area = forms.ChoiceField(label=_("Địa bàn"), required=False)
    agency = forms.ChoiceField(label=_("Đơn vị"), required=False)
    reported_from = forms.DateField(
        label=_("Phản ánh từ ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    reported_to = forms.DateField(
        label=_("đến ngày"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    assigned_to_me = forms.BooleanField(label=_("Được giao cho tôi"), required=False)
    overdue = forms.BooleanField(label=_("Chỉ phản ánh quá hạn"), required=False)
    sort = forms.ChoiceField(
        label=_("Sắp xếp"),
        required=False,
        choices=[
            (SORT_DEADLINE, _("Hạn xử lý gần nhất trước")),
            (SORT_NEWEST, _("Mới nhất trước")),
            (SORT_OLDEST, _("Cũ nhất trước")),
            (SORT_OVERDUE, _("Chỉ quá hạn, quá hạn lâu nhất trước")),
        ],
    )
    # The position after (or before) which the page starts: handed out by the page's own links.
    cursor = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, data: Any, *, choices: QueueChoices) -> None:
        if data.get("sort") and sort_normalize(data.get("sort")) != data.get("sort"):
            # "urgency" (the API's name, issue 10) is the page's "deadline".
            data = data.copy()
            data["sort"] = sort_normalize(data.get("sort"))
        super().__init__(data)
        choice_field(self, "status").choices = [
            (STATUS_OPEN, _("Đang mở")),
            (STATUS_ALL, _("Tất cả")),
            *IncidentStatus.choices,
        ]
        everything = [("", _("Tất cả"))]
        choice_field(self, "category").choices = everything + [
            (choice.value, choice.label) for choice in choices.categories
        ]
        choice_field(self, "area").choices = everything + [
            (choice.value, choice.label) for choice in choices.areas
        ]
        choice_field(self, "agency").choices = everything + [
            (choice.value, choice.label) for choice in choices.agencies
        ]
        self.show_agency = len(choices.agencies) > 1

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Form.clean gives back cleaned_data, which is set by the time it runs.
        assert cleaned is not None
        start, end = cleaned.get("reported_from"), cleaned.get("reported_to")
        if start and end and end < start:
            self.add_error("reported_to", _("Ngày kết thúc phải sau ngày bắt đầu."))
        return cleaned

    def clean_cursor(self) -> Cursor | None:
        text = self.cleaned_data.get("cursor") or ""
        if not text:
            return None
        try:
            return cursor_parse(text, sort=sort_normalize(self.data.get("sort")))
        except InvalidInput as error:
            raise forms.ValidationError(str(error.message), code=error.code) from None

    def page_cursor(self) -> Cursor | None:
        """The valid cursor asked for; none (the first page) when it is absent or invalid."""
        self.is_valid()
        cursor = self.cleaned_data.get("cursor")
        return cursor if isinstance(cursor, Cursor) else None

    def filters(self) -> QueueFilters:
        """The valid part of what was asked; an invalid field is shown with its error and
        ignored, so the queue still shows something useful."""
        self.is_valid()
        values = self.cleaned_data
        return QueueFilters(
            status=values.get("status") or STATUS_OPEN,
            category=values.get("category") or None,
            area_id=int(values["area"]) if values.get("area") else None,
            agency_id=int(values["agency"]) if values.get("agency") else None,
            reported_from=values.get("reported_from"),
            reported_to=values.get("reported_to") if "reported_to" not in self.errors else None,
            assigned_to_me=bool(values.get("assigned_to_me")),
            overdue=bool(values.get("overdue")),
            sort=values.get("sort") or SORT_DEADLINE,
        )


# The report's actions


class NoteForm(forms.Form):
    note = _text(_("Ghi chú (không bắt buộc)"))


class AssignForm(forms.Form):
    assignee: forms.ModelChoiceField[User] = forms.ModelChoiceField(
        label=_("Giao cho cán bộ"),
        queryset=None,
        empty_label=_("Chọn cán bộ"),
        error_messages={"invalid_choice": _("Cán bộ đã chọn không thuộc đơn vị xử lý.")},
    )

    def __init__(self, *args: Any, officers: QuerySet[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "assignee").queryset = officers
        # Django calls this attribute with the row alone; the stubs know only the method form.
        model_choice_field(self, "assignee").label_from_instance = lambda user: (  # type: ignore[method-assign, assignment]
            f"{user.get_full_name()} ({user.get_username()})"
            if user.get_full_name()
            else user.get_username()
        )


class RequestInformationForm(forms.Form):
    question = _text(
        _("Nội dung cần người phản ánh bổ sung"),
        required_in_browser=True,
        help_text=_("Người phản ánh sẽ đọc được nội dung này."),
    )


class TransferForm(forms.Form):
    to_agency: forms.ModelChoiceField[Agency] = forms.ModelChoiceField(
        label=_("Chuyển đến đơn vị"),
        queryset=None,
        empty_label=_("Chọn đơn vị"),
        error_messages={"invalid_choice": _("Đơn vị đã chọn không nhận được phản ánh.")},
    )
    reason = _text(_("Lý do chuyển"), required_in_browser=True)

    def __init__(self, *args: Any, agencies: QuerySet[Agency], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "to_agency").queryset = agencies


class AnswerForm(forms.Form):
    answer = _text(
        _("Nội dung trả lời"),
        required_in_browser=True,
        help_text=_("Câu trả lời được công khai cho người phản ánh và trên trang tra cứu."),
    )


class ResolveForm(forms.Form):
    answer = _text(
        _("Kết quả xử lý"),
        help_text=_("Để trống để giữ câu trả lời đã gửi."),
    )
    evidence_photo = forms.FileField(
        label=_("Ảnh kết quả (không bắt buộc)"),
        required=False,
        widget=forms.ClearableFileInput(
            attrs={"accept": "image/jpeg,image/png,image/webp,image/heic,image/heif"}
        ),
    )


class RejectForm(forms.Form):
    reason = forms.ChoiceField(label=_("Lý do từ chối"), choices=RejectionReason.choices)
    note = _text(_("Giải thích cho người phản ánh (không bắt buộc)"))


class MarkDuplicateForm(forms.Form):
    original = forms.CharField(label=_("Mã phản ánh gốc"), max_length=40, required=False)
    note = _text(_("Ghi chú (không bắt buộc)"))


class PriorityForm(forms.Form):
    priority = forms.ChoiceField(label=_("Mức độ mới"), choices=IncidentPriority.choices)
    note = _text(_("Ghi chú (không bắt buộc)"))


class InternalNoteForm(forms.Form):
    note = _text(_("Ghi chú nội bộ"), required_in_browser=True)


def _moderation_reason(label: Any) -> forms.Field:
    return _text(
        label, required_in_browser=True, help_text=_("Người phản ánh được thông báo lý do.")
    )


def _photo_choice(label: Any) -> forms.ModelChoiceField[IncidentPhoto]:
    return forms.ModelChoiceField(
        label=label,
        queryset=None,
        empty_label=_("Chọn ảnh"),
        error_messages={"invalid_choice": _("Ảnh đã chọn không thuộc phản ánh này.")},
    )


class ModerationForm(forms.Form):
    reason = _moderation_reason(_("Lý do ẩn"))


class UnhideForm(forms.Form):
    reason = _moderation_reason(_("Lý do hiện lại"))


class PhotoModerationForm(ModerationForm):
    photo = _photo_choice(_("Ảnh cần ẩn"))

    field_order = ["photo", "reason"]

    def __init__(self, *args: Any, photos: QuerySet[IncidentPhoto], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        model_choice_field(self, "photo").queryset = photos
        # Django calls this attribute with the row alone; the stubs know only the method form.
        model_choice_field(self, "photo").label_from_instance = _photo_label  # type: ignore[method-assign, assignment]


class PhotoUnhideForm(PhotoModerationForm):
    """The photos offered are the hidden ones (the view passes them)."""

    photo = _photo_choice(_("Ảnh cần hiện lại"))
    reason = _moderation_reason(_("Lý do hiện lại"))


def _photo_label(photo: IncidentPhoto) -> str:
    label = _("%(kind)s số %(number)s") % {"kind": photo.get_kind_display(), "number": photo.pk}
    if photo.is_hidden:
        return _("%(photo)s (đã ẩn)") % {"photo": label}
    return label
