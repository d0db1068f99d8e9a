"""Values: the checks every value passes, the audit event of every change, and data entry by a
commune officer (draft, submit) with review by the level above (approve and lock, or return)."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from geoapp.exceptions import Conflict, InvalidInput, PermissionDenied
from indicators.models import (
    Indicator,
    IndicatorKind,
    IndicatorTarget,
    IndicatorValue,
    IndicatorValueEvent,
    ValueAction,
    ValueStatus,
)
from indicators.periods import Period, PeriodType, period_before
from indicators.selectors.permissions import user_can_enter_for, user_can_review_for
from indicators.services.validation import active_rules, previous_values, rules_checked
from wards.models import Area, AreaLevel


def value_checked(
    *,
    indicator: Indicator,
    value: Decimal | None,
    numerator: Decimal | None,
    denominator: Decimal | None,
) -> Decimal | None:
    """The value to store after the indicator's validation rules, or InvalidInput saying which
    rule failed. A ratio's value is computed from its numerator and denominator when empty."""
    if indicator.kind == IndicatorKind.RATIO:
        if numerator is None or denominator is None:
            raise InvalidInput(_("chỉ tiêu tỷ lệ cần cả tử số và mẫu số."))
        if denominator <= 0:
            raise InvalidInput(_("mẫu số phải lớn hơn 0."))
        if numerator < 0:
            raise InvalidInput(_("tử số không được âm."))
        if numerator > denominator:
            raise InvalidInput(
                _("tử số (%(numerator)s) lớn hơn mẫu số (%(denominator)s).")
                % {"numerator": numerator, "denominator": denominator}
            )
        if value is None:
            value = (numerator / denominator * indicator.factor).quantize(Decimal("0.000001"))
    elif value is None:
        raise InvalidInput(_("thiếu giá trị."))
    if value < 0 and not indicator.allows_negative:
        raise InvalidInput(
            _("giá trị %(value)s âm, nhưng chỉ tiêu %(code)s không được âm.")
            % {"value": value, "code": indicator.code}
        )
    if indicator.minimum is not None and value < indicator.minimum:
        raise InvalidInput(
            _("giá trị %(value)s nhỏ hơn mức tối thiểu %(minimum)s.")
            % {"value": value, "minimum": indicator.minimum}
        )
    if indicator.maximum is not None and value > indicator.maximum:
        raise InvalidInput(
            _("giá trị %(value)s lớn hơn mức tối đa %(maximum)s.")
            % {"value": value, "maximum": indicator.maximum}
        )
    return value


def period_checked(*, indicator: Indicator, period: Period) -> None:
    if period.period_type != indicator.period_type:
        raise InvalidInput(
            _("chỉ tiêu %(code)s báo cáo theo %(type)s; kỳ “%(period)s” không phù hợp.")
            % {
                "code": indicator.code,
                "type": PeriodType(indicator.period_type).label,
                "period": period.text,
            }
        )


def area_for_period(*, candidates: list[Area], code: str, period: Period) -> Area:
    """The area with `code` valid on the period's last day or, if none, on its first day; a
    commune-level one, since aggregation starts from communes."""
    for day in (period.end, period.start):
        for area in candidates:
            if area.is_valid_on(day):
                if area.level != AreaLevel.COMMUNE:
                    raise InvalidInput(
                        _("%(name)s (%(code)s) không phải đơn vị cấp xã; số liệu nhập cho cấp xã.")
                        % {"name": area.name, "code": code}
                    )
                return area
    if candidates:
        raise InvalidInput(
            _("đơn vị mã %(code)s không tồn tại trong kỳ %(period)s.")
            % {"code": code, "period": period.text}
        )
    raise InvalidInput(_("không có đơn vị hành chính mã %(code)s.") % {"code": code})


def value_snapshot(value: IndicatorValue) -> dict[str, Any]:
    """The audited content of a value, as JSON."""

    def text(number: Decimal | None) -> str | None:
        return None if number is None else format(number.normalize(), "f")

    return {
        "value": text(value.value),
        "numerator": text(value.numerator),
        "denominator": text(value.denominator),
        "status": value.status,
        "comment": value.comment,
    }


