"""Writes of the digitisation app: uploads, processing, appraisal, counters.

Every upload is validated before anything is stored; the original file is kept untouched and
every later step (PDF assembly, text, OCR, thumbnails, page images) only adds derived data,
so a failed step can always be retried.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import threading
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import get_valid_filename
from django.utils.translation import gettext_lazy as _

from catalog.exceptions import CatalogError
from catalog.models import Record
from catalog.services import record_marc, record_save
from library.core.access import AccessLevel, viewer_for
from library.core.audit import audit
from library.core.search.queue import index_later
from library.core.vietnamese import fold, nfc

from .exceptions import (
    AppraisalRefused,
    DigitizationError,
    DuplicateFile,
    InvalidMetadata,
    OcrFailed,
    OcrUnavailable,
    RejectedFile,
)
from .models import (
    AppraisalStatus,
    DigitalFile,
    DigitalResource,
    FileRole,
    Licence,
    MonHoc,
    Page,
    ProcessingStatus,
    ResourceType,
    TextbookSeries,
)
from .processing import batch as batch_processing
from .processing import images, ocr, render, text
from .processing.sniff import kind_info
from .processing.validate import ACCEPTED_KINDS, file_sha256, validate

logger = logging.getLogger(__name__)

# What one resource may be made of; ZIP and CSV go through `resource_import_batch`.
RESOURCE_KINDS = ACCEPTED_KINDS - {"zip", "csv", "text"}
IMAGE_KINDS = frozenset({"jpeg", "png", "tiff", "gif", "webp"})
PAGE_IMAGE_WIDTHS = (480, 900, 1400, 2000)
THUMBNAIL_WIDTH = 300
OCR_DPI = 300
PROGRESS_EVERY_SECONDS = 0.5

TESSERACT_MISSING = _("Chưa cài Tesseract: các trang ảnh chưa được nhận dạng chữ")


# --- helpers -------------------------------------------------------------------------------


def _max_bytes() -> int:
    return settings.LIBRARY_MAX_UPLOAD_MB * 1024 * 1024


def storage_path(name: str) -> Path:
    """Local path of a stored file (processing libraries need real files)."""
    return Path(default_storage.path(name))


def _resource_dir(resource: DigitalResource) -> str:
    return f"digitization/{resource.pk}"


def _store(path: Path, name: str) -> str:
    with open(path, "rb") as fh:
        return default_storage.save(name, File(fh))


def _is_librarian(actor: Any) -> bool:
    return viewer_for(actor).is_staff


def _require_librarian(actor: Any) -> None:
    # None means the system itself (a management command or the demo loader).
    if actor is not None and not _is_librarian(actor):
        raise AppraisalRefused("Chỉ thủ thư mới được thực hiện thao tác này.")


def _folded_lookup(choices) -> dict[str, str]:
    table = {}
    for value, label in choices.choices:
        table[fold(str(value)).replace("_", " ")] = value
        table[fold(str(label))] = value
    return table


_EXTRA_SUBJECTS = {
    "tieng anh": MonHoc.NGOAI_NGU,
    "ngoai ngu": MonHoc.NGOAI_NGU,
    "english": MonHoc.NGOAI_NGU,
    "toan hoc": MonHoc.TOAN,
    "van": MonHoc.NGU_VAN,
    "giao duc cong dan": MonHoc.GDCD,
    "the duc": MonHoc.GD_THE_CHAT,
    "hoat dong trai nghiem": MonHoc.HOAT_DONG_TRAI_NGHIEM,
    "khoa hoc tu nhien": MonHoc.KHTN,
}
_EXTRA_TYPES = {
    "sgk": ResourceType.SGK_DIEN_TU,
    "sach giao khoa": ResourceType.SGK_DIEN_TU,
    "sach giao khoa dien tu": ResourceType.SGK_DIEN_TU,
    "tai lieu tham khao": ResourceType.TAI_LIEU_THAM_KHAO,
    "sach tham khao": ResourceType.TAI_LIEU_THAM_KHAO,
    "bai giang": ResourceType.BAI_GIANG,
    "giao an": ResourceType.BAI_GIANG,
    "trinh chieu": ResourceType.TRINH_CHIEU,
    "audio": ResourceType.AUDIO,
    "hinh anh": ResourceType.HINH_ANH,
    "anh": ResourceType.HINH_ANH,
    "phan mem": ResourceType.PHAN_MEM,
    "thi nghiem mo phong": ResourceType.PHAN_MEM,
    "bai kiem tra": ResourceType.BAI_KIEM_TRA,
    "de kiem tra": ResourceType.BAI_KIEM_TRA,
    "khac": ResourceType.OTHER,
}
_EXTRA_LICENCES = {
    "cc by": Licence.CC_BY,
    "cc by sa": Licence.CC_BY_SA,
    "cc by nc": Licence.CC_BY_NC,
    "cc by nc sa": Licence.CC_BY_NC_SA,
    "cc by nd": Licence.CC_BY_ND,
    "cc0": Licence.CC0,
    "all rights reserved": Licence.ALL_RIGHTS_RESERVED,
    "ban quyen": Licence.ALL_RIGHTS_RESERVED,
    "giu ban quyen": Licence.ALL_RIGHTS_RESERVED,
    "public domain": Licence.PUBLIC_DOMAIN,
}
_EXTRA_SERIES = {
    "ket noi tri thuc": TextbookSeries.KET_NOI,
    "kntt": TextbookSeries.KET_NOI,
    "chan troi": TextbookSeries.CHAN_TROI,
    "ctst": TextbookSeries.CHAN_TROI,
    "canh dieu": TextbookSeries.CANH_DIEU,
}


def _key(value: str) -> str:
    return " ".join(fold(value).replace("_", " ").replace("-", " ").replace("4.0", "").split())


def _choice(value: Any, choices, extra: dict[str, str], what: str) -> str:
    if value in (None, ""):
        return ""
    if value in choices.values:
        return value
    table = {_key(k): v for k, v in {**_folded_lookup(choices), **extra}.items()}
    found = table.get(_key(str(value)))
    if found is None:
        accepted = ", ".join(str(label) for label in choices.labels)
        raise InvalidMetadata(
            "{what} “{value}” không hợp lệ. Hãy dùng một trong: {accepted}.",
            _params={"what": what, "value": value, "accepted": accepted},
        )
    return found


def _as_list(value: Any) -> list:
    if value in (None, ""):
        return []
    if isinstance(value, str):
        return [part.strip() for part in value.replace("|", ";").split(";") if part.strip()]
    return list(value)


def _grades(value: Any) -> list[int]:
    grades = set()
    for item in _as_list(value) if not isinstance(value, int) else [value]:
        try:
            grade = int(item)
        except (TypeError, ValueError):
            raise InvalidMetadata(
                "Khối lớp “{value}” không hợp lệ: hãy ghi số từ 1 đến 12.", _params={"value": item}
            ) from None
        if not 1 <= grade <= 12:
            raise InvalidMetadata(
                "Khối lớp “{value}” không hợp lệ: hãy ghi số từ 1 đến 12.", _params={"value": item}
            )
        grades.add(grade)
    return sorted(grades)


@dataclass
class ResourceMetadata:
    """Metadata of a new resource, already checked and reduced to codes."""

    title: str
    authors: list[str] = field(default_factory=list)
    resource_type: str = ResourceType.OTHER
    grade_levels: list[int] = field(default_factory=list)
    mon_hoc: list[str] = field(default_factory=list)
    textbook_series: str = ""
    licence: str = Licence.ALL_RIGHTS_RESERVED
    access_level: str = AccessLevel.SCHOOL
    year: int | None = None
    publisher: str = ""
    description: str = ""
    keywords: list[str] = field(default_factory=list)
    language: str = "vie"


def metadata_from(raw: dict, *, default_title: str = "") -> ResourceMetadata:
    """Check a metadata dict (form, CSV row with batch keys, or model field names)."""

    def get(*names):
        for name in names:
            if raw.get(name) not in (None, "", []):
                return raw[name]
        return None

    title = nfc(str(get("title") or default_title or "")).strip()
    if not title:
        raise InvalidMetadata("Thiếu nhan đề: hãy nhập tên tài liệu.")
    year = get("year")
    if year is not None:
        try:
            year = int(year)
        except (TypeError, ValueError):
            raise InvalidMetadata(
                "Năm “{value}” không hợp lệ: hãy ghi 4 chữ số.", _params={"value": year}
            ) from None
    access = get("access_level", "access") or AccessLevel.SCHOOL
    return ResourceMetadata(
        title=title[:1000],
        authors=[nfc(a) for a in _as_list(get("authors"))],
        resource_type=_choice(
            get("resource_type", "type"), ResourceType, _EXTRA_TYPES, "Loại học liệu"
        )
        or ResourceType.OTHER,
        grade_levels=_grades(get("grade_levels", "grade")),
        mon_hoc=[
            _choice(s, MonHoc, _EXTRA_SUBJECTS, "Môn học")
            for s in _as_list(get("mon_hoc", "subject"))
        ],
        textbook_series=_choice(
            get("textbook_series", "series"), TextbookSeries, _EXTRA_SERIES, "Bộ sách"
        ),
        licence=_choice(get("licence"), Licence, _EXTRA_LICENCES, "Giấy phép")
        or Licence.ALL_RIGHTS_RESERVED,
        access_level=_choice(access, AccessLevel, _ACCESS_EXTRA, "Mức truy cập"),
        year=year,
        publisher=nfc(str(get("publisher") or "")).strip(),
        description=nfc(str(get("description") or "")).strip(),
        keywords=[nfc(k) for k in _as_list(get("keywords"))],
        language=str(get("language") or "vie"),
    )


_ACCESS_EXTRA = {
    "cong khai": AccessLevel.PUBLIC,
    "trong truong": AccessLevel.SCHOOL,
    "doi tac": AccessLevel.PARTNERS,
    "thu thu": AccessLevel.STAFF,
}


# --- the catalogue record ------------------------------------------------------------------
# The record is written through catalog.services.record_save: the MARC built here is the only
# input, and every denormalised column (title, authors, grades, môn học, 856 links...) is
# derived from it in one place.

_LEADER_TYPE = {"audio": "i", "video": "g", "image": "k", "document": "a"}
#: Fields this app writes from a resource's metadata; on an edit they are replaced and every
#: other field of the record (ISBN, classification, subjects, notes...) is kept.
_OWNED_TAGS = ("100", "245", "264", "520", "521", "540", "655", "658", "700", "911")
_LINK_NOTE = "Học liệu số"


def _resource_url(resource: DigitalResource) -> str:
    return f"{settings.LIBRARY_BASE_URL}{resource.get_absolute_url()}"


def _marc_field(tag: str, subfields, ind=(" ", " ")):
    from pymarc import Field, Indicators, Subfield

    return Field(
        tag=tag,
        indicators=Indicators(*ind),
        subfields=[Subfield(code, str(value)) for code, value in subfields if value],
    )


def _owned_fields(meta: ResourceMetadata) -> list:
    """The fields of `_OWNED_TAGS` for ``meta``, in tag order."""
    fields = []
    if meta.authors:
        fields.append(_marc_field("100", [("a", meta.authors[0])], ("1", " ")))
    fields.append(
        _marc_field(
            "245",
            [("a", meta.title), ("h", "[Tài liệu điện tử]")],
            ("1" if meta.authors else "0", "0"),
        )
    )
    if meta.publisher or meta.year:
        fields.append(
            _marc_field("264", [("b", meta.publisher), ("c", meta.year or "")], (" ", "1"))
        )
    if meta.description:
        fields.append(_marc_field("520", [("a", meta.description)]))
    if meta.grade_levels:
        grades = "Lớp " + ", ".join(str(g) for g in meta.grade_levels)
        fields.append(_marc_field("521", [("a", grades)], ("8", " ")))
    fields.append(_marc_field("540", [("a", Licence(meta.licence).label)]))
    fields.append(_marc_field("655", [("a", ResourceType(meta.resource_type).label)], (" ", "4")))
    for code in meta.mon_hoc:  # 658: curriculum objective, read back as the môn học column
        fields.append(_marc_field("658", [("a", MonHoc(code).label)]))
    for author in meta.authors[1:]:
        fields.append(_marc_field("700", [("a", author)], ("1", " ")))
    if meta.textbook_series and meta.textbook_series != TextbookSeries.OTHER:
        # 911: the local textbook-set field of catalog.marc (build and mapping).
        fields.append(_marc_field("911", [("a", TextbookSeries(meta.textbook_series).label)]))
    return fields


def _link_field(resource: DigitalResource, original: DigitalFile | None):
    return _marc_field(
        "856",
        [
            ("u", _resource_url(resource)),
            ("q", original.media_type if original else ""),
            ("y", _LINK_NOTE),
        ],
        ("4", "0"),
    )


def _new_marc(meta: ResourceMetadata, *, kind: str, page_count, duration, media_type: str):
    """MARC21 of a resource whose record this app creates (no 856 until the resource exists)."""
    from pymarc import Field, Leader
    from pymarc import Record as MarcRecord

    category = kind_info(kind).category
    record = MarcRecord(force_utf8=True)
    leader = list(str(record.leader))
    leader[6] = _LEADER_TYPE.get(category, "m")
    leader[7] = "m"
    leader[9] = "a"
    record.leader = Leader("".join(leader))
    year = f"{meta.year:04d}" if meta.year else "    "
    lang = (meta.language or "vie")[:3].ljust(3)
    record.add_field(
        Field(tag="008", data=f"{timezone.localdate():%y%m%d}s{year}    vm            o{lang} d")
    )
    record.add_field(_marc_field("041", [("a", lang.strip())], ("0", " ")))
    if page_count:
        record.add_field(_marc_field("300", [("a", f"{page_count} tr.")]))
    elif duration:
        minutes, seconds = divmod(round(duration), 60)
        record.add_field(_marc_field("300", [("a", f"1 tệp ({minutes}:{seconds:02d})")]))
    record.add_field(
        _marc_field(
            "347", [("a", "tệp văn bản" if category == "document" else category), ("b", kind)]
        )
    )
    for keyword in meta.keywords:
        record.add_field(_marc_field("653", [("a", keyword)]))
    for f in _owned_fields(meta):
        record.add_ordered_field(f)
    return record


def _with_link(marc, resource: DigitalResource, original: DigitalFile | None):
    """``marc`` with exactly one 856 to this resource's page (other 856 links are kept)."""
    url = _resource_url(resource)
    for f in marc.get_fields("856"):
        if url in f.get_subfields("u"):
            marc.remove_field(f)
    marc.add_ordered_field(_link_field(resource, original))
    return marc


