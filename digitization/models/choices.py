"""Vocabularies of digitised resources: Thông tư 21/2017 types, GDPT 2018 subjects, licences."""

from django.db import models
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _


class ResourceType(models.TextChoices):
    SGK_DIEN_TU = "sgk_dien_tu", _("SGK điện tử")
    TAI_LIEU_THAM_KHAO = "tai_lieu_tham_khao", _("Sách/tài liệu tham khảo điện tử")
    BAI_GIANG = "bai_giang", _("Bài giảng điện tử")
    TRINH_CHIEU = "trinh_chieu", _("Bản trình chiếu")
    VIDEO = "video", _("Video")
    AUDIO = "audio", _("Âm thanh")
    HINH_ANH = "hinh_anh", _("Hình ảnh")
    BANG_DU_LIEU = "bang_du_lieu", _("Bảng dữ liệu")
    PHAN_MEM = "phan_mem", _("Phần mềm dạy học / thí nghiệm mô phỏng")
    BAI_KIEM_TRA = "bai_kiem_tra", _("Bài kiểm tra đánh giá điện tử")
    OTHER = "other", _("Khác")


class MonHoc(models.TextChoices):
    """Subjects and educational activities of the GDPT 2018 programme (primary to upper secondary)."""

    TIENG_VIET = "tieng_viet", _("Tiếng Việt")
    NGU_VAN = "ngu_van", _("Ngữ văn")
    TOAN = "toan", _("Toán")
    NGOAI_NGU = "ngoai_ngu", _("Ngoại ngữ (Tiếng Anh)")
    DAO_DUC = "dao_duc", _("Đạo đức")
    GDCD = "gdcd", _("Giáo dục công dân")
    GD_KINH_TE_PHAP_LUAT = "gd_kinh_te_phap_luat", _("Giáo dục kinh tế và pháp luật")
    TU_NHIEN_XA_HOI = "tu_nhien_xa_hoi", _("Tự nhiên và Xã hội")
    KHOA_HOC = "khoa_hoc", _("Khoa học")
    KHTN = "khtn", _("Khoa học tự nhiên")
    LICH_SU_DIA_LI = "lich_su_dia_li", _("Lịch sử và Địa lí")
    LICH_SU = "lich_su", _("Lịch sử")
    DIA_LI = "dia_li", _("Địa lí")
    VAT_LI = "vat_li", _("Vật lí")
    HOA_HOC = "hoa_hoc", _("Hoá học")
    SINH_HOC = "sinh_hoc", _("Sinh học")
    TIN_HOC = "tin_hoc", _("Tin học")
    CONG_NGHE = "cong_nghe", _("Công nghệ")
    TIN_HOC_CONG_NGHE = "tin_hoc_cong_nghe", _("Tin học và Công nghệ")
    GD_THE_CHAT = "gd_the_chat", _("Giáo dục thể chất")
    AM_NHAC = "am_nhac", _("Âm nhạc")
    MI_THUAT = "mi_thuat", _("Mĩ thuật")
    NGHE_THUAT = "nghe_thuat", _("Nghệ thuật")
    HOAT_DONG_TRAI_NGHIEM = "hoat_dong_trai_nghiem", _("Hoạt động trải nghiệm, hướng nghiệp")
    GD_QUOC_PHONG = "gd_quoc_phong", _("Giáo dục quốc phòng và an ninh")
    GD_DIA_PHUONG = "gd_dia_phuong", _("Nội dung giáo dục địa phương")
    TIENG_DAN_TOC = "tieng_dan_toc", _("Tiếng dân tộc thiểu số")
    NGOAI_NGU_2 = "ngoai_ngu_2", _("Ngoại ngữ 2")


class TextbookSeries(models.TextChoices):
    KET_NOI = "ket_noi", _("Kết nối tri thức với cuộc sống")
    CHAN_TROI = "chan_troi", _("Chân trời sáng tạo")
    CANH_DIEU = "canh_dieu", _("Cánh Diều")
    OTHER = "other", _("Bộ sách khác")


class Licence(models.TextChoices):
    ALL_RIGHTS_RESERVED = "all_rights_reserved", _("Giữ bản quyền (không cho tải về)")
    CC_BY = "cc_by", "CC BY 4.0"
    CC_BY_SA = "cc_by_sa", "CC BY-SA 4.0"
    CC_BY_NC = "cc_by_nc", "CC BY-NC 4.0"
    CC_BY_NC_SA = "cc_by_nc_sa", "CC BY-NC-SA 4.0"
    CC_BY_ND = "cc_by_nd", "CC BY-ND 4.0"
    CC0 = "cc0", _("CC0 (từ bỏ bản quyền)")
    PUBLIC_DOMAIN = "public_domain", _("Phạm vi công cộng")


# Licences under which a copy may be handed out; "all rights reserved" allows reading only.
DOWNLOADABLE_LICENCES = frozenset(set(Licence.values) - {Licence.ALL_RIGHTS_RESERVED})


class AppraisalStatus(models.TextChoices):
    DRAFT = "draft", _("Bản nháp")
    SUBMITTED = "submitted", _("Chờ thẩm định")
    APPROVED = "approved", _("Đã thẩm định, được dùng")
    REJECTED = "rejected", _("Không đạt thẩm định")


class ProcessingStatus(models.TextChoices):
    PENDING = "pending", _("Đang chờ xử lý")
    RUNNING = "running", _("Đang xử lý")
    READY = "ready", _("Sẵn sàng")
    FAILED = "failed", _("Xử lý lỗi")


class FileRole(models.TextChoices):
    ORIGINAL = "original", _("Bản gốc")
    PDF = "pdf", _("PDF ghép từ ảnh")
    THUMBNAIL = "thumbnail", _("Ảnh bìa thu nhỏ")


GRADE_CHOICES = [(n, format_lazy("{} {}", _("Lớp"), n)) for n in range(1, 13)]
