"""Common commune-level procedures (about twenty) used by the demo data and the tests.

Codes and time limits follow the national catalogue (Cổng dịch vụ công quốc gia); limits in
working days unless stated; `cutoff` is the last hour at which a receipt counts from that day.
"""

from __future__ import annotations

import datetime
from typing import Any

_PROCEDURES: list[tuple[str, str, str, str, str, str, str | None, str | None]] = [
    # code, name (vi), name (en), field, level, limit, unit, cutoff
    ("2.000815", "Chứng thực bản sao từ bản chính", "Certification of copies", "Chứng thực", "commune", "4", "working_hours", "15:00"),
    ("2.000884", "Chứng thực chữ ký", "Certification of signatures", "Chứng thực", "commune", "4", "working_hours", "15:00"),
    ("1.001193", "Đăng ký khai sinh", "Birth registration", "Hộ tịch", "commune", "1", "working_days", None),
    ("1.000894", "Đăng ký kết hôn", "Marriage registration", "Hộ tịch", "commune", "5", "working_days", None),
    ("1.000656", "Đăng ký khai tử", "Death registration", "Hộ tịch", "commune", "1", "working_days", None),
    ("1.004873", "Cấp bản sao trích lục hộ tịch", "Copies of civil status extracts", "Hộ tịch", "commune", "1", "working_days", None),
    ("1.001022", "Xác nhận tình trạng hôn nhân", "Certification of marital status", "Hộ tịch", "commune", "3", "working_days", None),
    ("1.001612", "Đăng ký biến động quyền sử dụng đất", "Registration of land-use changes", "Đất đai", "commune", "10", "working_days", None),
    ("1.004227", "Cấp giấy chứng nhận quyền sử dụng đất lần đầu", "First land-use certificate", "Đất đai", "commune", "20", "working_days", None),
    ("1.003003", "Tách thửa, hợp thửa đất", "Splitting or merging land plots", "Đất đai", "commune", "15", "working_days", None),
    ("1.009972", "Cấp giấy phép xây dựng nhà ở riêng lẻ", "Building permit for a house", "Xây dựng", "commune", "15", "working_days", None),
    ("1.009974", "Điều chỉnh giấy phép xây dựng", "Amendment of a building permit", "Xây dựng", "commune", "10", "working_days", None),
    ("2.000720", "Đăng ký hộ kinh doanh", "Household business registration", "Đăng ký kinh doanh", "commune", "3", "working_days", None),
    ("2.000575", "Thay đổi nội dung đăng ký hộ kinh doanh", "Changes to a household business", "Đăng ký kinh doanh", "commune", "3", "working_days", None),
    ("1.003583", "Xác nhận hộ gia đình làm nông nghiệp", "Certification of a farming household", "Nông nghiệp", "commune", "5", "working_days", None),
    ("1.001758", "Hỗ trợ chi phí mai táng", "Funeral cost assistance", "Bảo trợ xã hội", "commune", "3", "working_days", None),
    ("1.001776", "Trợ cấp xã hội hằng tháng", "Monthly social allowance", "Bảo trợ xã hội", "commune", "10", "working_days", None),
    ("1.000775", "Đăng ký thường trú", "Permanent residence registration", "Cư trú", "commune", "7", "working_days", None),
    ("2.001157", "Cấp giấy phép kinh doanh karaoke", "Karaoke business licence", "Văn hóa", "district", "5", "working_days", None),
    ("1.004082", "Công nhận gia đình văn hóa", "Recognition of a cultured family", "Văn hóa", "commune", "5", "calendar_days", None),
]  # fmt: skip

STANDARD_STEPS = [
    {"step": "receive", "name": "Tiếp nhận", "budget_share": 0.1},
    {"step": "process", "name": "Xử lý tại đơn vị", "budget_share": 0.6},
    {"step": "approve", "name": "Phê duyệt", "budget_share": 0.2},
    {"step": "return", "name": "Trả kết quả", "budget_share": 0.1},
]


def catalogue_rows() -> list[dict[str, Any]]:
    """The catalogue as keyword arguments of `services.procedure_create`."""
    rows = []
    for code, name, name_en, field, level, limit, unit, cutoff in _PROCEDURES:
        rows.append(
            {
                "code": code,
                "name": name,
                "name_en": name_en,
                "field": field,
                "level": level,
                "time_limit_value": limit,
                "time_limit_unit": unit,
                "cutoff_time": datetime.time.fromisoformat(cutoff) if cutoff else None,
                "online_level": "full" if field in ("Hộ tịch", "Chứng thực") else "partial",
                "steps": STANDARD_STEPS,
                "valid_from": datetime.date(2021, 1, 1),
            }
        )
    return rows
