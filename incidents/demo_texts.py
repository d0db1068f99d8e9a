"""The words of the demo reports (`incidents/demo_data.py`): what citizens write and officers answer.

Stored records are data in Vietnamese, like real reports; nothing here is interface text, so none
of it goes through gettext. Placeholders in braces are filled from the lists at the end of the file
by `demo_data`, with its seeded random generator. Street, school and market names are those of the
former Quảng Ngãi city; a name never identifies a person.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from incidents.models import IncidentPriority


@dataclass(frozen=True)
class ReportText:
    """One way a citizen describes a problem of a category, and the answers to its questions.

    `priority` is how an officer would grade it; `rural` texts speak of a village (thôn) rather
    than a street, and fit the communes outside the former city.
    """

    description: str
    attributes: dict[str, Any] = field(default_factory=dict)
    priority: str = IncidentPriority.NORMAL
    rural: bool = False


URGENT = IncidentPriority.URGENT
COMPLEX = IncidentPriority.COMPLEX

REPORT_TEXTS: dict[str, tuple[ReportText, ...]] = {
    "giao-thong": (
        ReportText(
            "Ổ gà lớn giữa đường {street}, đoạn trước {landmark}, sâu khoảng 15 cm; ban đêm xe "
            "máy đi qua rất dễ té ngã.",
            {"loai-hu-hong": "o-ga"},
        ),
        ReportText(
            "Mặt đường {street} bị nứt toác và bong tróc nhiều đoạn sau đợt mưa vừa rồi, nước "
            "đọng thành từng vũng lớn.",
            {"loai-hu-hong": "nut"},
        ),
        ReportText(
            "Đoạn đường {street} gần {landmark} bị sụt lún thành hố rộng gần 1 m, người dân phải "
            "cắm cành cây để cảnh báo.",
            {"loai-hu-hong": "sut-lun"},
            COMPLEX,
        ),
        ReportText(
            "Đèn tín hiệu giao thông tại ngã tư {street} – {other_street} không hoạt động từ sáng "
            "nay, xe cộ qua lại lộn xộn, rất dễ va chạm.",
            {"loai-hu-hong": "bien-bao"},
            URGENT,
        ),
        ReportText(
            "Biển báo cấm đỗ xe trên đường {street} bị gãy, nằm trên vỉa hè đã {days} ngày chưa "
            "được dựng lại.",
            {"loai-hu-hong": "bien-bao"},
        ),
        ReportText(
            "Nắp cống trên mặt đường {street} bị vênh, cao hơn mặt đường khoảng 5 cm, ô tô đi qua "
            "gây tiếng động lớn và nguy hiểm cho xe máy.",
            {"loai-hu-hong": "khac"},
        ),
        ReportText(
            "Đường bê tông vào {village} bị xói lở một bên lề sau mưa lớn, xe tải nhỏ không đi "
            "qua được.",
            {"loai-hu-hong": "sut-lun"},
            COMPLEX,
            rural=True,
        ),
        ReportText(
            "Vạch kẻ đường cho người đi bộ trước cổng {school} đã mờ hết, giờ tan học các em sang "
            "đường rất nguy hiểm.",
            {"loai-hu-hong": "khac"},
        ),
    ),
    "chieu-sang": (
        ReportText(
            "Đèn đường trên đường {street}, đoạn từ {landmark} đến ngã ba, không sáng đã {days} "
            "đêm, đường rất tối.",
            {"tinh-trang": "khong-sang", "so-cot-den": 6},
        ),
        ReportText(
            "Cụm {count} bóng đèn chiếu sáng trong hẻm {number} {street} chập chờn suốt đêm, lúc "
            "sáng lúc tắt.",
            {"tinh-trang": "chap-chon"},
        ),
        ReportText(
            "Đèn đường trên đường {street} vẫn sáng cả ban ngày mấy hôm nay, rất lãng phí điện.",
            {"tinh-trang": "sang-ban-ngay"},
        ),
        ReportText(
            "Cột đèn chiếu sáng trước nhà số {number} {street} bị nghiêng sau khi xe tải va phải, "
            "có nguy cơ đổ xuống vỉa hè.",
            {"tinh-trang": "hu-cot", "so-cot-den": 1},
            URGENT,
        ),
        ReportText(
            "Khu vực {park} không có đèn chiếu sáng từ 19 giờ, người dân đi tập thể dục buổi tối "
            "rất lo ngại.",
            {"tinh-trang": "khong-sang"},
        ),
        ReportText(
            "Dây điện ở chân cột đèn đường trên {street} bị hở, trời mưa có tia lửa điện, rất "
            "nguy hiểm cho người đi đường.",
            {"tinh-trang": "hu-cot", "so-cot-den": 1},
            URGENT,
        ),
        ReportText(
            "Cả dãy đèn đường trên {street} tắt từ khoảng 21 giờ, đề nghị kiểm tra lại tủ điều "
            "khiển chiếu sáng.",
            {"tinh-trang": "khong-sang", "so-cot-den": 12},
        ),
    ),
    "cap-thoat-nuoc": (
        ReportText(
            "Sau cơn mưa chiều nay, đường {street} đoạn trước {landmark} ngập sâu khoảng 35 cm, "
            "nước rút rất chậm, nhiều xe máy chết máy.",
            {"van-de": "ngap-ung", "do-sau-ngap-cm": 35},
            URGENT,
        ),
        ReportText(
            "Cống thoát nước trong hẻm {number} {street} bị tắc, nước thải tràn lên mặt đường bốc "
            "mùi hôi thối.",
            {"van-de": "tac-cong"},
        ),
        ReportText(
            "Hố ga trên vỉa hè {street} bị mất nắp, chỉ có vài cành cây che tạm, ban đêm người đi "
            "bộ rất dễ sụp chân.",
            {"van-de": "mat-nap-ho-ga"},
            URGENT,
        ),
        ReportText(
            "Đường ống nước máy bị vỡ trước nhà số {number} {street}, nước phun lên mặt đường từ "
            "sáng đến giờ.",
            {"van-de": "vo-ong"},
            URGENT,
        ),
        ReportText(
            "Khu dân cư {village} bị mất nước sinh hoạt {days} ngày nay, chưa thấy thông báo nào "
            "của công ty cấp nước.",
            {"van-de": "mat-nuoc"},
            rural=True,
        ),
        ReportText(
            "Mỗi lần mưa lớn, ngã ba {street} – {other_street} lại ngập úng vì mương thoát nước bị "
            "bồi lấp, đề nghị nạo vét.",
            {"van-de": "ngap-ung", "do-sau-ngap-cm": 25},
            COMPLEX,
        ),
    ),
    "ve-sinh-moi-truong": (
        ReportText(
            "Rác thải sinh hoạt tồn đọng ở góc đường {street} – {other_street} đã {days} ngày chưa "
            "được thu gom, bốc mùi hôi, ruồi nhặng rất nhiều.",
            {"loai-rac": ["sinh-hoat"]},
        ),
        ReportText(
            "Có người đổ trộm xà bần, phế thải xây dựng trên bãi đất trống cạnh {landmark} vào ban "
            "đêm.",
            {"loai-rac": ["xay-dung"]},
        ),
        ReportText(
            "Xác chó chết dạt vào bờ kè sông Trà Khúc gần {landmark}, bốc mùi rất nặng.",
            {"loai-rac": ["xac-dong-vat"]},
            URGENT,
        ),
        ReportText(
            "Thùng rác công cộng trên đường {street} đầy tràn, rác vương vãi ra vỉa hè, đề nghị "
            "tăng chuyến thu gom.",
            {"loai-rac": ["sinh-hoat"]},
        ),
        ReportText(
            "Tiệm sửa xe ở số {number} {street} đổ dầu nhớt thải xuống cống thoát nước.",
            {"loai-rac": ["nguy-hai"]},
        ),
        ReportText(
            "Xe thu gom rác không vào {village} từ đầu tuần, bà con phải đốt rác gây khói bụi.",
            {"loai-rac": ["sinh-hoat"]},
            rural=True,
        ),
        ReportText(
            "Bãi rác tự phát ven đường vào {village} ngày càng lớn, lẫn cả bóng đèn huỳnh quang và "
            "vỏ chai thuốc trừ sâu.",
            {"loai-rac": ["sinh-hoat", "nguy-hai"]},
            rural=True,
        ),
    ),
    "trat-tu-do-thi": (
        ReportText(
            "Các quán cà phê trên đường {street} lấn chiếm hết vỉa hè để bày bàn ghế, người đi bộ "
            "phải đi xuống lòng đường.",
            {"hanh-vi": "lan-chiem-via-he"},
        ),
        ReportText(
            "Chợ tạm họp dưới lòng đường {street} từ 5 giờ đến 8 giờ sáng, gây ùn tắc giao thông.",
            {"hanh-vi": "buon-ban-long-duong"},
        ),
        ReportText(
            "Nhiều băng rôn, biển quảng cáo treo trên cây xanh và cột điện dọc đường {street}.",
            {"hanh-vi": "quang-cao"},
        ),
        ReportText(
            "Ô tô đỗ dàn hàng hai trên đường {street} trước {landmark} vào giờ cao điểm, xe buýt "
            "không đi qua được.",
            {"hanh-vi": "do-xe"},
        ),
        ReportText(
            "Hộ kinh doanh ở số {number} {street} dựng mái che, đổ bục bê tông lấn ra vỉa hè hơn "
            "2 m.",
            {"hanh-vi": "lan-chiem-via-he"},
        ),
        ReportText(
            "Tờ rơi quảng cáo khoan cắt bê tông, cho vay tiền dán chi chít trên tường rào {school}.",
            {"hanh-vi": "quang-cao"},
        ),
        ReportText(
            "Xe đẩy bán hàng rong chiếm lối đi trước cổng {hospital}, xe cứu thương ra vào rất khó "
            "khăn.",
            {"hanh-vi": "buon-ban-long-duong"},
        ),
    ),
    "xay-dung": (
        ReportText(
            "Công trình nhà ở tại số {number} {street} đang xây thêm tầng 4, nghi không có giấy "
            "phép xây dựng.",
            {"loai-vi-pham": "khong-phep"},
            COMPLEX,
        ),
        ReportText(
            "Công trình xây dựng cạnh {landmark} không che chắn, vật liệu rơi xuống đường, bụi mù "
            "mịt.",
            {"loai-vi-pham": "mat-an-toan"},
        ),
        ReportText(
            "Cát, đá, gạch của công trình trên đường {street} đổ tràn ra lòng đường nhiều ngày, "
            "ban đêm không có đèn cảnh báo.",
            {"loai-vi-pham": "vat-lieu-lan-duong"},
        ),
        ReportText(
            "Một hộ dân ở {village} xây tường rào lấn ra đường đi chung của xóm, đề nghị kiểm tra.",
            {"loai-vi-pham": "sai-phep"},
            COMPLEX,
            rural=True,
        ),
        ReportText(
            "Giàn giáo của công trình cao tầng trên đường {street} bị nghiêng, có nguy cơ sập "
            "xuống nhà bên cạnh.",
            {"loai-vi-pham": "mat-an-toan"},
            URGENT,
        ),
        ReportText(
            "Công trình tại số {number} {street} xây sai giấy phép, đổ mái lấn sang không gian nhà "
            "bên cạnh.",
            {"loai-vi-pham": "sai-phep"},
            COMPLEX,
        ),
    ),
    "cay-xanh": (
        ReportText(
            "Cây phượng lớn trước {school} gãy cành sau cơn giông tối qua, cành cây đè lên dây điện "
            "và chắn nửa đường {street}.",
            {"tinh-trang-cay": "nga-do"},
            URGENT,
        ),
        ReportText(
            "Cây xà cừ trên vỉa hè {street} bị mục gốc, nghiêng hẳn về phía nhà dân, có nguy cơ "
            "ngã đổ khi mưa bão.",
            {"tinh-trang-cay": "nguy-co-nga"},
        ),
        ReportText(
            "Hàng cây trên đường {street} tán quá rậm, che khuất đèn đường và biển báo giao thông, "
            "đề nghị cắt tỉa.",
            {"tinh-trang-cay": "can-cat-tia"},
        ),
        ReportText(
            "Có người tự ý chặt hạ cây bàng trên vỉa hè trước nhà số {number} {street}.",
            {"tinh-trang-cay": "bi-chat-pha"},
        ),
        ReportText(
            "Cây đổ chắn ngang đường vào {village} sau trận mưa gió, xe máy không qua được.",
            {"tinh-trang-cay": "nga-do"},
            URGENT,
            rural=True,
        ),
        ReportText(
            "Cành khô trên cây sao đen ở {park} có thể rơi trúng người tập thể dục buổi sáng.",
            {"tinh-trang-cay": "can-cat-tia"},
        ),
    ),
    "an-ninh-trat-tu": (
        ReportText(
            "Nhóm thanh niên tụ tập uống rượu, hát karaoke loa kéo gây ồn ào sau 23 giờ ở khu vực "
            "{landmark}."
        ),
        ReportText(
            "Nhóm thanh niên chạy xe máy lạng lách, nẹt pô trên đường {street} vào khoảng 22 giờ "
            "hằng đêm."
        ),
        ReportText(
            "Nghi có người tiêm chích ma túy ở khu đất trống phía sau {landmark}, người dân thấy "
            "nhiều kim tiêm vứt bỏ."
        ),
        ReportText(
            "Quán karaoke ở số {number} {street} mở nhạc lớn đến 1 giờ sáng, ảnh hưởng giấc ngủ của "
            "bà con xung quanh."
        ),
        ReportText(
            "Có người lạ thường xuyên lảng vảng, dòm ngó nhà dân trong hẻm {number} {street}, nghi "
            "trộm cắp."
        ),
        ReportText(
            "Xảy ra xô xát giữa hai nhóm thanh niên trước {landmark}, có người bị thương.",
            priority=URGENT,
        ),
        ReportText(
            "Có nhóm tụ tập đá gà ăn tiền vào chiều cuối tuần ở bãi đất trống tại {village}.",
            rural=True,
        ),
    ),
}

# What a citizen files in the wrong category, and where an officer moves it (demo_data's
# transfers with a corrected category): a broken street light filed as a road problem, a
# disturbance filed as an urban-order problem.
MISFILED_AS: dict[str, tuple[str, dict[str, Any]]] = {
    "chieu-sang": ("giao-thong", {"loai-hu-hong": "bien-bao"}),
    "an-ninh-trat-tu": ("trat-tu-do-thi", {}),
}
CATEGORY_CORRECTION_REASONS = {
    "chieu-sang": (
        "Phản ánh về đèn chiếu sáng công cộng, không phải hư hỏng đường; điều chỉnh lĩnh vực để "
        "đơn vị quản lý chiếu sáng xử lý."
    ),
    "an-ninh-trat-tu": (
        "Nội dung liên quan đến an ninh trật tự, thuộc thẩm quyền của lực lượng Công an; điều "
        "chỉnh lĩnh vực và chuyển xử lý."
    ),
}
LOCATION_CORRECTION_REASON = (
    "Người phản ánh xác nhận lại vị trí: điểm thực tế thuộc địa bàn phường, xã lân cận; chuyển "
    "đơn vị có thẩm quyền."
)

# (category, description, attributes): filed as reports, rejected as spam.
SPAM_REPORTS: tuple[tuple[str, str, dict[str, Any]], ...] = (
    ("giao-thong", "Thử gửi phản ánh trên ứng dụng, không có nội dung.", {"loai-hu-hong": "khac"}),
    ("ve-sinh-moi-truong", "Bán đất nền khu dân cư mới, sổ riêng, giá tốt, liên hệ xem đất.", {}),
    ("trat-tu-do-thi", "aaaaaaa", {}),
    ("chieu-sang", "Nhận khoan cắt bê tông, thông tắc cống giá rẻ, có mặt sau 15 phút.", {}),
    ("xay-dung", "Hỗ trợ vay vốn nhanh, không cần thế chấp, giải ngân trong ngày.", {}),
    ("cay-xanh", "Gửi thử ảnh xem có được không.", {}),
)
SPAM_NOTE = "Nội dung không phải phản ánh về hiện trường (quảng cáo hoặc gửi thử)."

# (category, description, attributes, the officer's explanation): outside the scope of feedback.
OUTSIDE_SCOPE_REPORTS: tuple[tuple[str, str, dict[str, Any], str], ...] = (
    (
        "xay-dung",
        "Tranh chấp ranh giới đất giữa gia đình tôi và hộ bên cạnh ở {village}, đề nghị chính "
        "quyền phân xử.",
        {},
        "Tranh chấp đất đai được giải quyết qua hòa giải tại Ủy ban nhân dân cấp xã hoặc tại Tòa "
        "án; đề nghị ông/bà gửi đơn theo hướng dẫn tại Bộ phận một cửa.",
    ),
    (
        "trat-tu-do-thi",
        "Tiền điện tháng này của gia đình tôi tăng gấp đôi tháng trước, đề nghị xem xét lại.",
        {},
        "Hóa đơn tiền điện thuộc thẩm quyền của Công ty Điện lực; đề nghị ông/bà liên hệ tổng đài "
        "chăm sóc khách hàng của ngành điện.",
    ),
    (
        "ve-sinh-moi-truong",
        "Đề nghị cấp lại giấy chứng nhận quyền sử dụng đất bị mất do ngập lụt năm ngoái.",
        {},
        "Cấp lại giấy chứng nhận là thủ tục hành chính; đề nghị ông/bà nộp hồ sơ tại Bộ phận một "
        "cửa, không qua kênh phản ánh hiện trường.",
    ),
    (
        "giao-thong",
        "Đề nghị mở thêm tuyến xe buýt từ trung tâm đến {village}.",
        {"loai-hu-hong": "khac"},
        "Quy hoạch tuyến xe buýt không thuộc phạm vi xử lý phản ánh hiện trường; ý kiến đã được "
        "ghi nhận để tổng hợp gửi cơ quan quản lý vận tải.",
    ),
)

DUPLICATE_OPENINGS = (
    "Tôi cũng phản ánh: ",
    "Đề nghị xử lý gấp, ",
    "Nhà tôi ở gần đó, xin báo thêm: ",
    "Vẫn chưa ai xử lý: ",
)

ACKNOWLEDGE_NOTES = (
    "",
    "Đã tiếp nhận, sẽ cử cán bộ kiểm tra hiện trường.",
    "Đơn vị đã tiếp nhận phản ánh và đang xác minh.",
)
START_NOTES = ("", "Tổ công tác đã có mặt tại hiện trường.", "Đang phối hợp với tổ dân phố xử lý.")
CLOSE_NOTES = ("", "Kết thúc xử lý phản ánh.", "Đã kiểm tra lại hiện trường, đóng phản ánh.")

INFORMATION_QUESTIONS = (
    "Đề nghị ông/bà cho biết số nhà hoặc mốc cụ thể gần nhất để tổ công tác xác định đúng vị trí.",
    "Ông/bà vui lòng gửi thêm ảnh chụp hiện trạng và thời điểm thường xảy ra sự việc.",
    "Đề nghị cho biết sự việc còn tiếp diễn không và kéo dài bao lâu.",
)
INFORMATION_ANSWERS = (
    "Vị trí ở ngay trước nhà số {number}, cạnh cột điện có biển số {count}.",
    "Sự việc vẫn còn, thường xảy ra vào buổi tối từ 19 giờ đến 22 giờ.",
    "Tôi đã gửi thêm ảnh, chỗ hư hỏng ở phía bên phải đường theo hướng ra chợ.",
)

# Interim public answers: the unit has replied but the problem is not settled yet ("answered").
INTERIM_ANSWERS = (
    "Đơn vị đã kiểm tra hiện trường; việc khắc phục cần kinh phí nên đã đưa vào kế hoạch duy tu "
    "tháng tới. Xin cảm ơn ông/bà đã phản ánh.",
    "Đã làm việc với các hộ liên quan, yêu cầu khắc phục trong 5 ngày; đơn vị sẽ kiểm tra lại và "
    "thông báo kết quả.",
    "Đã báo cáo cấp trên và đề nghị đơn vị chuyên ngành phối hợp xử lý; kết quả sẽ được cập nhật "
    "trên hệ thống.",
)

RESOLUTION_ANSWERS: dict[str, tuple[str, ...]] = {
    "giao-thong": (
        "Đơn vị quản lý đường bộ đã vá ổ gà, hoàn trả mặt đường bằng bê tông nhựa. Cảm ơn ông/bà "
        "đã phản ánh.",
        "Đã khắc phục đoạn hư hỏng và đặt biển cảnh báo trong thời gian chờ sửa chữa lớn.",
        "Đã thay thế biển báo, đèn tín hiệu; hệ thống hoạt động bình thường trở lại.",
    ),
    "chieu-sang": (
        "Đã thay bóng đèn và sửa chữa tủ điện, hệ thống chiếu sáng hoạt động bình thường.",
        "Đã dựng lại, gia cố cột đèn và kiểm tra an toàn điện.",
        "Đã điều chỉnh thời gian bật tắt của tủ điều khiển chiếu sáng.",
    ),
    "cap-thoat-nuoc": (
        "Đã nạo vét, khơi thông cống thoát nước; nước đã rút hết.",
        "Đã lắp đặt nắp hố ga mới và kiểm tra các hố ga xung quanh.",
        "Đã sửa chữa đoạn ống bị vỡ, cấp nước trở lại bình thường.",
    ),
    "ve-sinh-moi-truong": (
        "Đã thu gom, vận chuyển toàn bộ rác tồn đọng và bổ sung lịch thu gom tại điểm này.",
        "Đã dọn sạch phế thải, phối hợp với tổ dân phố theo dõi và xử lý hành vi đổ trộm.",
        "Đã xử lý vệ sinh, khử mùi khu vực và nhắc nhở các hộ xung quanh.",
    ),
    "trat-tu-do-thi": (
        "Tổ trật tự đô thị đã kiểm tra, yêu cầu các hộ thu dọn, trả lại vỉa hè; lập biên bản đối "
        "với hộ tái phạm.",
        "Đã tháo dỡ băng rôn, biển quảng cáo sai quy định.",
        "Đã giải tỏa, sắp xếp lại khu vực buôn bán, bảo đảm lối đi cho người đi bộ.",
    ),
    "xay-dung": (
        "Đã kiểm tra, lập biên bản vi phạm và yêu cầu chủ đầu tư dừng thi công, tự tháo dỡ phần "
        "sai phép.",
        "Chủ công trình đã che chắn, dọn vật liệu khỏi lòng đường theo yêu cầu.",
        "Đã kiểm tra, công trình có giấy phép xây dựng đúng quy định; đã yêu cầu bảo đảm an toàn "
        "thi công.",
    ),
    "cay-xanh": (
        "Đã cưa, dọn cây đổ và giải tỏa giao thông.",
        "Đã cắt tỉa tán cây, chằng chống cây có nguy cơ ngã đổ.",
        "Đã trồng bổ sung cây xanh và lập biên bản hành vi chặt phá cây.",
    ),
    "an-ninh-trat-tu": (
        "Công an đã kiểm tra, nhắc nhở và giải tán nhóm tụ tập; tăng cường tuần tra vào ban đêm.",
        "Đã xác minh, xử phạt vi phạm hành chính đối với cơ sở gây ồn sau 22 giờ.",
        "Đã phối hợp với tổ dân phố lắp camera an ninh và tăng cường tuần tra khu vực.",
    ),
}

REOPEN_REASONS = (
    "Chỗ hư hỏng chỉ được xử lý tạm, sau mấy trận mưa lại như cũ.",
    "Đến nay vẫn chưa được xử lý triệt để, đề nghị kiểm tra lại.",
    "Sáng được hai hôm rồi lại hỏng như trước.",
)

# (stars, comment): most people are satisfied, some are not; an empty comment is common.
RATINGS = (
    (5, "Xử lý nhanh, cảm ơn đơn vị."),
    (5, ""),
    (5, "Rất hài lòng, cán bộ nhiệt tình."),
    (4, "Đã xử lý nhưng hơi chậm."),
    (4, ""),
    (3, "Tạm được, mong duy trì thường xuyên."),
    (2, "Xử lý qua loa, vài hôm lại như cũ."),
    (1, "Chưa giải quyết triệt để."),
)

# The placeholders' vocabulary.
STREETS = (
    "Hùng Vương",
    "Quang Trung",
    "Lê Lợi",
    "Phan Đình Phùng",
    "Nguyễn Nghiêm",
    "Trần Hưng Đạo",
    "Lê Trung Đình",
    "Phạm Văn Đồng",
    "Nguyễn Công Phương",
    "Bà Triệu",
    "Trương Quang Trọng",
    "Lê Thánh Tôn",
    "Nguyễn Tự Tân",
    "Chu Văn An",
    "Hai Bà Trưng",
    "Nguyễn Du",
    "Phan Bội Châu",
    "Lý Thường Kiệt",
    "Nguyễn Trãi",
    "Huỳnh Thúc Kháng",
    "Võ Thị Sáu",
    "Phan Chu Trinh",
    "Tôn Đức Thắng",
    "Đinh Tiên Hoàng",
)
LANDMARKS = (
    "chợ Quảng Ngãi",
    "chợ Nghĩa Lộ",
    "bến xe Quảng Ngãi",
    "ga Quảng Ngãi",
    "cầu Trà Khúc",
    "quảng trường Phạm Văn Đồng",
    "nhà văn hóa tổ dân phố",
    "siêu thị Co.opmart",
    "Nhà thiếu nhi tỉnh",
    "sân vận động tỉnh",
)
SCHOOLS = (
    "Trường THPT Lê Khiết",
    "Trường THCS Trần Hưng Đạo",
    "Trường Tiểu học Nguyễn Nghiêm",
    "Trường Mầm non Hoa Hồng",
    "Trường THCS Nguyễn Nghiêm",
)
PARKS = ("công viên Ba Tơ", "công viên Thiên Bút", "công viên Bàu Giang", "bờ kè sông Trà Khúc")
HOSPITALS = ("Bệnh viện Đa khoa tỉnh", "Bệnh viện Sản – Nhi tỉnh", "Trạm y tế phường")
VILLAGES = (
    "thôn An Hội Bắc",
    "thôn Trường Thọ",
    "thôn Phú Mỹ",
    "thôn Mỹ Lại",
    "thôn Cổ Lũy",
    "thôn Thế Lợi",
    "thôn Kim Thạch",
    "thôn Phú Bình",
    "thôn Tân Mỹ",
    "thôn Xuân Phổ",
)

FAMILY_NAMES = ("Nguyễn", "Trần", "Lê", "Phạm", "Huỳnh", "Võ", "Phan", "Đặng", "Bùi", "Đỗ", "Ngô")
MIDDLE_NAMES = ("Văn", "Thị", "Minh", "Thanh", "Ngọc", "Quốc", "Thu", "Đức")
GIVEN_NAMES = (
    "An",
    "Bình",
    "Cường",
    "Dung",
    "Hà",
    "Hải",
    "Hạnh",
    "Hùng",
    "Lan",
    "Long",
    "Mai",
    "Nam",
    "Phúc",
    "Tâm",
    "Thảo",
    "Trang",
    "Tuấn",
    "Vy",
)
