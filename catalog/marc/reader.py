"""Permissive, streaming reader for MARC21 files: ISO 2709 and MARCXML.

`read_marc(source)` yields one `ReadResult` per record, in file order, with constant memory:

- ISO 2709 is cut into records on the record terminator (0x1D) by this module, not by the
  length in the leader, so one broken record cannot derail the rest: the next record starts
  after the next terminator. Bytes that are not a record in front of a leader are skipped
  with a warning on that record.
- MARCXML is read with `lxml.etree.iterparse`, clearing each record once read; `<collection>`
  or a bare `<record>`, with or without the MARC21 slim namespace.

The encoding is decided per record from its bytes, not only from leader/09: valid UTF-8 that
holds multibyte sequences is UTF-8 even when the leader says MARC-8; data that is not UTF-8
is tried as legacy Vietnamese (TCVN3/VNI) and as MARC-8. Every string comes out NFC and
through `library.core.vietnamese.clean` (legacy repair, control characters removed; strings
of printable ASCII, which clean() leaves alone, skip the call). Leader/09 of every returned
record is 'a': the record holds Unicode.

A record comes with `error` set when the importer must reject it (the reason names the
field); `record` is still given whenever the structure could be read, so a report can show
its 001. `warnings` list what was repaired.
"""

import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

import pymarc
from lxml import etree
from pymarc import Field, Indicators, Subfield

from catalog.exceptions import MarcFormatError
from catalog.marc._i18n import _
from catalog.marc.marc8 import decode_marc8
from library.core.vietnamese import clean, detect_legacy, legacy_to_unicode

RECORD_TERMINATOR = 0x1D
FIELD_TERMINATOR = b"\x1e"
SUBFIELD_DELIMITER = "\x1f"
LEADER_LEN = 24
DIRECTORY_ENTRY_LEN = 12
MARCXML_NS = "http://www.loc.gov/MARC21/slim"
# ISO 2709 allows 99,999 bytes; anything longer without a terminator is not a record.
MAX_RECORD_BYTES = 99_999
READ_SIZE = 1 << 16

INDICATOR_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz ")
SUBFIELD_CODE_CHARS = frozenset("0123456789abcdefghijklmnopqrstuvwxyz")
_LEADER_RE = re.compile(rb"\d{5}[\x20-\x7e]{7}\d{5}[\x20-\x7e]{3}4500")
_DIRECTORY_RE = re.compile(rb"(?:[\x20-\x7e]{3}\d{9})*")
_LOOSE_LEADER_RE = re.compile(rb"\d{5}[\x20-\x7e]{19}")
_LEADING_JUNK = b" \t\r\n\x00\x1a\xef\xbb\xbf"
_CONTROL_IN_LEADER = re.compile(r"[^\x20-\x7e]")
_CONTROL_CHARS = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f]")
_UNICODE_VIETNAMESE = re.compile("[ăĂđĐĩĨũŨơƠưƯ\u0300-\u036f\u1ea0-\u1ef9]")
#: 008/35-37 values under which legacy Vietnamese repair may run (see `_CleanState`).
_LEGACY_LANGUAGES = frozenset({"vie", "und", "mul", "", "|||"})


@dataclass
class ReadResult:
    """One record of a file: `index` is 1-based; `offset` is the byte offset (ISO 2709) and
    `line` the line of `<record>` (MARCXML)."""

    index: int
    offset: int | None
    record: pymarc.Record | None
    error: str | None = None
    warnings: list[str] = field(default_factory=list)
    line: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None and self.record is not None


def read_marc(source: str | Path | BinaryIO) -> Iterator[ReadResult]:
    """Yield every record of an ISO 2709 or MARCXML file (path or binary file object).

    Raises `MarcFormatError` before the first record when the file is neither format.
    """
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            yield from _read_handle(handle)
    else:
        yield from _read_handle(source)


def _read_handle(handle: BinaryIO) -> Iterator[ReadResult]:
    kind, items = split_marc(handle)
    if kind == "iso2709":
        for raw in items:
            yield parse_raw(raw)
    else:
        yield from items