def _with_metadata(marc, meta: ResourceMetadata):
    """``marc`` with the fields of `_OWNED_TAGS` rewritten from ``meta``."""
    marc.remove_fields(*_OWNED_TAGS)
    for f in _owned_fields(meta):
        marc.add_ordered_field(f)
    return marc


def _record_save(marc, *, record: Record | None, actor: Any) -> Record:
    try:
        return record_save(marc=marc, record=record, actor=actor)
    except CatalogError as exc:
        raise InvalidMetadata(
            "Không lưu được biểu ghi thư mục: {error}", _params={"error": str(exc)}
        ) from exc


# --- create --------------------------------------------------------------------------------


class _Incoming:
    """A local path for the upload, whatever it came as; cleans up its own temporary copy."""

    def __init__(self, file: Any, filename: str | None):
        self.temp: Path | None = None
        if isinstance(file, (str, os.PathLike)):
            self.path = Path(file)
            self.name = filename or self.path.name
        elif isinstance(file, UploadedFile) and hasattr(file, "temporary_file_path"):
            self.path = Path(file.temporary_file_path())
            self.name = filename or file.name
        else:
            tmp_dir = Path(settings.MEDIA_ROOT) / "tmp"
            tmp_dir.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=tmp_dir, suffix=".upload")
            with os.fdopen(fd, "wb") as out:
                if hasattr(file, "chunks"):
                    for chunk in file.chunks():
                        out.write(chunk)
                else:
                    shutil.copyfileobj(file, out)
            self.path = self.temp = Path(tmp)
            self.name = filename or getattr(file, "name", "") or "tep"
        self.name = PurePath(str(self.name).replace("\\", "/")).name

    def close(self) -> None:
        if self.temp is not None:
            self.temp.unlink(missing_ok=True)


