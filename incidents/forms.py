"""The citizens' forms: filing a report (plain HTML POST, enhanced by report_form.js), rating,
reopening, answering a request for information, and looking a report up by its code.

The forms check what a browser sends (presence, length, the shape of the fields); the rules of
the domain (the point inside the territory, the answers to a category's questions, what a photo
really is) stay in `incidents.services`, whose errors `add_domain_error` places beside the field
they concern.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.conf import settings
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from geoapp.coordinates import parse_point
from geoapp.exceptions import DomainError, InvalidInput
from incidents.models import (
    DESCRIPTION_MAX_LENGTH,
    AttributeDatatype,
    Category,
    CategoryAttribute,
)

ADDRESS_MAX_LENGTH = 500
NAME_MAX_LENGTH = 200
PHONE_MAX_LENGTH = 30
STRING_ANSWER_MAX_LENGTH = 255
TEXT_ANSWER_MAX_LENGTH = 4000
REASON_MAX_LENGTH = 4000
RATING_COMMENT_MAX_LENGTH = 2000

# Which field a service's refusal concerns, by its error code; the others go above the form.
_FIELD_OF_ERROR_CODE = {
    "missing_coordinate": "lat",
    "invalid_coordinate": "lat",
    "swapped_coordinates": "lat",
    "coordinate_out_of_range": "lat",
    "outside_territory": "lat",
    "no_responsible_agency": "lat",
    "unknown_category": "category",
    "not_an_image": "photos",
    "photo_too_large": "photos",
    "photo_too_many_pixels": "photos",
    "empty_file": "photos",
    "too_many_photos": "photos",
    "invalid_phone": "reporter_phone",
    "invalid_email": "reporter_email",
}


def choice_field(form: forms.Form, name: str) -> forms.ChoiceField:
    """The form's own copy of its declared choice field `name`, whose choices the page sets."""
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    return field


def model_choice_field(form: forms.Form, name: str) -> forms.ModelChoiceField[Any]:
    """The form's own copy of its declared model choice field `name`, whose rows the page sets."""
    field = form.fields[name]
    assert isinstance(field, forms.ModelChoiceField)
    return field


def in_english() -> bool:
    return (get_language() or "vi").startswith("en")


def category_label(category: Category) -> str:
    return category.name_en if in_english() and category.name_en else category.name


def category_description(category: Category) -> str:
    if in_english() and category.description_en:
        return category.description_en
    return category.description


def group_label(category: Category) -> str:
    if in_english() and category.group_en:
        return category.group_en
    return category.group or _("Lĩnh vực khác")


def question_label(question: CategoryAttribute) -> str:
    return (
        question.description_en
        if in_english() and question.description_en
        else question.description
    )


def choice_label(choice: dict[str, Any]) -> str:
    name = choice.get("name_en") if in_english() else None
    return str(name or choice.get("name") or choice["key"])


def grouped_category_choices(categories: Sequence[Category]) -> list[tuple[str, Any]]:
    """Choices for a <select> with one <optgroup> per category group, in the catalogue's order."""
    groups: dict[str, list[tuple[str, str]]] = {}
    for category in categories:
        groups.setdefault(group_label(category), []).append(
            (category.code, category_label(category))
        )
    return [("", _("— Chọn lĩnh vực —")), *groups.items()]


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


@dataclass(frozen=True)
class QuestionField:
    """One extra question of a category, with the name of its form field."""

    question: CategoryAttribute
    name: str


def question_field_name(category: Category, question: CategoryAttribute) -> str:
    # One field per category and question: without JavaScript every category's questions are on
    # the page at once, and only the chosen category's answers are read.
    return f"attribute-{category.code}-{question.code}"


