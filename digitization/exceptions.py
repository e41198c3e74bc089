"""Errors of the digitisation app: one root, each carrying a message a librarian can act on."""

from django.core.exceptions import ImproperlyConfigured
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy


def gettext_noop(message: str) -> str:
    # Marks messages for makemessages without touching settings: the processing layer also
    # runs without Django (benchmarks, scripts), where the Vietnamese source text is shown.
    return message


_ = gettext_noop


class DigitizationError(Exception):
    """Root of every digitisation error; ``message`` is user-facing (Vietnamese, translatable)."""

    default_message = _("Không xử lý được tệp số hoá.")

    def __init__(self, message=None, *, detail: str = "", _params=None):
        template = message if message is not None else self.default_message
        params = _params or {}
        self._raw = template.format(**params) if params else template
        translated = gettext_lazy(template)
        self.message = format_lazy(translated, **params) if params else translated
        # Technical detail for logs (library exception text); never shown as the message.
        self.detail = detail
        super().__init__(self._raw)

    def __str__(self) -> str:
        try:
            return str(self.message)
        except ImproperlyConfigured:
            return self._raw


class RejectedFile(DigitizationError):
    """The upload is refused before anything is stored; ``code`` is stable for callers and tests."""

    MESSAGES = {
        "empty_file": _("Tệp rỗng (0 byte). Hãy kiểm tra lại tệp và tải lên lần nữa."),
        "too_large": _(
            "Tệp quá lớn ({size}, giới hạn {limit}). Hãy nén hoặc chia nhỏ tệp rồi tải lên lại."
        ),
        "unknown_type": _(
            "Không nhận dạng được loại tệp. Chỉ nhận PDF, ảnh (JPEG, PNG, TIFF, GIF, WebP), "
            "âm thanh, video, ZIP hoặc CSV."
        ),
        "type_mismatch": _(
            "Nội dung tệp là {actual} nhưng nơi này cần {expected}. Hãy chọn đúng tệp."
        ),
        "encrypted_pdf": _(
            "Tệp PDF được đặt mật khẩu hoặc mã hoá. Hãy gỡ mật khẩu (in ra PDF mới) "
            "rồi tải lên lại."
        ),
        "truncated_pdf": _(
            "Tệp PDF bị cắt cụt (tải lên chưa hết hoặc sao chép lỗi). "
            "Hãy lấy lại tệp gốc và tải lên lần nữa."
        ),
        "corrupt_pdf": _(
            "Tệp PDF bị hỏng, không đọc được. Hãy mở thử trên máy, lưu lại thành PDF mới "
            "rồi tải lên lần nữa."
        ),
        "no_pages": _("Tệp PDF không có trang nào. Hãy kiểm tra lại tệp."),
        "too_many_pages": _(
            "Tệp PDF có {pages} trang, vượt giới hạn {limit} trang. Hãy chia tệp thành nhiều phần."
        ),
        "corrupt_image": _(
            "Tệp ảnh bị hỏng hoặc không đọc được. Hãy quét hoặc xuất lại ảnh rồi tải lên lần nữa."
        ),
        "decompression_bomb": _(
            "Ảnh có kích thước điểm ảnh quá lớn ({pixels} điểm ảnh, giới hạn {limit}). "
            "Hãy giảm độ phân giải khi quét (200–300 dpi là đủ)."
        ),
        "corrupt_zip": _("Tệp ZIP bị hỏng, không giải nén được. Hãy nén lại và tải lên lần nữa."),
        "encrypted_zip": _("Tệp ZIP có mật khẩu. Hãy nén lại không đặt mật khẩu."),
        "zip_traversal": _(
            "Tệp ZIP chứa đường dẫn không an toàn ({name}). Hãy nén lại chỉ các tệp cần thiết, "
            "không dùng đường dẫn tuyệt đối, “..” hay liên kết tượng trưng."
        ),
        "zip_bomb": _(
            "Tệp ZIP bất thường ({reason}), có thể là “bom nén”. Hãy nén lại các tệp bình thường."
        ),
        "nested_zip": _(
            "Tệp ZIP chứa tệp ZIP khác ({name}). Hãy giải nén và nén lại thành một tệp ZIP phẳng."
        ),
        "corrupt_media": _(
            "Tệp âm thanh/video bị hỏng hoặc không đọc được thời lượng. Hãy xuất lại tệp."
        ),
    }

    def __init__(self, code: str, *, detail: str = "", **params):
        self.code = code
        self.params = params
        template = self.MESSAGES.get(code, DigitizationError.default_message)
        super().__init__(template, detail=detail, _params=params)


class OcrUnavailable(DigitizationError):
    default_message = _(
        "Chưa cài Tesseract OCR với dữ liệu tiếng Việt (gói tesseract-ocr-vie) nên chưa nhận "
        "dạng được chữ trên trang ảnh. Các chức năng khác vẫn dùng được; hãy nhờ quản trị "
        "cài đặt rồi xử lý lại."
    )


class OcrFailed(DigitizationError):
    default_message = _("Nhận dạng chữ (OCR) thất bại trên trang này. Hãy thử xử lý lại.")


class ProcessingFailed(DigitizationError):
    default_message = _("Xử lý tệp thất bại. Bản gốc vẫn được giữ nguyên; hãy thử xử lý lại.")


class DuplicateFile(DigitizationError):
    """The same bytes are already in the library; ``existing`` is the resource holding them."""

    default_message = _(
        "Tệp này đã có trong thư viện: “{title}” (học liệu số {id}). "
        "Không cần tải lên lại; hãy mở học liệu đã có."
    )

    def __init__(self, existing):
        self.existing = existing
        super().__init__(self.default_message, _params={"title": existing.title, "id": existing.pk})


class InvalidMetadata(DigitizationError):
    """A metadata value (form, CSV row or command option) that cannot be used."""

    default_message = _("Thông tin mô tả không hợp lệ. Hãy kiểm tra lại các ô đã nhập.")


class AppraisalRefused(DigitizationError):
    """An appraisal or editing step not allowed from the resource's state or for this person."""

    default_message = _("Thao tác này không được phép với học liệu ở trạng thái hiện tại.")