def resource_create(
    *,
    file: Any,
    actor: Any,
    metadata: dict | None = None,
    record: Record | None = None,
    filename: str | None = None,
    approved: bool = False,
    process: bool = True,
) -> DigitalResource:
    """Validate first (refusals store nothing), keep the original untouched, queue processing."""
    _require_librarian(actor)
    incoming = _Incoming(file, filename)
    stored: list[str] = []
    try:
        validated = validate(
            incoming.path,
            max_bytes=_max_bytes(),
            max_pages=settings.LIBRARY_MAX_PAGES,
            allowed_kinds=RESOURCE_KINDS,
        )
        existing = (
            DigitalFile.objects.filter(role=FileRole.ORIGINAL, sha256=validated.sha256)
            .select_related("resource__record")
            .first()
        )
        if existing is not None:
            raise DuplicateFile(existing.resource)
        raw = dict(metadata or {})
        if record is not None:
            raw.setdefault("title", record.title)
            raw.setdefault("authors", record.authors)
            raw.setdefault("year", record.year)
            raw.setdefault("publisher", record.publisher)
        meta = metadata_from(raw, default_title=_title_from_filename(incoming.name))
        with transaction.atomic():
            now = timezone.now()
            if record is None:
                # Created first without its 856: the link needs the resource's id.
                record = _record_save(
                    _new_marc(
                        meta,
                        kind=validated.kind,
                        page_count=validated.page_count,
                        duration=validated.duration,
                        media_type=validated.media_type,
                    ),
                    record=None,
                    actor=actor,
                )
            resource = DigitalResource.objects.create(
                record=record,
                resource_type=meta.resource_type,
                grade_levels=meta.grade_levels,
                mon_hoc=meta.mon_hoc,
                textbook_series=meta.textbook_series,
                authors=meta.authors,
                description=meta.description,
                licence=meta.licence,
                access_level=meta.access_level,
                appraisal_status=AppraisalStatus.APPROVED if approved else AppraisalStatus.DRAFT,
                appraised_by=actor if approved and getattr(actor, "pk", None) else None,
                appraised_at=now if approved else None,
                page_count=validated.page_count
                if validated.kind == "pdf" or validated.kind in IMAGE_KINDS
                else None,
                duration=validated.duration,
                created_by=actor if getattr(actor, "pk", None) else None,
            )
            safe = get_valid_filename(incoming.name) or f"original{validated.extension}"
            name = _store(incoming.path, f"{_resource_dir(resource)}/original/{safe}")
            stored.append(name)
            original = DigitalFile.objects.create(
                resource=resource,
                role=FileRole.ORIGINAL,
                file=name,
                original_name=incoming.name,
                sha256=validated.sha256,
                size=validated.size,
                media_type=validated.media_type,
                kind=validated.kind,
                page_count=validated.page_count,
                duration=validated.duration,
                state=ProcessingStatus.READY,
                progress=100,
            )
            _record_save(
                _with_link(record_marc(record), resource, original), record=record, actor=actor
            )
            audit(
                actor,
                "digitization.resource_create",
                resource,
                file=incoming.name,
                sha256=validated.sha256,
                kind=validated.kind,
                approved=approved,
            )
            if process:
                resource_id = resource.pk
                transaction.on_commit(lambda: _enqueue_processing(resource_id))
    except BaseException:
        for name in stored:
            default_storage.delete(name)
        raise
    finally:
        incoming.close()
    return resource


