"""The categories Vietnamese cities use for citizen feedback, with their norms and extra questions.

Loaded by `manage.py incidents_load_categories`. Norms follow DESIGN.md ("acknowledge within 8
working hours, urgent cases within 4, simple urban issues within 3 working days, complex ones
configurable per category"); the demo territory's routing rules use these codes.
"""

from __future__ import annotations

from typing import Any

from wards.models import AgencyKind


def _choices(*pairs: tuple[str, str, str]) -> list[dict[str, str]]:
    return [{"key": key, "name": name, "name_en": name_en} for key, name, name_en in pairs]


URBAN_INFRASTRUCTURE = ("Hạ tầng đô thị", "Urban infrastructure")
ENVIRONMENT = ("Môi trường", "Environment")
URBAN_ORDER = ("Trật tự đô thị", "Urban order")
SECURITY = ("An ninh", "Security")

CATEGORIES: list[dict[str, Any]] = [
    {
        "code": "giao-thong",
        "name": "Giao thông",
        "name_en": "Roads and traffic",
        "group": URBAN_INFRASTRUCTURE,
        "description": "Hư hỏng mặt đường, vỉa hè, cầu; biển báo, đèn tín hiệu giao thông.",
        "description_en": "Damaged roads, pavements and bridges; traffic signs and signals.",
        "keywords": "ổ gà, mặt đường, vỉa hè, cầu, biển báo, đèn giao thông",
        "default_agency_kind": AgencyKind.DEPARTMENT,
        "order": 10,
        "attributes": [
            {
                "code": "loai-hu-hong",
                "datatype": "singlevaluelist",
                "description": "Loại hư hỏng",
                "description_en": "Kind of damage",
                "required": True,
                "order": 1,
                "values": _choices(
                    ("o-ga", "Ổ gà", "Pothole"),
                    ("nut", "Nứt mặt đường", "Cracked surface"),
                    ("sut-lun", "Sụt lún", "Subsidence"),
                    ("bien-bao", "Biển báo, đèn tín hiệu hư hỏng", "Broken sign or signal"),
                    ("khac", "Khác", "Other"),
                ),
            }
        ],
    },
    {
        "code": "chieu-sang",
        "name": "Chiếu sáng công cộng",
        "name_en": "Street lighting",
        "group": URBAN_INFRASTRUCTURE,
        "description": "Đèn đường không sáng, chập chờn, sáng ban ngày; cột đèn hư hỏng.",
        "description_en": "Street lights out, flickering or on by day; damaged lamp posts.",
        "keywords": "đèn đường, cột đèn, chiếu sáng",
        "default_agency_kind": AgencyKind.UTILITY,
        "order": 20,
        "attributes": [
            {
                "code": "so-cot-den",
                "datatype": "number",
                "description": "Số cột đèn",
                "description_en": "Number of lamp posts",
                "required": False,
                "order": 1,
            },
            {
                "code": "tinh-trang",
                "datatype": "singlevaluelist",
                "description": "Tình trạng",
                "description_en": "Condition",
                "required": False,
                "order": 2,
                "values": _choices(
                    ("khong-sang", "Đèn không sáng", "Light out"),
                    ("chap-chon", "Đèn chập chờn", "Flickering"),
                    ("sang-ban-ngay", "Đèn sáng ban ngày", "On during the day"),
                    ("hu-cot", "Cột đèn hư hỏng, nghiêng đổ", "Damaged or leaning post"),
                ),
            },
        ],
    },
    {
        "code": "cap-thoat-nuoc",
        "name": "Cấp thoát nước và ngập úng",
        "name_en": "Water supply, drainage and flooding",
        "group": URBAN_INFRASTRUCTURE,
        "description": "Ngập úng, tắc cống, mất nắp hố ga, vỡ ống, mất nước sinh hoạt.",
        "description_en": "Flooding, blocked drains, missing manhole covers, burst pipes, no water.",
        "keywords": "ngập, cống, hố ga, ống nước, mất nước",
        "default_agency_kind": AgencyKind.UTILITY,
        "order": 30,
        "attributes": [
            {
                "code": "van-de",
                "datatype": "singlevaluelist",
                "description": "Vấn đề",
                "description_en": "Problem",
                "required": True,
                "order": 1,
                "values": _choices(
                    ("ngap-ung", "Ngập úng", "Flooding"),
                    ("tac-cong", "Tắc cống", "Blocked drain"),
                    ("mat-nap-ho-ga", "Mất nắp hố ga", "Missing manhole cover"),
                    ("vo-ong", "Vỡ ống nước", "Burst pipe"),
                    ("mat-nuoc", "Mất nước sinh hoạt", "No water supply"),
                ),
            },
            {
                "code": "do-sau-ngap-cm",
                "datatype": "number",
                "description": "Độ sâu ngập (cm)",
                "description_en": "Flood depth (cm)",
                "required": False,
                "order": 2,
            },
        ],
    },
    {
        "code": "ve-sinh-moi-truong",
        "name": "Vệ sinh môi trường và rác thải",
        "name_en": "Sanitation and waste",
        "group": ENVIRONMENT,
        "description": "Rác thải không được thu gom, đổ trộm phế thải, ô nhiễm, xác động vật.",
        "description_en": "Uncollected rubbish, fly-tipping, pollution, dead animals.",
        "keywords": "rác, phế thải, ô nhiễm, mùi hôi, thu gom",
        "default_agency_kind": AgencyKind.UTILITY,
        "order": 40,
        "attributes": [
            {
                "code": "loai-rac",
                "datatype": "multivaluelist",
                "description": "Loại rác thải",
                "description_en": "Kind of waste",
                "required": False,
                "order": 1,
                "values": _choices(
                    ("sinh-hoat", "Rác sinh hoạt", "Household waste"),
                    ("xay-dung", "Phế thải xây dựng", "Construction waste"),
                    ("nguy-hai", "Chất thải nguy hại", "Hazardous waste"),
                    ("xac-dong-vat", "Xác động vật", "Dead animal"),
                ),
            }
        ],
    },
    {
        "code": "trat-tu-do-thi",
        "name": "Trật tự đô thị và lấn chiếm",
        "name_en": "Urban order and encroachment",
        "group": URBAN_ORDER,
        "description": "Lấn chiếm vỉa hè, lòng đường; quảng cáo sai quy định; họp chợ trái phép.",
        "description_en": "Encroachment on pavements and roads, illegal advertising, street markets.",
        "keywords": "lấn chiếm, vỉa hè, quảng cáo, buôn bán, đỗ xe",
        "default_agency_kind": AgencyKind.PEOPLES_COMMITTEE,
        "order": 50,
        "attributes": [
            {
                "code": "hanh-vi",
                "datatype": "singlevaluelist",
                "description": "Hành vi",
                "description_en": "Behaviour",
                "required": False,
                "order": 1,
                "values": _choices(
                    ("lan-chiem-via-he", "Lấn chiếm vỉa hè", "Pavement encroachment"),
                    ("buon-ban-long-duong", "Buôn bán dưới lòng đường", "Trading on the road"),
                    ("quang-cao", "Quảng cáo sai quy định", "Illegal advertising"),
                    ("do-xe", "Đỗ xe sai quy định", "Illegal parking"),
                ),
            }
        ],
    },
    {
        "code": "xay-dung",
        "name": "Xây dựng",
        "name_en": "Building and construction",
        "group": URBAN_ORDER,
        "description": "Xây dựng không phép, sai phép; công trình gây mất an toàn.",
        "description_en": "Unpermitted or non-compliant building works; unsafe construction sites.",
        "keywords": "xây dựng, công trình, giấy phép, sai phép",
        "default_agency_kind": AgencyKind.DEPARTMENT,
        "complex_resolve_within_days": 15,
        "order": 60,
        "attributes": [
            {
                "code": "loai-vi-pham",
                "datatype": "singlevaluelist",
                "description": "Loại vi phạm",
                "description_en": "Kind of breach",
                "required": False,
                "order": 1,
                "values": _choices(
                    ("khong-phep", "Xây dựng không phép", "Without a permit"),
                    ("sai-phep", "Xây dựng sai giấy phép", "Not as permitted"),
                    ("mat-an-toan", "Gây mất an toàn", "Unsafe"),
                    (
                        "vat-lieu-lan-duong",
                        "Vật liệu lấn chiếm lòng đường",
                        "Materials on the road",
                    ),
                ),
            }
        ],
    },
    {
        "code": "cay-xanh",
        "name": "Cây xanh",
        "name_en": "Trees and green spaces",
        "group": ENVIRONMENT,
        "description": "Cây ngã đổ, có nguy cơ ngã, cần cắt tỉa; chặt phá cây xanh.",
        "description_en": "Fallen trees, trees at risk of falling or needing pruning; tree felling.",
        "keywords": "cây, cây xanh, cành, ngã đổ, cắt tỉa",
        "default_agency_kind": AgencyKind.UTILITY,
        "order": 70,
        "attributes": [
            {
                "code": "tinh-trang-cay",
                "datatype": "singlevaluelist",
                "description": "Tình trạng cây",
                "description_en": "Condition of the tree",
                "required": False,
                "order": 1,
                "values": _choices(
                    ("nga-do", "Đã ngã đổ", "Fallen"),
                    ("nguy-co-nga", "Có nguy cơ ngã đổ", "At risk of falling"),
                    ("can-cat-tia", "Cần cắt tỉa", "Needs pruning"),
                    ("bi-chat-pha", "Bị chặt phá", "Cut down illegally"),
                ),
            }
        ],
    },
    {
        "code": "an-ninh-trat-tu",
        "name": "An ninh trật tự",
        "name_en": "Security and public order",
        "group": SECURITY,
        "description": "Gây rối trật tự công cộng, tụ tập gây ồn ào, nghi vấn tệ nạn xã hội.",
        "description_en": "Public disorder, noisy gatherings, suspected social evils.",
        "keywords": "an ninh, trật tự, gây rối, ồn ào, tệ nạn",
        "default_agency_kind": AgencyKind.POLICE,
        "acknowledge_within_hours": 4,
        "urgent_acknowledge_within_hours": 1,
        "urgent_resolve_within_hours": 4,
        "normal_resolve_within_days": 2,
        "order": 80,
        "attributes": [
            {
                "code": "thoi-diem-xay-ra",
                "datatype": "datetime",
                "description": "Thời điểm xảy ra",
                "description_en": "When it happened",
                "required": False,
                "order": 1,
            }
        ],
    },
]