def value_event(
    *,
    value: IndicatorValue,
    action: ValueAction,
    actor: User | None,
    before: dict[str, Any] | None,
    from_status: str = "",
    note: str = "",
) -> IndicatorValueEvent:
    return IndicatorValueEvent.objects.create(
        value=value,
        action=action,
        actor=actor,
        from_status=from_status,
        to_status=value.status,
        before=before,
        after=value_snapshot(value),
        note=note,
    )


@transaction.atomic
def value_save_draft(
    *,
    actor: User,
    indicator: Indicator,
    area: Area,
    period: Period,
    value: Decimal | None,
    numerator: Decimal | None = None,
    denominator: Decimal | None = None,
    comment: str = "",
) -> IndicatorValue:
    """A commune officer enters (or corrects) their commune's value for a period, as a draft.

    The row is locked (select_for_update) so that a reviewer approving at the same moment either
    sees the new figures or makes this call fail as locked, never approves half of a change.
    """
    if not user_can_enter_for(user=actor, area=area):
        raise PermissionDenied(_("Bạn chỉ được nhập số liệu cho xã, phường của đơn vị mình."))
    if indicator.computed_from or indicator.kind == IndicatorKind.FORMULA:
        raise InvalidInput(
            _("Chỉ tiêu %(code)s được tính tự động; không nhập tay.") % {"code": indicator.code}
        )
    period_checked(indicator=indicator, period=period)
    if not (area.is_valid_on(period.end) or area.is_valid_on(period.start)):
        raise InvalidInput(
            _("%(name)s không tồn tại trong kỳ %(period)s.")
            % {"name": area.name, "period": period.text}
        )
    checked = value_checked(
        indicator=indicator, value=value, numerator=numerator, denominator=denominator
    )
    rules = active_rules(indicator_ids=[indicator.pk]).get(indicator.pk, [])
    if rules:
        previous_key = (indicator.pk, area.pk, period_before(period).text)
        rules_checked(
            rules=rules, value=checked, numerator=numerator, denominator=denominator,
            previous=previous_values(keys=[previous_key]).get(previous_key),
        )  # fmt: skip
    stored = (
        IndicatorValue.objects.select_for_update()
        .filter(indicator=indicator, area=area, period=period.text)
        .first()
    )
    if stored is not None and stored.status == ValueStatus.APPROVED:
        raise Conflict(
            _("Số liệu kỳ %(period)s đã được duyệt và khóa; không sửa được.")
            % {"period": period.text}
        )
    before = value_snapshot(stored) if stored is not None else None
    from_status = stored.status if stored is not None else ""
    record = stored or IndicatorValue(
        indicator=indicator,
        area=area,
        period=period.text,
        period_start=period.start,
        period_end=period.end,
    )
    record.value, record.numerator, record.denominator = checked, numerator, denominator
    record.comment = comment
    record.status = ValueStatus.DRAFT
    record.updated_by = actor
    record.save()
    value_event(
        value=record,
        action=ValueAction.ENTERED,
        actor=actor,
        before=before,
        from_status=from_status,
    )
    return record


def _value_locked(*, value_id: int) -> IndicatorValue:
    return (
        IndicatorValue.objects.select_for_update()
        .select_related("area", "indicator")
        .get(pk=value_id)
    )


@transaction.atomic
def value_submit(*, actor: User, value_id: int) -> IndicatorValue:
    """The commune officer sends a draft to the level above for review."""
    value = _value_locked(value_id=value_id)
    if not user_can_enter_for(user=actor, area=value.area):
        raise PermissionDenied(_("Bạn chỉ được gửi số liệu của xã, phường của đơn vị mình."))
    if value.status != ValueStatus.DRAFT:
        raise Conflict(_("Chỉ gửi duyệt được số liệu đang ở trạng thái nháp."))
    before = value_snapshot(value)
    value.status = ValueStatus.SUBMITTED
    value.save(update_fields=["status", "updated_at"])
    value_event(
        value=value, action=ValueAction.SUBMITTED, actor=actor, before=before,
        from_status=ValueStatus.DRAFT,
    )  # fmt: skip
    return value