def _question_form_field(question: CategoryAttribute) -> forms.Field:
    label = question_label(question)
    datatype = question.datatype
    if datatype == AttributeDatatype.TEXT:
        return forms.CharField(
            label=label,
            required=False,
            max_length=TEXT_ANSWER_MAX_LENGTH,
            widget=forms.Textarea(attrs={"rows": 3}),
        )
    if datatype == AttributeDatatype.NUMBER:
        return forms.CharField(
            label=label,
            required=False,
            max_length=40,
            widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        )
    if datatype == AttributeDatatype.DATETIME:
        return forms.CharField(
            label=label,
            required=False,
            max_length=40,
            widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
        )
    if datatype == AttributeDatatype.SINGLE_VALUE_LIST:
        return forms.ChoiceField(
            label=label,
            required=False,
            choices=[("", _("— Chọn —")), *((c["key"], choice_label(c)) for c in question.values)],
        )
    if datatype == AttributeDatatype.MULTI_VALUE_LIST:
        return forms.MultipleChoiceField(
            label=label,
            required=False,
            choices=[(c["key"], choice_label(c)) for c in question.values],
            widget=forms.CheckboxSelectMultiple,
        )
    return forms.CharField(label=label, required=False, max_length=STRING_ANSWER_MAX_LENGTH)


class IncidentReportForm(forms.Form):
    """ "Gửi phản ánh": where, what, the category's questions, photos, and who (or anonymous)."""

    category = forms.ChoiceField(label=gettext_lazy("Lĩnh vực"))
    description = forms.CharField(
        label=gettext_lazy("Nội dung phản ánh"),
        max_length=DESCRIPTION_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 5}),
        error_messages={
            "required": gettext_lazy("Vui lòng mô tả vấn đề bạn gặp."),
            "max_length": gettext_lazy(
                "Nội dung phản ánh dài tối đa %(limit_value)d ký tự (hiện có %(show_value)d)."
            ),
        },
    )
    lat = forms.CharField(label=gettext_lazy("Vĩ độ"), required=False, max_length=40)
    lon = forms.CharField(label=gettext_lazy("Kinh độ"), required=False, max_length=40)
    address = forms.CharField(
        label=gettext_lazy("Địa chỉ hoặc mô tả vị trí"),
        required=False,
        max_length=ADDRESS_MAX_LENGTH,
    )
    photos = MultipleFileField(label=gettext_lazy("Ảnh"), required=False)
    anonymous = forms.BooleanField(label=gettext_lazy("Gửi ẩn danh"), required=False)
    reporter_name = forms.CharField(
        label=gettext_lazy("Họ và tên"), required=False, max_length=NAME_MAX_LENGTH
    )
    reporter_phone = forms.CharField(
        label=gettext_lazy("Số điện thoại"), required=False, max_length=PHONE_MAX_LENGTH
    )
    reporter_email = forms.EmailField(
        label=gettext_lazy("Thư điện tử"),
        required=False,
        error_messages={
            "invalid": gettext_lazy("Địa chỉ thư điện tử không hợp lệ; ví dụ: ten@example.vn.")
        },
    )
    reporter_may_be_contacted = forms.BooleanField(
        label=gettext_lazy("Tôi đồng ý để cơ quan xử lý liên hệ với tôi về phản ánh này"),
        required=False,
    )
    idempotency_key = forms.CharField(required=False, max_length=100, widget=forms.HiddenInput)

    def __init__(self, *args: Any, categories: Sequence[Category], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.categories = list(categories)
        choice_field(self, "category").choices = grouped_category_choices(self.categories)
        self.point: Point | None = None
        self.questions_of_category: dict[str, list[QuestionField]] = {}
        for category in self.categories:
            questions = []
            for question in category.attributes.all():
                if not question.variable:
                    continue
                name = question_field_name(category, question)
                self.fields[name] = _question_form_field(question)
                questions.append(QuestionField(question=question, name=name))
            self.questions_of_category[category.code] = questions

    # Rendering helpers

    def category_sections(self) -> list[dict[str, Any]]:
        """Per category with questions: its code, name and bound fields, for the template."""
        return [
            {
                "code": category.code,
                "name": category_label(category),
                "fields": [
                    {
                        "field": self[entry.name],
                        "required": entry.question.required,
                        "datatype": entry.question.datatype,
                    }
                    for entry in self.questions_of_category[category.code]
                ],
            }
            for category in self.categories
            if self.questions_of_category[category.code]
        ]

    def location_errors(self) -> list[str]:
        return [*self.errors.get("lat", []), *self.errors.get("lon", [])]

    # Validation

    def clean_photos(self) -> list[UploadedFile]:
        photos = self.cleaned_data.get("photos") or []
        limit = settings.INCIDENT_PHOTOS_MAX
        if len(photos) > limit:
            raise forms.ValidationError(
                _("Gửi tối đa %(limit)d ảnh cho một phản ánh.") % {"limit": limit}
            )
        return photos

    def clean_description(self) -> str:
        description = self.cleaned_data["description"].strip()
        if not description:
            raise forms.ValidationError(_("Vui lòng mô tả vấn đề bạn gặp."))
        return description

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        # Form.clean gives back cleaned_data, which is set by the time it runs.
        assert cleaned is not None
        latitude, longitude = cleaned.get("lat", ""), cleaned.get("lon", "")
        if not latitude and not longitude and "lat" not in self.errors:
            self.add_error(
                "lat",
                _("Hãy chạm hoặc nhấp vào bản đồ để đặt ghim vị trí (hoặc nhập vĩ độ và kinh độ)."),
            )
        elif "lat" not in self.errors and "lon" not in self.errors:
            try:
                self.point = parse_point(latitude, longitude)
            except InvalidInput as error:
                self.add_error("lat", error.message)
        code = cleaned.get("category")
        for entry in self.questions_of_category.get(code or "", []):
            if entry.question.required and _is_blank(cleaned.get(entry.name)):
                self.add_error(
                    entry.name,
                    _("Vui lòng trả lời câu hỏi “%(question)s”.")
                    % {"question": question_label(entry.question)},
                )
        if cleaned.get("anonymous"):
            for name in ("reporter_name", "reporter_phone", "reporter_email"):
                cleaned[name] = ""
            cleaned["reporter_may_be_contacted"] = False
        return cleaned

    def attribute_answers(self) -> dict[str, object]:
        """The chosen category's answers, keyed by question code, blanks left out."""
        answers: dict[str, object] = {}
        for entry in self.questions_of_category.get(self.cleaned_data["category"], []):
            value = self.cleaned_data.get(entry.name)
            if not _is_blank(value):
                answers[entry.question.code] = value
        return answers

    def service_arguments(self) -> dict[str, Any]:
        """The keyword arguments of `incidents.services.incident_create` this form supplies."""
        data = self.cleaned_data
        return {
            "category_code": data["category"],
            "description": data["description"],
            "point": self.point,
            "address": data["address"],
            "attributes": self.attribute_answers(),
            "reporter_name": data["reporter_name"],
            "reporter_phone": data["reporter_phone"],
            "reporter_email": data["reporter_email"],
            "reporter_may_be_contacted": data["reporter_may_be_contacted"],
            "photos": data["photos"],
            "idempotency_key": data["idempotency_key"],
        }

    def add_domain_error(self, error: DomainError) -> None:
        """A service's refusal, beside the field it concerns (or above the form)."""
        self.add_error(_FIELD_OF_ERROR_CODE.get(error.code), error.message)


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_is_blank(item) for item in value)
    return False