#: One ISO 2709 record as cut from the file, not parsed yet: (index, offset, bytes without
#: leading junk, whether a record terminator ended it). Plain data: it can go to another
#: process, and `parse_raw` turns it into the `ReadResult` `read_marc` would give.
RawRecord = tuple[int, int, bytes, bool]


def split_marc(handle: BinaryIO) -> tuple[str, Iterator]:
    """Sniff a binary file: ("iso2709", iterator of `RawRecord`) or ("marcxml", iterator of
    `ReadResult`). Raises `MarcFormatError` when the file is neither (an empty file gives
    ("iso2709", nothing))."""
    head = handle.read(4096)
    if not head:
        return "iso2709", iter(())
    if isinstance(head, str):
        raise MarcFormatError(_("Tệp phải được mở ở chế độ nhị phân (binary)."))
    start = head.lstrip(_LEADING_JUNK)
    if start.startswith(b"<"):
        _check_xml_root(head)
        return "marcxml", _read_xml(_Prefixed(head, handle))
    if not (start[:5].isdigit() or _LEADER_RE.search(head)):
        raise MarcFormatError(
            _("Tệp không phải MARC: không thấy leader ISO 2709 hay thẻ MARCXML ở đầu tệp.")
        )
    return "iso2709", _split_iso2709(head, handle)


class _Prefixed:
    """A binary reader that gives back the bytes already sniffed, then the rest."""

    def __init__(self, head: bytes, handle: BinaryIO) -> None:
        self._head = head
        self._handle = handle

    def read(self, size: int = -1) -> bytes:
        if self._head:
            if size is None or size < 0:
                data, self._head = self._head + self._handle.read(), b""
                return data
            data, self._head = self._head[:size], self._head[size:]
            return data
        return self._handle.read(size)


# ---------------------------------------------------------------------------------------------
# ISO 2709


def _iter_chunks(head: bytes, handle: BinaryIO) -> Iterator[tuple[int, bytes, bool]]:
    """Yield (offset, bytes without terminator, terminated) for each record-sized chunk."""
    buf = head
    start = 0
    base = 0  # file offset of buf[0]
    scan = 0
    skipping = False
    while True:
        end = buf.find(b"\x1d", max(start, scan))
        if end < 0:
            if len(buf) - start > MAX_RECORD_BYTES + 1 and not skipping:
                yield base + start, buf[start : start + MAX_RECORD_BYTES + 1], False
                skipping = True
            more = handle.read(READ_SIZE)
            if not more:
                if not skipping and buf[start:].strip(_LEADING_JUNK):
                    yield base + start, buf[start:], False
                return
            if skipping:
                base += len(buf)
                buf, start, scan = more, 0, 0
            else:
                scan = len(buf) - start
                base += start
                buf, start = buf[start:] + more, 0
            continue
        if not skipping:
            yield base + start, buf[start:end], True
        skipping = False
        start = scan = end + 1


def _split_iso2709(head: bytes, handle: BinaryIO) -> Iterator[RawRecord]:
    index = 0
    for offset, chunk, terminated in _iter_chunks(head, handle):
        stripped = chunk.lstrip(_LEADING_JUNK)
        if not stripped:
            continue
        index += 1
        yield index, offset + len(chunk) - len(stripped), stripped, terminated


def parse_raw(raw: RawRecord) -> ReadResult:
    """Parse one ISO 2709 record cut by `split_marc`."""
    index, offset, stripped, terminated = raw
    warnings: list[str] = []
    if not _LOOSE_LEADER_RE.match(stripped):
        found = _LEADER_RE.search(stripped, 1)
        if found:
            warnings.append(
                _("Đã bỏ qua %(n)d byte không phải MARC trước bản ghi.") % {"n": found.start()}
            )
            offset += found.start()
            stripped = stripped[found.start() :]
    record, errors = _parse_iso_record(stripped, terminated, warnings)
    return ReadResult(
        index=index,
        offset=offset,
        record=record,
        error="; ".join(errors) if errors else None,
        warnings=warnings,
    )