def _title_from_filename(name: str) -> str:
    return nfc(PurePath(name).stem.replace("_", " ").strip())


def _enqueue_processing(resource_id: int) -> None:
    from .tasks import process_resource

    process_resource.enqueue(resource_id)


# --- processing ----------------------------------------------------------------------------


class _Progress:
    """Throttled progress writes: the status page polls, the database need not see every page."""

    def __init__(self, resource_id: int, step: str):
        self.resource_id = resource_id
        self.step = step
        self.last = 0.0
        self.lock = threading.Lock()
        DigitalResource.objects.filter(pk=resource_id).update(
            processing_step=step, progress_done=0, progress_total=0
        )

    def __call__(self, done: int, total: int, *, force: bool = False) -> None:
        with self.lock:
            now = time.monotonic()
            if not force and done < total and now - self.last < PROGRESS_EVERY_SECONDS:
                return
            self.last = now
        DigitalResource.objects.filter(pk=self.resource_id).update(
            progress_done=done, progress_total=total
        )


def _set(resource: DigitalResource, **fields) -> None:
    for name, value in fields.items():
        setattr(resource, name, value)
    DigitalResource.objects.filter(pk=resource.pk).update(**fields, updated_at=timezone.now())


def resource_process(*, resource_id: int, force: bool = False) -> DigitalResource:
    """Run the pipeline; each step reuses what an earlier run finished, the original is only read."""
    resource = DigitalResource.objects.select_related("record").get(pk=resource_id)
    original = resource.original
    if original is None:
        _set(
            resource,
            processing_status=ProcessingStatus.FAILED,
            processing_error=str(_("Không tìm thấy tệp gốc của học liệu này.")),
        )
        return resource
    _set(
        resource,
        processing_status=ProcessingStatus.RUNNING,
        processing_error="",
        processing_warning="",
    )
    try:
        category = kind_info(original.kind).category
        if category in ("audio", "video"):
            _set(resource, duration=original.duration)
        else:
            pdf = _ensure_pdf(resource, original) if original.kind in IMAGE_KINDS else original
            pdf_path = storage_path(pdf.file.name)
            _extract_text(resource, pdf_path, force=force)
            _ocr_pages(resource, pdf_path)
            _ensure_thumbnail(resource, pdf_path, force=force)
        _set(
            resource,
            processing_status=ProcessingStatus.READY,
            processing_step="",
        )
    except DigitizationError as exc:
        logger.warning("processing resource %s failed: %s (%s)", resource.pk, exc, exc.detail)
        _set(resource, processing_status=ProcessingStatus.FAILED, processing_error=str(exc))
    except Exception as exc:
        logger.exception("processing resource %s failed", resource.pk)
        _set(
            resource,
            processing_status=ProcessingStatus.FAILED,
            processing_error=f"{_('Xử lý tệp thất bại. Bản gốc vẫn được giữ nguyên; hãy thử xử lý lại.')} ({exc})",
        )
    with transaction.atomic():
        _reindex(resource)
    return resource


