"""Pages of data entry and review: a commune officer's form (/chi-tieu/nhap-so-lieu/), the
reviewer's list with outlier flags (/chi-tieu/duyet/) and the XLSX template
(/chi-tieu/mau-nhap.xlsx).

Thin: each parses the request, calls one service or selector and renders; domain errors are
shown on the page in the user's language and change nothing.
"""

from __future__ import annotations

import datetime

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from geoapp.clock import vietnam_today
from geoapp.exceptions import DomainError, InvalidInput
from indicators.models import Indicator, IndicatorValue
from indicators.periods import Period, PeriodType, period_of, period_parse
from indicators.selectors.entry import (
    entry_rows,
    review_groups,
    submitted_value_ids,
    template_rows,
    values_for_review,
)
from indicators.selectors.permissions import areas_entered_by
from indicators.services.entry import EntryInput, EntryRejected, values_enter
from indicators.services.values import value_review, values_review_batch
from indicators.workbooks import entry_template_xlsx

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _user(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


def _default_period() -> Period:
    """Last year: most of the catalogue is yearly, and a form is filled after the period ends."""
    new_year = vietnam_today().replace(month=1, day=1)
    return period_of(PeriodType.YEAR, new_year - datetime.timedelta(days=1))


@login_required
def entry_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    areas = areas_entered_by(user=user)
    if not areas:
        return render(
            request, "indicators/entry.html",
            {"no_areas": True, "areas": [], "rows": []}, status=403,
        )  # fmt: skip
    source = request.POST if request.method == "POST" else request.GET
    error, errors, status = None, {}, 200
    area = next((a for a in areas if str(a.pk) == source.get("area")), areas[0])
    try:
        period = period_parse(source["period"]) if source.get("period") else _default_period()
        period_text = period.text
    except InvalidInput as invalid:
        period, error, status = _default_period(), invalid.message, 400
        period_text = source.get("period", "")
    rows = entry_rows(area=area, period=period)
    if request.method == "POST" and error is None:
        entries = [
            EntryInput(
                indicator=row.indicator,
                value=request.POST.get(f"value-{row.indicator.code}", "").strip(),
                numerator=request.POST.get(f"numerator-{row.indicator.code}", "").strip(),
                denominator=request.POST.get(f"denominator-{row.indicator.code}", "").strip(),
                comment=request.POST.get(f"comment-{row.indicator.code}", "").strip(),
            )
            for row in rows
            if row.editable
        ]
        submit = request.POST.get("action") == "submit"
        try:
            saved = values_enter(
                actor=user, area=area, period=period, entries=entries, submit=submit
            )
        except EntryRejected as rejected:
            errors, status = rejected.errors, 400
            error = _("Chưa lưu gì: hãy sửa các ô báo lỗi rồi lưu lại.")
        except DomainError as problem:
            error, status = problem.message, 400
        else:
            text = (
                _("Đã gửi duyệt %(count)d số liệu.")
                if submit
                else _("Đã lưu nháp %(count)d số liệu.")
            )
            messages.success(request, text % {"count": len(saved)})
            return redirect(f"{request.path}?area={area.pk}&period={period.text}")
    english = (get_language() or "vi").startswith("en")
    return render(
        request,
        "indicators/entry.html",
        {
            "areas": areas,
            "area": area,
            "period": period_text,
            "rows": [
                {
                    "row": row,
                    "name": row.indicator.name_en if english else row.indicator.name_vi,
                    "error": errors.get(row.indicator.code),
                    "posted": {
                        field: request.POST.get(f"{field}-{row.indicator.code}", "")
                        for field in ("value", "numerator", "denominator", "comment")
                    }
                    if request.method == "POST"
                    else None,
                }
                for row in rows
            ],
            "error": error,
        },
        status=status,
    )


@login_required
def review_page(request: HttpRequest) -> HttpResponse:
    user = _user(request)
    status = 200
    if request.method == "POST":
        approve = request.POST.get("decision") == "approve"
        note = request.POST.get("note", "").strip()
        batch = request.POST.get("batch", "")
        try:
            if batch == "group":  # every submitted value of a commune and period
                ids = submitted_value_ids(
                    area_id=int(request.POST.get("area", "0") or 0),
                    period=request.POST.get("period", ""),
                )
                count = len(
                    values_review_batch(actor=user, value_ids=ids, approve=approve, note=note)
                )
            elif batch == "selected":  # the values ticked in the table
                ids = [int(pk) for pk in request.POST.getlist("values")]
                count = len(
                    values_review_batch(actor=user, value_ids=ids, approve=approve, note=note)
                )
            else:
                value_review(
                    actor=user,
                    value_id=int(request.POST.get("value", "0") or 0),
                    approve=approve,
                    note=note,
                )
                count = 1
        except IndicatorValue.DoesNotExist:
            messages.error(request, _("Không tìm thấy số liệu này."))
            status = 404
        except ValueError:
            messages.error(request, _("Yêu cầu không hợp lệ."))
            status = 400
        except DomainError as problem:
            messages.error(request, problem.message)
            status = 403 if problem.kind == "forbidden" else 400
        else:
            if batch:
                text = (
                    _("Đã duyệt và khóa %(count)d số liệu.")
                    if approve
                    else _("Đã trả lại %(count)d số liệu.")
                )
                messages.success(request, text % {"count": count})
            else:
                messages.success(request, _("Đã duyệt và khóa.") if approve else _("Đã trả lại."))
            return redirect(request.path)
    english = (get_language() or "vi").startswith("en")
    rows = values_for_review(user=user)
    return render(
        request,
        "indicators/review.html",
        {
            "groups": review_groups(rows),
            "rows": [
                {
                    "value": row.value,
                    "name": row.value.indicator.name_en if english else row.value.indicator.name_vi,
                    "flags": row.flags,
                }
                for row in rows
            ],
        },
        status=status,
    )


@login_required
@require_GET
def entry_template(request: HttpRequest) -> HttpResponse:
    indicator = Indicator.objects.filter(code=request.GET.get("indicator", "")).first()
    if indicator is None:
        return HttpResponse(
            _("Không có chỉ tiêu mã “%(code)s”.") % {"code": request.GET.get("indicator", "")},
            status=404, content_type="text/plain; charset=utf-8",
        )  # fmt: skip
    try:
        period = period_parse(request.GET.get("period", ""))
        if period.period_type != indicator.period_type:
            raise InvalidInput(
                _("Chỉ tiêu %(code)s báo cáo theo %(type)s; kỳ “%(period)s” không phù hợp.")
                % {
                    "code": indicator.code,
                    "type": PeriodType(indicator.period_type).label,
                    "period": period.text,
                }
            )
    except InvalidInput as invalid:
        return HttpResponse(invalid.message, status=400, content_type="text/plain; charset=utf-8")
    areas, stored = template_rows(indicator=indicator, period=period)
    body = entry_template_xlsx(indicator=indicator, period=period, areas=areas, stored=stored)
    response = HttpResponse(body, content_type=XLSX_TYPE)
    response["Content-Disposition"] = (
        f'attachment; filename="mau-nhap-{indicator.code}-{period.text}.xlsx"'
    )
    return response