def _parse_iso_record(
    raw: bytes, terminated: bool, warnings: list[str]
) -> tuple[pymarc.Record | None, list[str]]:
    errors: list[str] = []
    if len(raw) < LEADER_LEN + 1:
        if not terminated and raw[:5].isdigit():
            return None, [
                _("Bản ghi bị cắt cụt: tệp kết thúc sau %(n)d byte của bản ghi.") % {"n": len(raw)}
            ]
        return None, [
            _("Không phải bản ghi MARC: chỉ có %(n)d byte, không đủ leader 24 ký tự.")
            % {"n": len(raw)}
        ]
    try:
        leader = raw[:LEADER_LEN].decode("ascii")
    except UnicodeDecodeError:
        return None, [_("Leader hỏng: có byte không phải ASCII.")]
    actual = len(raw) + (1 if terminated else 0)
    if not leader[:5].isdigit():
        return None, [
            _("Leader hỏng: độ dài bản ghi (leader/00-04 = %(value)r) không phải số.")
            % {"value": leader[:5]}
        ]
    declared = int(leader[:5])
    if not terminated and declared > actual:
        errors.append(
            _("Bản ghi bị cắt cụt: leader ghi %(declared)d byte nhưng tệp chỉ còn %(actual)d byte.")
            % {"declared": declared, "actual": actual}
        )
    elif declared != actual:
        warnings.append(
            _(
                "Độ dài trong leader (%(declared)d) khác độ dài thực (%(actual)d) — đã đọc theo dấu kết thúc bản ghi."
            )
            % {"declared": declared, "actual": actual}
        )
    if _CONTROL_IN_LEADER.search(leader):
        leader = _CONTROL_IN_LEADER.sub(" ", leader)
        warnings.append(
            _("Leader có ký tự điều khiển hoặc không phải ASCII — đã thay bằng khoảng trắng.")
        )

    dir_end = raw.find(FIELD_TERMINATOR, LEADER_LEN)
    if dir_end < 0:
        return None, [*errors, _("Thư mục hỏng: không có dấu kết thúc thư mục (0x1E).")]
    base = dir_end + 1
    declared_base = leader[12:17]
    if not declared_base.isdigit() or int(declared_base) != base:
        warnings.append(
            _("Địa chỉ dữ liệu trong leader (%(declared)s) sai — thư mục kết thúc ở byte %(base)d.")
            % {"declared": declared_base, "base": base}
        )
    directory = raw[LEADER_LEN:dir_end]
    if len(directory) % DIRECTORY_ENTRY_LEN:
        return None, [
            *errors,
            _("Thư mục hỏng: dài %(n)d byte, không chia hết cho 12.") % {"n": len(directory)},
        ]
    if not _DIRECTORY_RE.fullmatch(directory):
        for number, i in enumerate(range(0, len(directory), DIRECTORY_ENTRY_LEN), start=1):
            entry = directory[i : i + DIRECTORY_ENTRY_LEN]
            if not _DIRECTORY_RE.fullmatch(entry):
                return None, [
                    *errors,
                    _("Thư mục hỏng: mục thứ %(number)d (%(entry)r) sai cú pháp.")
                    % {"number": number, "entry": entry.decode("latin-1")},
                ]
    text = directory.decode("ascii")
    entries = [
        (text[i : i + 3], int(text[i + 3 : i + 7]), int(text[i + 7 : i + 12]))
        for i in range(0, len(text), DIRECTORY_ENTRY_LEN)
    ]
    if not entries:
        return None, [*errors, _("Bản ghi không có trường nào.")]

    data = raw[base:]
    chunks: list[bytes] = []
    for _tag, length, start in entries:
        piece = data[start : start + length]
        if length < 1 or len(piece) != length or piece[-1] != 0x1E:
            chunks = []
            break
        chunks.append(piece[:-1])
    if not chunks:
        parts = data.split(FIELD_TERMINATOR)
        if parts and not parts[-1].strip():
            parts.pop()
        if len(parts) != len(entries):
            return None, [
                *errors,
                _("Thư mục hỏng: độ dài/vị trí các trường không khớp với dữ liệu."),
            ]
        chunks = parts
        warnings.append(
            _("Thư mục ghi sai độ dài/vị trí trường — đã đọc theo dấu kết thúc trường.")
        )

    decoder = _choose_decoder(leader[9], data, chunks, entries, errors, warnings)
    record = pymarc.Record(leader=leader[:9] + "a" + leader[10:])
    fields = record.fields
    state = _CleanState(_iso_language(entries, chunks, decoder))
    if isinstance(decoder, _Latin1LegacyDecoder):
        state.force_legacy(decoder.encoding)
    for (tag, _length, _start), piece in zip(entries, chunks, strict=True):
        if not tag.isalnum():
            _check_tag(tag, errors)
        if tag < "010" and tag.isdigit():
            fields.append(Field(tag=tag, data=state.clean(decoder.control(piece))))
            continue
        indicators, pairs = decoder.data(piece)
        fields.append(_make_data_field(tag, indicators, pairs, state, errors, warnings))
    decoder.report(errors)
    state.report(warnings)
    _check_title(record, errors)
    return record, errors