def _ensure_pdf(resource: DigitalResource, original: DigitalFile) -> DigitalFile:
    existing = resource.files.filter(role=FileRole.PDF).first()
    if existing is not None and default_storage.exists(existing.file.name):
        return existing
    step = _("Ghép ảnh thành PDF")
    _set(resource, processing_step=str(step))
    with tempfile.TemporaryDirectory() as tmp:
        out = images.images_to_pdf([storage_path(original.file.name)], Path(tmp) / "pages.pdf")
        sha = file_sha256(out)
        pages = text.page_count(out)
        with transaction.atomic():
            if existing is not None:
                existing.delete()
            name = _store(out, f"{_resource_dir(resource)}/derived/pages.pdf")
            derived = DigitalFile.objects.create(
                resource=resource,
                role=FileRole.PDF,
                file=name,
                original_name=f"{PurePath(original.original_name).stem}.pdf",
                sha256=sha,
                size=out.stat().st_size,
                media_type="application/pdf",
                kind="pdf",
                page_count=pages,
                state=ProcessingStatus.READY,
                progress=100,
            )
    _set(resource, page_count=pages)
    return derived


def _extract_text(resource: DigitalResource, pdf_path: Path, *, force: bool) -> None:
    total = text.page_count(pdf_path)
    existing = {page.number: page for page in resource.pages.all()}
    redo = {
        n
        for n in range(1, total + 1)
        if force or n not in existing or existing[n].error and not existing[n].is_ocr
    }
    if not redo:
        return
    progress = _Progress(resource.pk, str(_("Trích xuất chữ từng trang")))
    results = text.extract_pages(
        pdf_path,
        workers=settings.LIBRARY_WORKERS,
        page_timeout=settings.LIBRARY_PAGE_TIMEOUT,
        on_progress=progress,
    )
    progress(total, total, force=True)
    new, changed = [], []
    for result in results:
        if result.number not in redo:
            continue
        page = existing.get(result.number)
        values = {
            "text": result.text,
            "needs_ocr": result.needs_ocr,
            "is_ocr": False,
            "error": result.error or "",
        }
        if page is None:
            new.append(Page(resource=resource, number=result.number, **values))
        else:
            for name, value in values.items():
                setattr(page, name, value)
            changed.append(page)
    with transaction.atomic():
        Page.objects.bulk_create(new, batch_size=500)
        Page.objects.bulk_update(changed, ["text", "needs_ocr", "is_ocr", "error"], batch_size=500)
        resource.pages.filter(number__gt=total).delete()
    _set(resource, page_count=total)