@transaction.atomic
def value_review(*, actor: User, value_id: int, approve: bool, note: str = "") -> IndicatorValue:
    """The level above approves (and so locks) a submitted value, or returns it as a draft with
    a note saying why."""
    value = _value_locked(value_id=value_id)
    if not user_can_review_for(user=actor, area=value.area):
        raise PermissionDenied(_("Chỉ cấp trên của đơn vị mới duyệt được số liệu này."))
    if value.status != ValueStatus.SUBMITTED:
        raise Conflict(_("Chỉ duyệt được số liệu đã gửi duyệt."))
    if not approve and not note.strip():
        raise InvalidInput(_("Hãy ghi lý do trả lại số liệu."))
    before = value_snapshot(value)
    value.status = ValueStatus.APPROVED if approve else ValueStatus.DRAFT
    value.save(update_fields=["status", "updated_at"])
    value_event(
        value=value,
        action=ValueAction.APPROVED if approve else ValueAction.RETURNED,
        actor=actor,
        before=before,
        from_status=ValueStatus.SUBMITTED,
        note=note,
    )
    return value


@transaction.atomic
def values_review_batch(
    *, actor: User, value_ids: list[int], approve: bool, note: str = ""
) -> list[IndicatorValue]:
    """The level above approves (and locks) or returns several submitted values at once: every
    value of a commune and period, or a list ticked on the review page. All or nothing: one
    value the reviewer may not review, or one no longer submitted, refuses the whole batch with
    a sentence naming it, and nothing changes."""
    wanted = sorted(set(value_ids))
    if not wanted:
        raise InvalidInput(_("Chưa chọn số liệu nào để duyệt."))
    if not approve and not note.strip():
        raise InvalidInput(_("Hãy ghi lý do trả lại số liệu."))
    values = list(
        IndicatorValue.objects.select_for_update()
        .select_related("area", "indicator")
        .filter(pk__in=wanted)
        .order_by("pk")
    )
    if len(values) != len(wanted):
        raise InvalidInput(_("Có số liệu được chọn không còn tồn tại; hãy tải lại trang."))
    allowed: dict[int, bool] = {}
    for value in values:
        if value.area_id not in allowed:
            allowed[value.area_id] = user_can_review_for(user=actor, area=value.area)
        if not allowed[value.area_id]:
            raise PermissionDenied(
                _("Chỉ cấp trên của %(area)s mới duyệt được số liệu của đơn vị này.")
                % {"area": value.area.name}
            )
        if value.status != ValueStatus.SUBMITTED:
            raise Conflict(
                _("Số liệu %(indicator)s của %(area)s kỳ %(period)s không ở trạng thái đã gửi "
                  "duyệt; chưa duyệt số liệu nào.")
                % {"indicator": value.indicator.code, "area": value.area.name,
                   "period": value.period}
            )  # fmt: skip
    for value in values:
        before = value_snapshot(value)
        value.status = ValueStatus.APPROVED if approve else ValueStatus.DRAFT
        value.save(update_fields=["status", "updated_at"])
        value_event(
            value=value,
            action=ValueAction.APPROVED if approve else ValueAction.RETURNED,
            actor=actor,
            before=before,
            from_status=ValueStatus.SUBMITTED,
            note=note,
        )
    return values


def target_set(
    *, indicator: Indicator, area: Area, period: Period, value: Decimal
) -> IndicatorTarget:
    """Set (create or replace) the target of an indicator for an area and period."""
    target, _created = IndicatorTarget.objects.update_or_create(
        indicator=indicator, area=area, period=period.text, defaults={"value": value}
    )
    return target


def today_period(indicator: Indicator, today: datetime.date) -> str:
    """The period a data-entry form opens on: the one before today's (the one being reported)."""
    from indicators.periods import period_of

    current = period_of(indicator.period_type, today)
    return period_of(indicator.period_type, current.start - datetime.timedelta(days=1)).text