# ---------------------------------------------------------------------------------------------
# Encodings


class _Utf8Decoder:
    def __init__(self, errors: str = "strict") -> None:
        self.errors = errors
        self.bad_tags: list[str] = []

    def control(self, piece: bytes) -> str:
        return piece.decode("utf-8", self.errors)

    def data(self, piece: bytes) -> tuple[str, list[tuple[str, str]]]:
        parts = piece.decode("utf-8", self.errors).split(SUBFIELD_DELIMITER)
        return parts[0], [(p[0], p[1:]) for p in parts[1:] if p]

    def report(self, errors: list[str]) -> None:
        pass


class _Latin1LegacyDecoder(_Utf8Decoder):
    """Single-byte legacy Vietnamese: bytes read as Latin-1, converted from `encoding`."""

    def __init__(self, encoding: str) -> None:
        super().__init__()
        self.encoding = encoding

    def control(self, piece: bytes) -> str:
        return piece.decode("latin-1")

    def data(self, piece: bytes) -> tuple[str, list[tuple[str, str]]]:
        parts = piece.decode("latin-1").split(SUBFIELD_DELIMITER)
        return parts[0], [(p[0], p[1:]) for p in parts[1:] if p]


class _Marc8Decoder:
    def __init__(self) -> None:
        self.bad_escape: list[str] = []
        self.unmapped: list[str] = []
        self._tag = ""

    def _decode(self, value: bytes) -> str:
        result = decode_marc8(value)
        if result.bad_escape and self._tag not in self.bad_escape:
            self.bad_escape.append(self._tag)
        if result.unmapped and self._tag not in self.unmapped:
            self.unmapped.append(self._tag)
        return result.text

    def control(self, piece: bytes) -> str:
        return piece.decode("latin-1") if not piece.isascii() else piece.decode("ascii")

    def data(self, piece: bytes) -> tuple[str, list[tuple[str, str]]]:
        parts = piece.split(b"\x1f")
        pairs = []
        for part in parts[1:]:
            if not part:
                continue
            code = chr(part[0]) if part[0] < 0x80 else part[:1].decode("latin-1")
            pairs.append((code, self._decode(part[1:])))
        return parts[0].decode("latin-1"), pairs

    def set_tag(self, tag: str) -> None:
        self._tag = tag

    def report(self, errors: list[str]) -> None:
        if self.bad_escape:
            errors.append(
                _("Mã thoát MARC-8 sai ở trường %(tags)s.") % {"tags": ", ".join(self.bad_escape)}
            )
        if self.unmapped:
            errors.append(
                _(
                    "Ký tự không đọc được theo MARC-8 ở trường %(tags)s (dữ liệu có thể ở bảng mã khác)."
                )
                % {"tags": ", ".join(self.unmapped)}
            )