def _ocr_pages(resource: DigitalResource, pdf_path: Path) -> None:
    todo = list(resource.pages.filter(needs_ocr=True, is_ocr=False).order_by("number"))
    if not todo:
        return
    if not ocr.tesseract_available("vie"):
        _set(resource, processing_warning=str(TESSERACT_MISSING))
        return
    progress = _Progress(resource.pk, str(_("Nhận dạng chữ (OCR) trang ảnh")))
    workers = max(1, min(settings.LIBRARY_WORKERS, len(todo)))
    done = 0
    missing = threading.Event()

    def recognise(page: Page) -> Page:
        if missing.is_set():
            return page
        try:
            page.text = ocr.ocr_pdf_page(
                pdf_path, page.number, OCR_DPI, threads=1 if workers > 1 else None
            )
            page.is_ocr = True
            page.error = ""
        except OcrUnavailable:
            missing.set()
        except (OcrFailed, DigitizationError) as exc:
            page.error = str(exc)
        return page

    with ThreadPoolExecutor(max_workers=workers) as pool:
        for page in pool.map(recognise, todo):
            done += 1
            progress(done, len(todo))
            if page.is_ocr or page.error:
                Page.objects.filter(pk=page.pk).update(
                    text=page.text, is_ocr=page.is_ocr, error=page.error
                )
    progress(len(todo), len(todo), force=True)
    if missing.is_set():
        _set(resource, processing_warning=str(TESSERACT_MISSING))


def _ensure_thumbnail(resource: DigitalResource, pdf_path: Path, *, force: bool = False) -> None:
    existing = resource.files.filter(role=FileRole.THUMBNAIL).first()
    if existing is not None and default_storage.exists(existing.file.name) and not force:
        return
    _set(resource, processing_step=str(_("Tạo ảnh bìa")))
    with tempfile.TemporaryDirectory() as tmp:
        out = render.save_thumbnail(pdf_path, Path(tmp) / "cover.jpg", width=THUMBNAIL_WIDTH)
        with transaction.atomic():
            if existing is not None:
                default_storage.delete(existing.file.name)
                existing.delete()
            name = _store(out, f"{_resource_dir(resource)}/derived/cover.jpg")
            DigitalFile.objects.create(
                resource=resource,
                role=FileRole.THUMBNAIL,
                file=name,
                original_name="cover.jpg",
                sha256=file_sha256(out),
                size=out.stat().st_size,
                media_type="image/jpeg",
                kind="jpeg",
                state=ProcessingStatus.READY,
                progress=100,
            )


def resource_pdf(resource: DigitalResource) -> DigitalFile | None:
    """The PDF the reader shows: the original, or the one assembled from scanned images."""
    files = {f.role: f for f in resource.files.all()}
    original = files.get(FileRole.ORIGINAL)
    if original is not None and original.kind == "pdf":
        return original
    return files.get(FileRole.PDF)


def page_image_ensure(*, resource: DigitalResource, number: int, width: int) -> Path:
    """Path of the cached JPEG of one page at one of PAGE_IMAGE_WIDTHS; rendered once."""
    width = min(PAGE_IMAGE_WIDTHS, key=lambda w: abs(w - width))
    name = f"{_resource_dir(resource)}/pages/{width}/{number}.jpg"
    target = storage_path(name)
    if target.exists():
        return target
    pdf = resource_pdf(resource)
    if pdf is None:
        raise DigitizationError("Học liệu này chưa có trang để hiển thị; hãy chờ xử lý xong.")
    target.parent.mkdir(parents=True, exist_ok=True)
    image = render.render_page(storage_path(pdf.file.name), number, width=width)
    fd, tmp = tempfile.mkstemp(dir=target.parent, suffix=".part")
    os.close(fd)
    try:
        image.save(tmp, "JPEG", quality=82)
        # Atomic: two first requests for the same page both render, one rename wins.
        os.replace(tmp, target)
    finally:
        Path(tmp).unlink(missing_ok=True)
    if width == PAGE_IMAGE_WIDTHS[1]:
        Page.objects.filter(resource=resource, number=number).update(image=name)
    return target


def _reindex(resource: DigitalResource) -> None:
    # The catalogue record's document carries the resource's access level and appraisal too.
    index_later(Record, [resource.record_id])
    index_later(DigitalResource, [resource.pk])
    index_later(Page, list(resource.pages.values_list("pk", flat=True)))


def resource_reprocess(*, resource: DigitalResource, actor: Any, force: bool = False) -> None:
    """Queue the pipeline again: failed steps are retried, finished ones reused, the original kept."""
    _require_librarian(actor)
    with transaction.atomic():
        _set(
            resource,
            processing_status=ProcessingStatus.PENDING,
            processing_error="",
            processing_step="",
            progress_done=0,
            progress_total=0,
        )
        audit(actor, "digitization.resource_reprocess", resource, force=force)
        resource_id = resource.pk
        transaction.on_commit(lambda: _enqueue_processing_forced(resource_id, force))


def _enqueue_processing_forced(resource_id: int, force: bool) -> None:
    from .tasks import process_resource

    process_resource.enqueue(resource_id, force)


