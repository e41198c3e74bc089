"""Batch imports: a ZIP (or a folder) of files plus a CSV of metadata, read row by row.

Column names are accepted in Vietnamese or English, with or without tone marks
("Nhan đề", "nhan de", "title"); the CSV may be UTF-8 with or without BOM, with ``,`` ``;``
or tab as the delimiter. A bad row gets its own errors; the other rows go on.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import shutil
import unicodedata
import zipfile
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from digitization.exceptions import RejectedFile

from .validate import check_zip, safe_member_name
from .vntext import clean

COLUMN_ALIASES: dict[str, tuple[str, ...]] = {
    "file": ("file", "tệp", "tệp tin", "tên tệp", "filename", "file name", "đường dẫn", "path"),
    "title": ("title", "nhan đề", "tiêu đề", "tên tài liệu", "tên sách", "tên"),
    "authors": ("authors", "author", "tác giả", "tác giả chính"),
    "type": ("type", "loại", "loại học liệu", "loại tài liệu", "kind"),
    "grade": ("grade", "grades", "lớp", "khối", "khối lớp"),
    "subject": ("subject", "mon_hoc", "môn học", "môn"),
    "series": ("series", "bộ sách", "bộ sgk"),
    "licence": ("licence", "license", "giấy phép", "bản quyền"),
    "access": ("access", "quyền truy cập", "truy cập", "mức truy cập", "phạm vi"),
    "year": ("year", "năm", "năm xuất bản"),
    "publisher": ("publisher", "nhà xuất bản", "nxb"),
    "description": ("description", "mô tả", "tóm tắt"),
    "keywords": ("keywords", "từ khoá", "từ khóa", "chủ đề"),
    "language": ("language", "ngôn ngữ"),
    "isbn": ("isbn",),
}

ACCESS_ALIASES = {
    "public": ("public", "công khai", "mọi người"),
    "school": ("school", "trong trường", "nội bộ", "thành viên"),
    "partners": ("partners", "đối tác", "trường đối tác"),
    "staff": ("staff", "thủ thư", "nhân viên", "cán bộ thư viện"),
}

MAX_CSV_BYTES = 10 * 1024 * 1024
_LIST_SPLIT = re.compile(r"\s*[;|]\s*")


def fold(text: str) -> str:
    """Lower case without tone or vowel marks, đ→d, spacing unified: a key for matching."""
    text = unicodedata.normalize("NFD", text.strip().lower()).replace("đ", "d")
    text = "".join(ch for ch in text if unicodedata.category(ch) != "Mn")
    return re.sub(r"[\s_\-]+", " ", text)


_COLUMN_KEYS = {fold(alias): key for key, aliases in COLUMN_ALIASES.items() for alias in aliases}
_ACCESS_KEYS = {fold(alias): key for key, aliases in ACCESS_ALIASES.items() for alias in aliases}


@dataclass
class MetadataRow:
    line: int  # line number in the CSV (header is line 1)
    metadata: dict
    errors: list[str] = field(default_factory=list)


@dataclass
class BatchEntry:
    name: str  # the file as named in the CSV or the archive
    path: Path | None  # extracted (or folder) path; None when the file is missing
    metadata: dict
    line: int | None = None  # CSV line; None for a file the CSV does not list
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.path is not None and not self.errors


@dataclass
class Batch:
    directory: Path
    entries: list[BatchEntry]
    errors: list[str] = field(default_factory=list)  # about the batch as a whole
    csv_name: str | None = None


# --- CSV -------------------------------------------------------------------------------------


def _decode_csv(data: bytes) -> str:
    if len(data) > MAX_CSV_BYTES:
        raise RejectedFile("too_large", size=f"{len(data)} B", limit=f"{MAX_CSV_BYTES} B")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Old Excel exports: Windows Vietnamese code page; clean() repairs TCVN3/VNI fonts.
        text = data.decode("cp1258", errors="replace")
    return text


def _dialect(text: str):
    sample = text[:8192]
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t")
    except csv.Error:
        header = sample.splitlines()[0] if sample else ""
        delimiter = max(",;\t", key=header.count)

        class Simple(csv.excel):
            pass

        Simple.delimiter = delimiter
        return Simple


def _split_list(value: str) -> list[str]:
    return [part for part in _LIST_SPLIT.split(value) if part]


def _parse_grades(value: str) -> list[int]:
    grades: set[int] = set()
    for start, end in re.findall(r"(\d{1,2})(?:\s*[-–]\s*(\d{1,2}))?", value):
        low, high = int(start), int(end or start)
        if not (1 <= low <= 12 and 1 <= high <= 12 and low <= high):
            raise ValueError(value)
        grades.update(range(low, high + 1))
    if not grades:
        raise ValueError(value)
    return sorted(grades)


def _normalise_row(raw: dict[str, str], line: int) -> MetadataRow:
    metadata: dict = {}
    extra: dict[str, str] = {}
    errors: list[str] = []
    for header, value in raw.items():
        if header is None:  # more cells than headers
            errors.append(f"dòng {line}: thừa ô so với tiêu đề cột")
            continue
        value = clean(value or "").strip()
        key = _COLUMN_KEYS.get(fold(header))
        if key is None:
            if value:
                extra[clean(header).strip()] = value
            continue
        if not value:
            continue
        if key == "authors" or key == "keywords":
            metadata[key] = _split_list(value)
        elif key == "grade":
            try:
                metadata[key] = _parse_grades(value)
            except ValueError:
                errors.append(f"dòng {line}: lớp “{value}” không hợp lệ (1–12, ví dụ 6 hoặc 6-9)")
        elif key == "access":
            access = _ACCESS_KEYS.get(fold(value))
            if access is None:
                errors.append(
                    f"dòng {line}: quyền truy cập “{value}” không hợp lệ "
                    "(công khai, trong trường, đối tác, thủ thư)"
                )
            else:
                metadata[key] = access
        elif key == "year":
            if re.fullmatch(r"\d{4}", value):
                metadata[key] = int(value)
            else:
                errors.append(f"dòng {line}: năm “{value}” không hợp lệ (4 chữ số)")
        else:
            metadata[key] = value
    if extra:
        metadata["extra"] = extra
    if "file" not in metadata:
        errors.append(f"dòng {line}: thiếu tên tệp (cột “tệp”/“file”)")
    return MetadataRow(line=line, metadata=metadata, errors=errors)


def read_metadata_csv(source: str | Path | bytes) -> tuple[list[MetadataRow], list[str]]:
    """Rows of a metadata CSV with canonical keys; plus errors about the file as a whole."""
    data = source if isinstance(source, bytes) else Path(source).read_bytes()
    text = _decode_csv(data)
    if not text.strip():
        return [], ["tệp CSV rỗng"]
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=_dialect(text))
    headers = reader.fieldnames or []
    known = {_COLUMN_KEYS.get(fold(h)) for h in headers}
    if "file" not in known:
        return [], [
            "tệp CSV thiếu cột tên tệp (“tệp” hoặc “file”); các cột nhận được: "
            + ", ".join(headers)
        ]
    rows = []
    for raw in reader:
        if not any((value or "").strip() for value in raw.values() if isinstance(value, str)):
            continue
        rows.append(_normalise_row(raw, reader.line_num))
    return rows, []


# --- ZIP and folder --------------------------------------------------------------------------


def _member_display_name(info: zipfile.ZipInfo) -> str:
    name = info.filename
    if not info.flag_bits & 0x800:
        # Many Windows tools write UTF-8 names without setting the UTF-8 flag.
        with contextlib.suppress(UnicodeEncodeError, UnicodeDecodeError):
            name = name.encode("cp437").decode("utf-8")
    return unicodedata.normalize("NFC", name)


def _match_key(name: str) -> str:
    return unicodedata.normalize("NFC", name.replace("\\", "/").strip().lstrip("./")).casefold()


def _copy_bounded(source, target: Path, limit: int) -> None:
    written = 0
    with open(target, "wb") as out:
        while chunk := source.read(1024 * 1024):
            written += len(chunk)
            if written > limit:
                raise RejectedFile(
                    "zip_bomb", reason="dữ liệu giải nén lớn hơn kích thước khai báo"
                )
            out.write(chunk)


def extract_zip(zip_path: str | Path, dest_dir: str | Path) -> dict[str, Path]:
    """Safely extract every file of a checked ZIP; return display name -> extracted path."""
    dest_dir = Path(dest_dir).resolve()
    dest_dir.mkdir(parents=True, exist_ok=True)
    try:
        zf = zipfile.ZipFile(zip_path)
    except (zipfile.BadZipFile, OSError) as exc:
        raise RejectedFile("corrupt_zip", detail=str(exc)) from exc
    extracted: dict[str, Path] = {}
    with zf:
        for info in check_zip(zf):
            display = _member_display_name(info)
            relative = safe_member_name(display)
            target = (dest_dir / relative).resolve()
            if not target.is_relative_to(dest_dir):
                raise RejectedFile("zip_traversal", name=display)
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with zf.open(info) as member:
                    _copy_bounded(member, target, info.file_size)
            except (zipfile.BadZipFile, OSError, EOFError) as exc:
                raise RejectedFile("corrupt_zip", detail=f"{display}: {exc}") from exc
            extracted[relative] = target
    return extracted


def _is_hidden(relative: str) -> bool:
    parts = PurePosixPath(relative).parts
    return any(part.startswith(".") or part == "__MACOSX" for part in parts) or parts[-1] in {
        "Thumbs.db",
        "desktop.ini",
    }


def _build_batch(directory: Path, files: dict[str, Path]) -> Batch:
    files = {name: path for name, path in files.items() if not _is_hidden(name)}
    csv_names = sorted(
        (name for name in files if name.lower().endswith(".csv")),
        key=lambda n: (n.count("/"), n),
    )
    batch = Batch(directory=directory, entries=[])
    content = {name: path for name, path in files.items() if name not in csv_names}
    if len(csv_names) > 1:
        batch.errors.append(
            f"có {len(csv_names)} tệp CSV; dùng “{csv_names[0]}” làm siêu dữ liệu, bỏ qua các tệp khác"
        )
    by_full = {_match_key(name): name for name in content}
    by_base: dict[str, list[str]] = {}
    for name in content:
        by_base.setdefault(_match_key(PurePosixPath(name).name), []).append(name)

    listed: set[str] = set()
    if csv_names:
        batch.csv_name = csv_names[0]
        try:
            rows, errors = read_metadata_csv(files[csv_names[0]])
        except RejectedFile as exc:
            rows, errors = [], [str(exc)]
        batch.errors.extend(errors)
        for row in rows:
            wanted = row.metadata.get("file", "")
            key = _match_key(wanted)
            name = by_full.get(key)
            errors = list(row.errors)
            if name is None and wanted:
                candidates = by_base.get(key, [])
                if len(candidates) == 1:
                    name = candidates[0]
                elif len(candidates) > 1:
                    errors.append(f"dòng {row.line}: tên tệp “{wanted}” trùng ở nhiều thư mục")
                else:
                    errors.append(f"dòng {row.line}: không tìm thấy tệp “{wanted}” trong gói")
            if name is not None and name in listed:
                errors.append(f"dòng {row.line}: tệp “{wanted}” đã được khai báo ở dòng trước")
            if name is not None:
                listed.add(name)
            batch.entries.append(
                BatchEntry(
                    name=wanted,
                    path=content.get(name) if name else None,
                    metadata=row.metadata,
                    line=row.line,
                    errors=errors,
                )
            )
    for name in sorted(content):
        if name not in listed:
            title = clean(PurePosixPath(name).stem.replace("_", " ")).strip()
            batch.entries.append(
                BatchEntry(name=name, path=content[name], metadata={"file": name, "title": title})
            )
    return batch


def read_zip_batch(zip_path: str | Path, dest_dir: str | Path) -> Batch:
    """Check and extract a ZIP batch into ``dest_dir`` (e.g. a TemporaryDirectory)."""
    dest_dir = Path(dest_dir)
    try:
        files = extract_zip(zip_path, dest_dir)
    except RejectedFile:
        shutil.rmtree(dest_dir, ignore_errors=True)
        raise
    return _build_batch(dest_dir.resolve(), files)


def read_folder_batch(folder: str | Path) -> Batch:
    """A folder import: the same CSV rules, files read in place (symlinks not followed)."""
    folder = Path(folder).resolve()
    files = {}
    for path in sorted(folder.rglob("*")):
        if path.is_symlink() or not path.is_file():
            continue
        relative = unicodedata.normalize("NFC", path.relative_to(folder).as_posix())
        files[relative] = path
    return _build_batch(folder, files)