class _TaggedMarc8:
    """Wraps the MARC-8 decoder so it knows which field it is decoding (for the report)."""

    def __init__(self, entries: list[tuple[str, int, int]]) -> None:
        self.inner = _Marc8Decoder()
        self._tags = iter([tag for tag, _l, _s in entries])

    def control(self, piece: bytes) -> str:
        next(self._tags, None)
        return self.inner.control(piece)

    def data(self, piece: bytes) -> tuple[str, list[tuple[str, str]]]:
        self.inner.set_tag(next(self._tags, ""))
        return self.inner.data(piece)

    def report(self, errors: list[str]) -> None:
        self.inner.report(errors)


def _has_utf8_multibyte(data: bytes) -> bool:
    return re.search(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}", data) is not None


def _legacy_name(text: str) -> str | None:
    found = detect_legacy(text)
    if not found:
        return None
    return found.upper() if isinstance(found, str) else "TCVN3/VNI"


def _marc8_is_clean(chunks: list[bytes]) -> tuple[bool, bool]:
    """(no bad escape, no unmapped character) when every field is decoded as MARC-8."""
    probe = _Marc8Decoder()
    for piece in chunks:
        probe.data(piece)
    return not probe.bad_escape, not probe.unmapped


def _choose_decoder(flag, data, chunks, entries, errors, warnings):
    """Pick the decoder for one record from its bytes; leader/09 is only a hint."""
    if data.isascii():
        if flag != "a" and 0x1B in data:
            return _TaggedMarc8(entries)
        return _Utf8Decoder()
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        pass
    else:
        if flag != "a":
            warnings.append(_("leader/09 ghi MARC-8 nhưng dữ liệu là UTF-8 — đã đọc như UTF-8."))
        return _Utf8Decoder()

    if flag == "a" and _has_utf8_multibyte(data):
        # Mostly UTF-8 with a few broken bytes: the data was damaged, not mislabelled.
        errors.append(
            _("UTF-8 không hợp lệ ở trường %(tags)s.")
            % {"tags": ", ".join(_bad_utf8_tags(chunks, entries))}
        )
        return _Utf8Decoder("replace")
    escapes_ok, mapped_ok = _marc8_is_clean(chunks)
    if escapes_ok and mapped_ok:
        if flag == "a":
            warnings.append(_("leader/09 ghi UTF-8 nhưng dữ liệu là MARC-8 — đã đọc như MARC-8."))
        return _TaggedMarc8(entries)
    # TCVN3/VNI text has no escape sequences; a record with them is MARC-8 gone wrong.
    legacy_code = detect_legacy(data.decode("latin-1")) if 0x1B not in data else None
    legacy = legacy_code.upper() if legacy_code else None
    if legacy:
        warnings.append(
            _("leader/09 ghi UTF-8 nhưng dữ liệu là %(encoding)s — đã chuyển mã sang Unicode.")
            % {"encoding": legacy}
            if flag == "a"
            else _("Đã chuyển mã %(encoding)s sang Unicode.") % {"encoding": legacy}
        )
        return _Latin1LegacyDecoder(legacy_code)
    if flag == "a":
        errors.append(
            _("UTF-8 không hợp lệ ở trường %(tags)s.")
            % {"tags": ", ".join(_bad_utf8_tags(chunks, entries))}
        )
        return _Utf8Decoder("replace")
    return _TaggedMarc8(entries)


def _bad_utf8_tags(chunks: list[bytes], entries: list[tuple[str, int, int]]) -> list[str]:
    tags = []
    for (tag, _l, _s), piece in zip(entries, chunks, strict=True):
        try:
            piece.decode("utf-8")
        except UnicodeDecodeError:
            if tag not in tags:
                tags.append(tag)
    return tags


def _iso_language(entries, chunks, decoder) -> str:
    for (tag, _l, _s), piece in zip(entries, chunks, strict=True):
        if tag == "008":
            return piece[35:38].decode("latin-1")
    return ""


# Detection costs ~100x reading a field; short strings (publishers, places, keywords, genres)
# repeat across a catalogue, so their verdicts are cached (bounded: memory stays flat).
_detect_short = lru_cache(maxsize=50_000)(detect_legacy)