# --- editing -------------------------------------------------------------------------------

_EDITED_FIELDS = (
    "resource_type",
    "grade_levels",
    "mon_hoc",
    "textbook_series",
    "authors",
    "description",
    "licence",
    "access_level",
)


def resource_update(*, resource: DigitalResource, actor: Any, metadata: dict) -> DigitalResource:
    """A librarian corrects the metadata; the record is re-saved from MARC (owned fields only)."""
    _require_librarian(actor)
    meta = metadata_from(metadata)
    record = resource.record
    with transaction.atomic():
        before = {name: getattr(resource, name) for name in _EDITED_FIELDS}
        for name in _EDITED_FIELDS:
            setattr(resource, name, getattr(meta, name))
        resource.save(update_fields=[*_EDITED_FIELDS, "updated_at"])
        marc = _with_link(_with_metadata(record_marc(record), meta), resource, resource.original)
        resource.record = _record_save(marc, record=record, actor=actor)
        changed = {
            name: getattr(resource, name)
            for name in _EDITED_FIELDS
            if before[name] != getattr(resource, name)
        }
        audit(actor, "digitization.resource_update", resource, title=meta.title, **changed)
        _reindex(resource)
    return resource


# --- appraisal (thẩm định) -----------------------------------------------------------------


def resource_submit(*, resource: DigitalResource, actor: Any) -> DigitalResource:
    """Send a draft (or a rejected resource after correction) to appraisal."""
    if resource.appraisal_status not in (AppraisalStatus.DRAFT, AppraisalStatus.REJECTED):
        raise AppraisalRefused(
            "Chỉ gửi thẩm định được học liệu ở trạng thái bản nháp hoặc không đạt."
        )
    with transaction.atomic():
        resource.appraisal_status = AppraisalStatus.SUBMITTED
        resource.save(update_fields=["appraisal_status", "updated_at"])
        audit(actor, "digitization.resource_submit", resource)
    return resource


def resource_approve(*, resource: DigitalResource, actor: Any) -> DigitalResource:
    """A librarian approves: the resource becomes visible at its access level and searchable."""
    _require_librarian(actor)
    if resource.appraisal_status == AppraisalStatus.APPROVED:
        raise AppraisalRefused("Học liệu này đã được duyệt.")
    with transaction.atomic():
        resource.appraisal_status = AppraisalStatus.APPROVED
        resource.rejection_reason = ""
        resource.appraised_by = actor if getattr(actor, "pk", None) else None
        resource.appraised_at = timezone.now()
        resource.save(
            update_fields=[
                "appraisal_status",
                "rejection_reason",
                "appraised_by",
                "appraised_at",
                "updated_at",
            ]
        )
        audit(actor, "digitization.resource_approve", resource)
        _reindex(resource)
    return resource


def resource_reject(*, resource: DigitalResource, actor: Any, reason: str) -> DigitalResource:
    """A librarian rejects with a reason the uploader can act on; the resource leaves search."""
    _require_librarian(actor)
    reason = nfc(reason or "").strip()
    if not reason:
        raise AppraisalRefused("Hãy ghi lý do không đạt để người tải lên biết cần sửa gì.")
    with transaction.atomic():
        resource.appraisal_status = AppraisalStatus.REJECTED
        resource.rejection_reason = reason
        resource.appraised_by = actor if getattr(actor, "pk", None) else None
        resource.appraised_at = timezone.now()
        resource.save(
            update_fields=[
                "appraisal_status",
                "rejection_reason",
                "appraised_by",
                "appraised_at",
                "updated_at",
            ]
        )
        audit(actor, "digitization.resource_reject", resource, reason=reason)
        _reindex(resource)
    return resource


# --- counters ------------------------------------------------------------------------------


def resource_count_view(*, resource: DigitalResource) -> None:
    DigitalResource.objects.filter(pk=resource.pk).update(view_count=F("view_count") + 1)


def resource_count_download(*, resource: DigitalResource) -> None:
    DigitalResource.objects.filter(pk=resource.pk).update(download_count=F("download_count") + 1)


# --- batches -------------------------------------------------------------------------------


@dataclass
class ImportReport:
    created: list[DigitalResource] = field(default_factory=list)
    duplicates: list[tuple[str, DigitalResource]] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    def summary(self) -> str:
        return (
            f"{len(self.created)} học liệu mới, {len(self.duplicates)} tệp trùng đã có, "
            f"{len(self.errors)} lỗi"
        )


