"""Checking a report's answers to its category's extra questions (Open311 attributes).

Answers are stored as JSON on the report, keyed by the question's code: text as a string, a number
as a number, a datetime as ISO 8601 with its offset, a single choice as the choice's key and a
multiple choice as a list of keys.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from datetime import datetime

from django.utils.translation import gettext as _

from geoapp.clock import VIETNAM_TIME_ZONE
from geoapp.exceptions import InvalidInput
from incidents.models import AttributeDatatype, CategoryAttribute

STRING_MAX_LENGTH = 255
TEXT_MAX_LENGTH = 4000

Answer = str | int | float | list[str]


def attribute_answers_clean(
    *, questions: Iterable[CategoryAttribute], answers: Mapping[str, object] | None
) -> dict[str, Answer]:
    """The answers in their stored form; raises InvalidInput naming the first wrong answer."""
    answers = dict(answers or {})
    by_code = {question.code: question for question in questions}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise InvalidInput(
            _("Câu hỏi không thuộc lĩnh vực này: %(codes)s.") % {"codes": ", ".join(unknown)},
            code="unknown_attribute",
        )
    cleaned: dict[str, Answer] = {}
    for code, question in by_code.items():
        value = answers.get(code)
        if _is_blank(value):
            if question.required:
                raise InvalidInput(
                    _("Vui lòng trả lời câu hỏi “%(question)s”.")
                    % {"question": question.description},
                    code="missing_attribute",
                )
            continue
        cleaned[code] = _clean_one(question, value)
    return cleaned


def _is_blank(value: object) -> bool:
    if value is None:
        return True
    if isinstance(value, str):
        return not value.strip()
    if isinstance(value, list | tuple):
        return all(_is_blank(item) for item in value)
    return False


def _wrong(question: CategoryAttribute, explanation: str) -> InvalidInput:
    return InvalidInput(
        _("Câu trả lời cho “%(question)s” không hợp lệ: %(explanation)s")
        % {"question": question.description, "explanation": explanation},
        code="invalid_attribute",
    )


def _clean_one(question: CategoryAttribute, value: object) -> Answer:
    datatype = question.datatype
    if datatype in (AttributeDatatype.STRING, AttributeDatatype.TEXT):
        if not isinstance(value, str | int | float) or isinstance(value, bool):
            raise _wrong(question, _("cần một đoạn chữ."))
        text = str(value).replace("\x00", "").strip()
        limit = STRING_MAX_LENGTH if datatype == AttributeDatatype.STRING else TEXT_MAX_LENGTH
        if len(text) > limit:
            raise _wrong(question, _("dài tối đa %(limit)d ký tự.") % {"limit": limit})
        return text
    if datatype == AttributeDatatype.NUMBER:
        return _number(question, value)
    if datatype == AttributeDatatype.DATETIME:
        return _moment(question, value)
    keys = question.value_keys()
    if datatype == AttributeDatatype.SINGLE_VALUE_LIST:
        if isinstance(value, list | tuple):
            if len(value) != 1:
                raise _wrong(question, _("chỉ được chọn một giá trị."))
            value = value[0]
        return _choice(question, value, keys)
    if datatype == AttributeDatatype.MULTI_VALUE_LIST:
        items = value if isinstance(value, list | tuple) else [value]
        chosen: list[str] = []
        for item in items:
            if _is_blank(item):
                continue
            key = _choice(question, item, keys)
            if key not in chosen:
                chosen.append(key)
        return chosen
    raise _wrong(question, _("kiểu dữ liệu không được hỗ trợ."))  # pragma: no cover


def _number(question: CategoryAttribute, value: object) -> int | float:
    if isinstance(value, bool):
        raise _wrong(question, _("cần một số."))
    try:
        number = float(str(value).strip().replace(",", "."))
    except ValueError:
        raise _wrong(question, _("cần một số.")) from None
    if not math.isfinite(number):
        raise _wrong(question, _("cần một số hữu hạn."))
    return int(number) if number.is_integer() and abs(number) < 2**53 else number


def _moment(question: CategoryAttribute, value: object) -> str:
    try:
        moment = datetime.fromisoformat(str(value).strip())
    except ValueError:
        raise _wrong(question, _("cần ngày giờ dạng 2025-07-01T08:30:00+07:00.")) from None
    if moment.tzinfo is None:
        # Without an offset, a citizen means the time on the clocks around them.
        moment = moment.replace(tzinfo=VIETNAM_TIME_ZONE)
    return moment.isoformat()


def _choice(question: CategoryAttribute, value: object, keys: list[str]) -> str:
    key = str(value).strip()
    if key not in keys:
        raise _wrong(
            question,
            _("“%(value)s” không nằm trong các lựa chọn (%(keys)s).")
            % {"value": key, "keys": ", ".join(keys)},
        )
    return key