class _CleanState:
    """NFC + `clean()` for every string; remembers legacy repairs for one warning per record.

    Legacy detection works word by word, and a Western word can read as VNI ("Seán" ->
    "Sến"): in a record whose 008/35-37 names a language other than Vietnamese (or und/mul),
    only NFC and the removal of control characters are applied. Strings holding letters
    that Latin-1 cannot (ư, ơ, đ, ạ, ế...) are Unicode already and only normalised.
    """

    def __init__(self, language: str = "") -> None:
        self.legacy: set[str] = set()
        self.allow_legacy = language.strip().lower() in _LEGACY_LANGUAGES
        self.forced: str | None = None

    def force_legacy(self, encoding: str) -> None:
        """The whole record is in `encoding` (decided on all its text): convert every string."""
        self.forced = encoding
        self.allow_legacy = True

    def clean(self, value: str) -> str:
        if value.isascii() and value.isprintable():
            return value
        if self.forced and not value.isascii():
            return clean(legacy_to_unicode(value, self.forced))
        if not self.allow_legacy or _UNICODE_VIETNAMESE.search(value):
            # Already Unicode Vietnamese (letters no legacy text read as Latin-1 can hold):
            # clean() would only normalise.
            return _CONTROL_CHARS.sub("", unicodedata.normalize("NFC", value))
        encoding = _detect_short(value) if len(value) <= 200 else detect_legacy(value)
        if not encoding:
            return _CONTROL_CHARS.sub("", unicodedata.normalize("NFC", value))
        cleaned = clean(value)
        if cleaned != unicodedata.normalize("NFC", value):
            self.legacy.add(encoding.upper())
        return cleaned

    def report(self, warnings: list[str]) -> None:
        for name in sorted(self.legacy):
            message = _("Đã chuyển mã %(encoding)s sang Unicode.") % {"encoding": name}
            if message not in warnings:
                warnings.append(message)


def _check_indicators(tag: str, indicators: str, errors: list[str], warnings: list[str]) -> str:
    """Two valid indicator characters, repaired where the intent is clear.

    Missing indicators, or text where indicators should be (a field without subfield
    delimiters), are errors. A third stray character, a non-breaking space for a blank and
    printable but non-standard characters ('-', '\\', '#', capitals) are kept or fixed with a
    warning: real files carry them and the rest of the field is sound.
    """
    if indicators in _GOOD_INDICATORS:
        return indicators
    if any(c.isspace() and c != " " for c in indicators):
        indicators = "".join(" " if c.isspace() else c for c in indicators)
        warnings.append(
            _("Trường %(tag)s: chỉ thị là khoảng trắng đặc biệt — đã thay bằng khoảng trắng.")
            % {"tag": tag}
        )
    if len(indicators) < 2:
        errors.append(
            _("Chỉ thị sai ở trường %(tag)s: thiếu chỉ thị (có %(value)r, cần đúng 2 ký tự).")
            % {"tag": tag, "value": indicators}
        )
        return (indicators + "  ")[:2]
    if len(indicators) > 3:
        errors.append(
            _("Chỉ thị sai ở trường %(tag)s: %(value)r — trường không có mã trường con.")
            % {"tag": tag, "value": indicators[:40]}
        )
        return "  "
    if not all(" " <= c <= "~" for c in indicators):
        errors.append(
            _("Chỉ thị sai ở trường %(tag)s: %(value)r (cần số, chữ thường hoặc khoảng trắng).")
            % {"tag": tag, "value": indicators}
        )
        return "".join(c if c in INDICATOR_CHARS else " " for c in indicators[:2])
    if len(indicators) == 3:
        warnings.append(
            _("Trường %(tag)s có 3 ký tự chỉ thị %(value)r — đã bỏ ký tự thừa.")
            % {"tag": tag, "value": indicators}
        )
        indicators = indicators[:2]
    if not (indicators[0] in INDICATOR_CHARS and indicators[1] in INDICATOR_CHARS):
        warnings.append(
            _("Trường %(tag)s: chỉ thị không chuẩn %(value)r — giữ nguyên.")
            % {"tag": tag, "value": indicators}
        )
    return indicators


