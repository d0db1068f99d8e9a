"""What the benchmarks' generated reports say: the same categories, answers and texts for all."""

from typing import Any

# Each category of the catalogue with a valid answer to its required questions.
CATEGORY_ATTRIBUTES: dict[str, dict[str, Any]] = {
    "giao-thong": {"loai-hu-hong": "o-ga"},
    "chieu-sang": {},
    "cap-thoat-nuoc": {"van-de": "ngap-ung"},
    "ve-sinh-moi-truong": {},
    "trat-tu-do-thi": {},
    "xay-dung": {},
    "cay-xanh": {},
    "an-ninh-trat-tu": {},
}

DESCRIPTIONS = (
    "Ổ gà sâu giữa đường, xe máy dễ ngã",
    "Đèn đường không sáng cả dãy phố",
    "Cống thoát nước bị tắc, nước tràn lên vỉa hè",
    "Rác thải tồn đọng nhiều ngày ở góc chợ",
    "Lấn chiếm vỉa hè để buôn bán",
    "Công trình xây dựng không che chắn, bụi bay",
    "Cây xanh nghiêng, nguy cơ gãy đổ khi mưa bão",
    "Tụ tập gây ồn ào sau 23 giờ",
)