class RatingForm(forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("Mức độ hài lòng"),
        coerce=int,
        choices=[
            (5, gettext_lazy("5 — Rất hài lòng")),
            (4, gettext_lazy("4 — Hài lòng")),
            (3, gettext_lazy("3 — Bình thường")),
            (2, gettext_lazy("2 — Chưa hài lòng")),
            (1, gettext_lazy("1 — Rất không hài lòng")),
        ],
        widget=forms.RadioSelect,
        error_messages={"required": gettext_lazy("Vui lòng chọn mức độ hài lòng từ 1 đến 5.")},
    )
    comment = forms.CharField(
        label=gettext_lazy("Nhận xét (không bắt buộc)"),
        required=False,
        max_length=RATING_COMMENT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReopenForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Lý do mở lại"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={
            "required": gettext_lazy("Vui lòng cho biết vì sao vấn đề chưa được giải quyết.")
        },
    )


class ProvideInformationForm(forms.Form):
    information = forms.CharField(
        label=gettext_lazy("Thông tin bổ sung"),
        max_length=REASON_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": gettext_lazy("Vui lòng nhập thông tin bổ sung.")},
    )


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("Mã tra cứu"),
        max_length=40,
        error_messages={"required": gettext_lazy("Vui lòng nhập mã tra cứu, ví dụ PA-7K3M-Q9XD.")},
    )