_GOOD_INDICATORS = frozenset(a + b for a in INDICATOR_CHARS for b in INDICATOR_CHARS)


def _make_data_field(
    tag: str,
    indicators: str,
    pairs: list[tuple[str, str]],
    state: _CleanState,
    errors: list[str],
    warnings: list[str],
) -> Field:
    if len(indicators) > 3 and not pairs and tag[:1] == "9":
        # Local 9XX fields written without subfield delimiters: keep the text in $a.
        warnings.append(
            _("Trường cục bộ %(tag)s không có mã trường con — đã giữ nội dung trong $a.")
            % {"tag": tag}
        )
        indicators, pairs = indicators[:2], [("a", indicators[2:])]
    if indicators not in _GOOD_INDICATORS:
        indicators = _check_indicators(tag, indicators, errors, warnings)
    subfields = []
    odd_codes = []
    for code, value in pairs:
        if code not in SUBFIELD_CODE_CHARS:
            if " " <= code <= "~":
                if code not in odd_codes:
                    odd_codes.append(code)
            else:
                reason = (
                    _(" (ký tự thay thế U+FFFD: UTF-8 không hợp lệ trong tệp gốc)")
                    if code == "\ufffd"
                    else ""
                )
                errors.append(
                    _("Mã trường con sai ở trường %(tag)s: %(code)r%(reason)s.")
                    % {"tag": tag, "code": code, "reason": reason}
                )
        if not (value.isascii() and value.isprintable()):
            value = state.clean(value)
        subfields.append(Subfield(code, value))
    if odd_codes:
        warnings.append(
            _("Trường %(tag)s có mã trường con không chuẩn %(codes)s — giữ nguyên.")
            % {"tag": tag, "codes": ", ".join(repr(c) for c in odd_codes)}
        )
    return _data_field(tag, Indicators(indicators[0], indicators[1]), subfields)


_new_field = Field.__new__


def _data_field(tag: str, indicators: Indicators, subfields: list[Subfield]) -> Field:
    """`Field(tag, indicators, subfields)` for a tag that is not a control field's, without
    pymarc's argument checks (the reader has made these values itself)."""
    if tag < "010" and tag.isdigit() or len(tag) != 3:
        return Field(tag, indicators, subfields)
    f = _new_field(Field)
    f.tag = tag
    f.data = None
    f.control_field = False
    f._indicators = indicators
    f.subfields = subfields
    return f


def _check_title(record: pymarc.Record, errors: list[str]) -> None:
    for f in record.fields:
        if f.tag == "245":
            if any(code in "aknp" and value.strip() for code, value in f.subfields):
                return
            errors.append(_("Trường 245 không có nhan đề ($a)."))
            return
    if any(f.tag == "200" and not f.control_field for f in record.fields):
        errors.append(_("Thiếu trường 245 (nhan đề) — bản ghi có vẻ là UNIMARC (trường 200)."))
    else:
        errors.append(_("Thiếu trường 245 (nhan đề)."))


# ---------------------------------------------------------------------------------------------
# MARCXML

_ROOT_RE = re.compile(rb"<([A-Za-z_][\w.-]*:)?([A-Za-z_][\w.-]*)[\s>/]")


def _check_xml_root(head: bytes) -> None:
    text = re.sub(rb"<\?.*?\?>|<!--.*?-->|<!DOCTYPE[^>]*>", b"", head, flags=re.S)
    match = _ROOT_RE.search(text)
    if match and match.group(2) not in (b"collection", b"record"):
        raise MarcFormatError(
            _(
                "Tệp XML không phải MARCXML: phần tử gốc là <%(name)s>, cần <collection> hoặc <record>."
            )
            % {"name": match.group(2).decode("ascii", "replace")}
        )


def _local(tag: object) -> str:
    if not isinstance(tag, str):
        return ""
    return tag.rpartition("}")[2]