def resource_import(
    *,
    path: str | Path,
    actor: Any,
    access_level: str | None = None,
    approved: bool = False,
    defaults: dict | None = None,
    on_progress: Callable[[int, int, str], None] | None = None,
    process: bool = True,
) -> ImportReport:
    """A file, a folder or a ZIP (with an optional metadata CSV): one resource per file or row;
    a bad row is reported and the rest goes on."""
    _require_librarian(actor)
    path = Path(path)
    report = ImportReport()
    if not path.exists():
        report.errors.append(f"không tìm thấy “{path}”")
        return report
    if path.is_dir():
        return _import_batch(
            batch_processing.read_folder_batch(path),
            report,
            actor,
            access_level,
            approved,
            defaults,
            on_progress,
            process,
        )
    if path.suffix.lower() == ".zip" or kind_info("zip").media_type == _sniff_type(path):
        try:
            validate(
                path,
                max_bytes=max(_max_bytes(), 4 * 1024**3),
                max_pages=settings.LIBRARY_MAX_PAGES,
                allowed_kinds={"zip"},
            )
            with tempfile.TemporaryDirectory(dir=_tmp_root()) as tmp:
                batch = batch_processing.read_zip_batch(path, Path(tmp) / "x")
                return _import_batch(
                    batch, report, actor, access_level, approved, defaults, on_progress, process
                )
        except RejectedFile as exc:
            report.errors.append(f"{path.name}: {exc}")
            return report
    metadata = dict(defaults or {})
    metadata.update(_beside_csv_metadata(path, report))
    if access_level:
        metadata["access_level"] = access_level
    entries = [batch_processing.BatchEntry(name=path.name, path=path, metadata=metadata)]
    return _import_entries(entries, report, actor, approved, on_progress, process)


def _tmp_root() -> Path:
    root = Path(settings.MEDIA_ROOT) / "tmp"
    root.mkdir(parents=True, exist_ok=True)
    return root


def _sniff_type(path: Path) -> str:
    from .processing.sniff import sniff

    return sniff(path).media_type


def _beside_csv_metadata(path: Path, report: ImportReport) -> dict:
    """Metadata for a single file from a CSV beside it (same name, or any CSV listing the file)."""
    candidates = [path.with_suffix(".csv")] + sorted(
        p for p in path.parent.glob("*.csv") if p != path.with_suffix(".csv")
    )
    for candidate in candidates:
        if not candidate.is_file() or candidate == path:
            continue
        try:
            rows, _errors = batch_processing.read_metadata_csv(candidate)
        except RejectedFile:
            continue
        for row in rows:
            if PurePath(row.metadata.get("file", "")).name.casefold() == path.name.casefold():
                report.errors.extend(row.errors)
                return {k: v for k, v in row.metadata.items() if k != "file"}
    return {}


def _import_batch(batch, report, actor, access_level, approved, defaults, on_progress, process):
    report.errors.extend(batch.errors)
    entries = []
    for entry in batch.entries:
        metadata = {**(defaults or {}), **entry.metadata}
        if access_level and "access" not in entry.metadata:
            metadata["access_level"] = access_level
        entry.metadata = metadata
        entries.append(entry)
    return _import_entries(entries, report, actor, approved, on_progress, process)


def _import_entries(entries, report, actor, approved, on_progress, process):
    total = len(entries)
    for index, entry in enumerate(entries, start=1):
        label = f"dòng {entry.line}: {entry.name}" if entry.line else entry.name
        if entry.errors or entry.path is None:
            report.errors.extend(entry.errors or [f"{label}: không tìm thấy tệp"])
        else:
            metadata = {k: v for k, v in entry.metadata.items() if k not in ("file", "extra")}
            try:
                resource = resource_create(
                    file=entry.path,
                    filename=PurePath(entry.name).name,
                    actor=actor,
                    metadata=metadata,
                    approved=approved,
                    process=process,
                )
                report.created.append(resource)
            except DuplicateFile as exc:
                report.duplicates.append((entry.name, exc.existing))
            except DigitizationError as exc:
                report.errors.append(f"{label}: {exc}")
        if on_progress:
            on_progress(index, total, entry.name)
    return report


def resources_reprocess(
    *, ids: Iterable[int] | None = None, failed_only: bool = False, actor: Any = None
) -> list[int]:
    """Queue reprocessing of the given resources, or of every failed one."""
    queryset = DigitalResource.objects.all()
    if ids:
        queryset = queryset.filter(pk__in=list(ids))
    if failed_only:
        queryset = queryset.filter(processing_status=ProcessingStatus.FAILED)
    done = []
    for resource in queryset.order_by("pk"):
        resource_reprocess(resource=resource, actor=actor)
        done.append(resource.pk)
    return done


def resource_upload(
    *, file: Any, actor: Any, metadata: dict, approved: bool = False
) -> ImportReport:
    """The upload form: one file makes one resource; a ZIP (files + CSV) makes one per row."""
    _require_librarian(actor)
    incoming = _Incoming(file, getattr(file, "name", None))
    try:
        if _sniff_type(incoming.path) == kind_info("zip").media_type:
            defaults = {
                k: v for k, v in metadata.items() if k != "title" and v not in ("", [], None)
            }
            return resource_import(
                path=incoming.path,
                actor=actor,
                access_level=metadata.get("access_level"),
                approved=approved,
                defaults=defaults,
            )
        report = ImportReport()
        try:
            report.created.append(
                resource_create(
                    file=incoming.path,
                    filename=incoming.name,
                    actor=actor,
                    metadata=metadata,
                    approved=approved,
                )
            )
        except DuplicateFile as exc:
            report.duplicates.append((incoming.name, exc.existing))
        return report
    finally:
        incoming.close()