def _read_xml(handle) -> Iterator[ReadResult]:
    parser = etree.iterparse(
        handle,
        events=("end",),
        tag="{*}record",
        resolve_entities=False,
        no_network=True,
        huge_tree=True,
        remove_comments=True,
        remove_pis=True,
    )
    index = 0
    try:
        for _event, elem in parser:
            parent = elem.getparent()
            if parent is not None and _local(parent.tag) not in ("collection", ""):
                continue  # a <record> nested in something else is not a MARC record
            index += 1
            yield _xml_record(index, elem)
            elem.clear(keep_tail=False)
            if parent is not None:
                while elem.getprevious() is not None:
                    del parent[0]
    except etree.XMLSyntaxError as exc:
        line = exc.position[0] if exc.position else None
        yield ReadResult(
            index=index + 1,
            offset=None,
            record=None,
            error=_("XML hỏng ở dòng %(line)s: %(message)s — dừng đọc tệp.")
            % {"line": line, "message": exc.msg},
            line=line,
        )


def _xml_record(index: int, elem) -> ReadResult:
    errors: list[str] = []
    warnings: list[str] = []
    language = ""
    for child in elem:
        if _local(child.tag) == "controlfield" and child.get("tag") == "008":
            language = (child.text or "")[35:38]
    state = _CleanState(language)
    leader = None
    fields: list[Field] = []
    for child in elem:
        name = _local(child.tag)
        if name == "leader":
            leader = child.text or ""
        elif name == "controlfield":
            tag = (child.get("tag") or "").strip()
            _check_tag(tag, errors)
            fields.append(Field(tag=tag, data=state.clean(child.text or "")))
        elif name == "datafield":
            tag = (child.get("tag") or "").strip()
            _check_tag(tag, errors)
            ind1, ind2 = child.get("ind1"), child.get("ind2")
            if ind1 is None or ind2 is None or len(ind1) != 1 or len(ind2) != 1:
                errors.append(
                    _(
                        "Chỉ thị sai ở trường %(tag)s: ind1=%(ind1)r, ind2=%(ind2)r (mỗi chỉ thị đúng 1 ký tự)."
                    )
                    % {"tag": tag, "ind1": ind1, "ind2": ind2}
                )
                ind1, ind2 = (ind1 or " ")[:1], (ind2 or " ")[:1]
            indicators = ind1 + ind2
            pairs = [
                ((sub.get("code") or ""), sub.text or "")
                for sub in child
                if _local(sub.tag) == "subfield"
            ]
            for code, _value in pairs:
                if len(code) != 1 and code.strip():
                    errors.append(
                        _("Mã trường con sai ở trường %(tag)s: %(code)r.")
                        % {"tag": tag, "code": code}
                    )
            pairs = [(code[:1] or " ", value) for code, value in pairs]
            field_ = _make_data_field(tag or "???", indicators, pairs, state, errors, warnings)
            fields.append(field_)
    if leader is None:
        warnings.append(_("Thiếu leader — đã dùng leader mặc định."))
        leader = "     nam a22     7a 4500"
    if len(leader) != LEADER_LEN:
        errors.append(_("Leader phải dài 24 ký tự (có %(n)d).") % {"n": len(leader)})
        leader = (leader + " " * LEADER_LEN)[:LEADER_LEN]
    if _CONTROL_IN_LEADER.search(leader):
        leader = _CONTROL_IN_LEADER.sub(" ", leader)
        warnings.append(
            _("Leader có ký tự điều khiển hoặc không phải ASCII — đã thay bằng khoảng trắng.")
        )
    record = pymarc.Record(leader=leader[:9] + "a" + leader[10:])
    record.fields = fields
    state.report(warnings)
    _check_title(record, errors)
    return ReadResult(
        index=index,
        offset=None,
        record=record,
        error="; ".join(errors) if errors else None,
        warnings=warnings,
        line=elem.sourceline,
    )


def _check_tag(tag: str, errors: list[str]) -> None:
    if len(tag) != 3 or not (tag.isascii() and tag.isalnum()):
        errors.append(_("Thẻ trường sai: %(tag)r (cần 3 chữ số hoặc chữ cái).") % {"tag": tag})
