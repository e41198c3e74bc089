"""MARC21 bibliographic record -> `RecordData`, the flat columns the catalogue sorts and
filters on. Pure: pymarc in, a frozen dataclass out.

Field rules (MARC21 tags and subfields):

- title: 245 $a $b $n $p, in record order. ISBD punctuation between parts is kept as
  catalogued; where it is missing, " : " goes before $b and ". " before $n/$p. Trailing
  " /", " :", " ;", " =", "," and a final full stop (not after an initial like "B." or
  an abbreviation like "U.S.") are trimmed. `title_nonfiling` is 245 ind2.
- title_statement: 245 $c. authors: 100/110/111 then 700/710/711, $a with $b $q $d
  ($d after a comma), trailing punctuation trimmed, duplicates dropped. main_author: the
  1XX name ("" when the record has title main entry).
- publisher/place/year: 264 with ind2 '1' (else any 264), else 260: $b/$a; year from $c,
  else 008/07-10. edition: 250 $a.
- isbns: 020 $a as ISBN-13 (ISBN-10 converted), checksums verified; the rest go to
  invalid_isbns as written. 020 $z (cancelled ISBN) is ignored.
- languages: 008/35-37 then 041 $a (a run like "engfre" is split in threes).
- classification: 082 $a (scheme "ddc", edition from $2: "23", "14"...), else 084 $a
  with its $2 as the scheme (lower-cased: "19-class", "bbk"; "other" when $2 is missing).
  Prime marks "/" and "'" are removed from DDC numbers.
- subjects: 600/610/611/630/650/651 $a + $x $y $z $v joined with " -- "; 653 every $a.
- series: 490 $a, 440 $a, 830 $a.
- grade_levels: 521 $a read in Vietnamese or English ("Lớp 6", "lớp 6-7", "Khối 10",
  "Lớp 6, 7", "Grade 6", "Grades 6-8"; "Tiểu học" = 1-5, "THCS" = 6-9, "THPT" = 10-12).
- mon_hoc: 658 $a (curriculum objective). No local field is read for it.
- textbook_series: the local field 911 $a ("Bộ sách giáo khoa", written by
  `catalog.marc.build`); when the record has no 911, the first 490/440/830 $a that names a
  known textbook set (`TEXTBOOK_SERIES`, compared without tone marks) gives that set's
  canonical name.
- links: every 856 $u with the field's $y, else $3, else $z as label.
- record_type: leader/06-07 to stable English keys (see `RECORD_TYPES`).
- notes: $a of every 5XX. physical_description: 300 $a; pages: the largest number before a
  page unit in 300 $a ("245 tr.", "xii, 300 p.", "150 trang").
"""

import re
from dataclasses import dataclass, field

import pymarc

from catalog.marc.isbn import normalize, to_isbn13
from library.core.vietnamese import fold

TEXTBOOK_SERIES_FIELD = "911"

#: Canonical names of the textbook sets of the GDPT 2018 programme.
TEXTBOOK_SERIES = (
    "Kết nối tri thức với cuộc sống",
    "Chân trời sáng tạo",
    "Cánh Diều",
    "Cùng học để phát triển năng lực",
    "Vì sự bình đẳng và dân chủ trong giáo dục",
)
_TEXTBOOK_SERIES_FOLDED = tuple((fold(name), name) for name in TEXTBOOK_SERIES)

#: leader/06 -> key; 'a' and 't' also look at leader/07 for serials.
RECORD_TYPES = {
    "a": "book",
    "t": "manuscript",
    "c": "music",
    "d": "music",
    "j": "music",
    "i": "sound",
    "e": "map",
    "f": "map",
    "g": "video",
    "k": "image",
    "m": "computer file",
    "o": "kit",
    "p": "mixed",
    "r": "object",
}

SUBJECT_TAGS = ("600", "610", "611", "630", "650", "651")
_SUBJECT_CODES = "axyzv"


@dataclass(frozen=True)
class RecordData:
    title: str = ""
    title_statement: str = ""
    title_nonfiling: int = 0
    authors: list[str] = field(default_factory=list)
    main_author: str = ""
    main_author_is_person: bool = True
    publisher: str = ""
    place: str = ""
    year: int | None = None
    edition: str = ""
    isbns: list[str] = field(default_factory=list)
    invalid_isbns: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    classification_scheme: str = ""
    classification: str = ""
    classification_edition: str = ""
    subjects: list[str] = field(default_factory=list)
    series: list[str] = field(default_factory=list)
    grade_levels: list[int] = field(default_factory=list)
    mon_hoc: list[str] = field(default_factory=list)
    textbook_series: str = ""
    links: list[tuple[str, str]] = field(default_factory=list)
    record_type: str = ""
    control_number: str = ""
    control_number_identifier: str = ""
    notes: list[str] = field(default_factory=list)
    physical_description: str = ""
    pages: int | None = None


# ---------------------------------------------------------------------------------------------
# Punctuation

_LEADING_ISBD = re.compile(r"^[\s/:;=,]+")
_ISBD_MARKS = frozenset("/:;=,")


def _rstrip_isbd(text: str) -> str:
    """`re.sub(r"[\\s/:;=,]+$", "", text)` without the regex, which tried a match at every
    space of the text (a quarter of the mapping's time on long notes)."""
    end = len(text)
    while end and (text[end - 1] in _ISBD_MARKS or text[end - 1].isspace()):
        end -= 1
    return text[:end]


def trim_punctuation(text: str) -> str:
    """Drop trailing ISBD punctuation and a final full stop that is not part of an initial
    or abbreviation: "Aristocrats of color :" -> "Aristocrats of color", "1841-1898." ->
    "1841-1898"; "Gatewood, Willard B.", "245 tr.", "xii, 300 p.", "U.S." keep theirs (a
    last word of one or two letters before the stop is taken as an abbreviation)."""
    text = _rstrip_isbd(text.strip())
    if text.endswith(".") and not text.endswith(".."):
        body = text.rsplit(None, 1)[-1][:-1]
        if any(c.isdigit() for c in body) or not (len(body) <= 2 or "." in body):
            text = _rstrip_isbd(text[:-1])
    return text.strip()


def _values(rec: pymarc.Record, tags, codes: str) -> list[str]:
    out = []
    for f in rec.get_fields(*tags):
        if f.control_field:
            continue
        for code, value in f.subfields:
            if code in codes and value.strip():
                out.append(value.strip())
    return out


def _dedupe(items):
    seen = set()
    out = []
    for item in items:
        if item and item not in seen:
            seen.add(item)
            out.append(item)
    return out


def _first_data_field(rec: pymarc.Record, *tags: str) -> pymarc.Field | None:
    for f in rec.get_fields(*tags):
        if not f.control_field:
            return f
    return None


def _control(rec: pymarc.Record, tag: str) -> str:
    for f in rec.get_fields(tag):
        if f.control_field and f.data:
            return f.data
    return ""


# ---------------------------------------------------------------------------------------------
# Title and names


def title_of(f: pymarc.Field | None) -> str:
    if f is None:
        return ""
    parts: list[str] = []
    for code, raw in f.subfields:
        if code not in "abnp":
            continue
        value = _LEADING_ISBD.sub("", raw.strip()) if parts else raw.strip()
        if not value:
            continue
        if parts:
            previous = parts[-1].rstrip()
            if code == "b" and not previous.endswith((":", ";", "=", "/", ".", ",")):
                parts[-1] = previous + " :"
            elif code in "np" and not previous.endswith((".", ",", ":", ";")):
                parts[-1] = previous + "."
        parts.append(value)
    return trim_punctuation(" ".join(parts))


def name_of(f: pymarc.Field) -> str:
    """Heading of a 1XX/7XX name field: $a with $b $q, then ", $d"."""
    head: list[str] = []
    dates = ""
    for code, value in f.subfields:
        value = value.strip()
        if not value:
            continue
        if code in "abcq" and (code == "a" or f.tag[1:] != "11"):
            head.append(trim_punctuation(value) if code != "a" else value.rstrip(" ,;:/"))
        elif code == "n" and f.tag[1:] == "11":
            head.append(trim_punctuation(value))
        elif code == "d" and not dates:
            dates = trim_punctuation(value)
    name = trim_punctuation(" ".join(head))
    if dates:
        name = f"{name}, {dates}" if name else dates
    return name


# ---------------------------------------------------------------------------------------------
# Years, pages, languages, grades

_YEAR = re.compile(r"(?<!\d)(1[0-9]{3}|20[0-9]{2})(?!\d)")
_PAGES = re.compile(
    r"(\d+)\s*\]?\s*(?:tr\b|tr\.|trang\b|p\b|p\.|pp\b|pp\.|pages?\b|tờ\b|s\.)", re.IGNORECASE
)


def year_from(text: str) -> int | None:
    match = _YEAR.search(text or "")
    return int(match.group(1)) if match else None


def pages_from(text: str) -> int | None:
    numbers = [int(n) for n in _PAGES.findall(text or "")]
    return max(numbers) if numbers else None


def _languages(rec: pymarc.Record) -> list[str]:
    codes: list[str] = []
    fixed = _control(rec, "008")
    if len(fixed) >= 38:
        code = fixed[35:38].lower()
        if code.isalpha() and code.isascii():
            codes.append(code)
    for value in _values(rec, ("041",), "a"):
        compact = re.sub(r"[^a-zA-Z]", "", value).lower()
        if len(compact) % 3 == 0:
            codes.extend(compact[i : i + 3] for i in range(0, len(compact), 3))
    return _dedupe(codes)


_LEVELS = (
    (re.compile(r"\btieu hoc\b"), range(1, 6)),
    (re.compile(r"\b(?:thcs|trung hoc co so)\b"), range(6, 10)),
    (re.compile(r"\b(?:thpt|trung hoc pho thong)\b"), range(10, 13)),
)
_GRADE_RUN = re.compile(
    r"\b(?:lop|khoi|grades?|class(?:es)?)\s*[:.]?\s*"
    r"(\d{1,2}(?:\s*(?:-|–|—|,|;|/|&|\bva\b|\band\b|\bden\b|\bto\b)\s*\d{1,2})*)"
)
_GRADE_PART = re.compile(r"(\d{1,2})(?:\s*(?:-|–|—|\bden\b|\bto\b)\s*(\d{1,2}))?")


def grade_levels_from(text: str) -> list[int]:
    """Grades 1..12 named in a 521 $a, Vietnamese or English."""
    folded = fold(text or "")
    grades: set[int] = set()
    for run in _GRADE_RUN.finditer(folded):
        for low, high in _GRADE_PART.findall(run.group(1)):
            start = int(low)
            stop = int(high) if high else start
            if start > stop:
                start, stop = stop, start
            grades.update(g for g in range(start, stop + 1) if 1 <= g <= 12)
    for pattern, span in _LEVELS:
        if pattern.search(folded):
            grades.update(span)
    return sorted(grades)


def textbook_series_of(name: str) -> str:
    """The canonical textbook set named in `name` (tone marks ignored), or "". A name of at
    least 8 letters that begins a set's name counts: "Kết nối tri thức" is the KNTT set."""
    folded = " ".join(fold(name or "").split())
    for key, canonical in _TEXTBOOK_SERIES_FOLDED:
        if key in folded or (len(folded) >= 8 and key.startswith(folded)):
            return canonical
    return ""


def record_type_of(leader: str) -> str:
    kind = leader[6:7]
    level = leader[7:8]
    if kind in ("a", "t") and level in ("b", "i", "s"):
        return "serial"
    return RECORD_TYPES.get(kind, "other")


# ---------------------------------------------------------------------------------------------


class _ByTag:
    """A record's fields looked up by tag: `get_fields` as pymarc gives it (record order),
    without scanning every field for each of the dozen lookups of `record_to_data`."""

    __slots__ = ("fields", "leader", "_tags")

    def __init__(self, rec: pymarc.Record) -> None:
        self.fields = rec.fields
        self.leader = rec.leader
        tags: dict[str, list] = {}
        for f in rec.fields:
            found = tags.get(f.tag)
            if found is None:
                tags[f.tag] = [f]
            else:
                found.append(f)
        self._tags = tags

    def get_fields(self, *tags: str) -> list:
        if len(tags) == 1:
            return self._tags.get(tags[0], [])
        present = [t for t in tags if t in self._tags]
        if len(present) <= 1:
            return self._tags[present[0]] if present else []
        return [f for f in self.fields if f.tag in present]


def record_to_data(rec: pymarc.Record) -> RecordData:
    """Flatten one MARC21 bibliographic record (see the module docstring for the rules)."""
    rec = _ByTag(rec)  # type: ignore[assignment]
    f245 = _first_data_field(rec, "245")
    nonfiling = 0
    if f245 is not None and f245.indicators and f245.indicators[1].isdigit():
        nonfiling = int(f245.indicators[1])

    main = _first_data_field(rec, "100", "110", "111")
    main_author = name_of(main) if main is not None else ""
    authors = [name_of(f) for f in rec.get_fields("100", "110", "111") if not f.control_field]
    authors += [name_of(f) for f in rec.get_fields("700", "710", "711") if not f.control_field]

    pub = None
    for f in rec.get_fields("264"):
        if not f.control_field and f.indicators and f.indicators[1] == "1":
            pub = f
            break
    pub = pub or _first_data_field(rec, "264") or _first_data_field(rec, "260")
    publisher = place = ""
    year = None
    if pub is not None:
        publisher = trim_punctuation(next(iter(pub.get_subfields("b")), ""))
        place = trim_punctuation(next(iter(pub.get_subfields("a")), ""))
        year = year_from(" ".join(pub.get_subfields("c")))
    fixed = _control(rec, "008")
    if year is None and len(fixed) >= 11 and fixed[7:11].isdigit() and fixed[7:11] != "9999":
        year = int(fixed[7:11])

    isbns: list[str] = []
    invalid: list[str] = []
    for raw in _values(rec, ("020",), "a"):
        isbn13 = to_isbn13(raw)
        if isbn13:
            isbns.append(isbn13)
        elif normalize(raw) or any(c.isdigit() for c in raw):
            invalid.append(raw)

    scheme = notation = edition_of_scheme = ""
    f082 = _first_data_field(rec, "082")
    f084 = _first_data_field(rec, "084")
    if f082 is not None and f082.get_subfields("a"):
        scheme = "ddc"
        notation = re.sub(r"['/]", "", f082.get_subfields("a")[0]).strip()
        edition_of_scheme = next(iter(f082.get_subfields("2")), "").strip()
    elif f084 is not None and f084.get_subfields("a"):
        scheme = (next(iter(f084.get_subfields("2")), "") or "other").strip().lower()
        notation = f084.get_subfields("a")[0].strip()

    subjects: list[str] = []
    for f in rec.get_fields(*SUBJECT_TAGS, "653"):
        if f.control_field:
            continue
        if f.tag == "653":
            subjects.extend(trim_punctuation(v) for v in f.get_subfields("a"))
            continue
        parts = [trim_punctuation(v) for c, v in f.subfields if c in _SUBJECT_CODES]
        subjects.append(" -- ".join(p for p in parts if p))

    series = _dedupe(trim_punctuation(v) for v in _values(rec, ("490", "440", "830"), "a"))
    textbook = next(iter(_values(rec, (TEXTBOOK_SERIES_FIELD,), "a")), "")
    if textbook:
        textbook = textbook_series_of(textbook) or trim_punctuation(textbook)
    else:
        textbook = next((s for s in map(textbook_series_of, series) if s), "")

    grades: set[int] = set()
    for value in _values(rec, ("521",), "a"):
        grades.update(grade_levels_from(value))

    links = []
    for f in rec.get_fields("856"):
        if f.control_field:
            continue
        label = next(
            (f.get_subfields(c)[0].strip() for c in "y3z" if f.get_subfields(c)),
            "",
        )
        links.extend((url.strip(), label) for url in f.get_subfields("u") if url.strip())

    notes = [
        v.strip()
        for f in rec.fields
        if f.tag.startswith("5") and f.tag != "521" and not f.control_field
        for v in f.get_subfields("a")
        if v.strip()
    ]
    physical = " ".join(_values(rec, ("300",), "a")[:1])

    return RecordData(
        title=title_of(f245),
        title_statement=trim_punctuation(" ".join(f245.get_subfields("c")))
        if f245 is not None
        else "",
        title_nonfiling=nonfiling,
        authors=_dedupe(authors),
        main_author=main_author,
        main_author_is_person=main is not None and main.tag == "100",
        publisher=publisher,
        place=place,
        year=year,
        edition=trim_punctuation(next(iter(_values(rec, ("250",), "a")), "")),
        isbns=_dedupe(isbns),
        invalid_isbns=_dedupe(invalid),
        languages=_languages(rec),
        classification_scheme=scheme,
        classification=notation,
        classification_edition=edition_of_scheme,
        subjects=_dedupe(subjects),
        series=series,
        grade_levels=sorted(grades),
        mon_hoc=_dedupe(trim_punctuation(v) for v in _values(rec, ("658",), "a")),
        textbook_series=textbook,
        links=_dedupe(links),
        record_type=record_type_of(str(rec.leader)),
        control_number=_control(rec, "001").strip(),
        control_number_identifier=_control(rec, "003").strip(),
        notes=notes,
        physical_description=trim_punctuation(physical),
        pages=pages_from(physical),
    )


# ---------------------------------------------------------------------------------------------
# Call numbers


def _letters(text: str, count: int = 3) -> str:
    letters = [c for c in text if c.isalpha()]
    return "".join(letters[:count]).upper()


def call_number_parts(data: RecordData, letters: int = 3) -> tuple[str, str]:
    """(classification, author mark) for a spine label.

    Vietnamese school practice: the mark is the first `letters` letters, upper-cased, with
    their Vietnamese marks kept, of
    - a Vietnamese-style personal name in direct order ("Nguyễn Nhật Ánh"): the given name,
      i.e. its last word -> "ÁNH";
    - an inverted personal name ("Gatewood, Willard B."): the surname before the comma
      -> "GAT";
    - a corporate name: its first word;
    - the title when there is no main author, after the nonfiling characters ("Toán 6" ->
      "TOÁ").
    """
    name = data.main_author.strip()
    if name:
        if data.main_author_is_person:
            if "," in name:
                basis = name.split(",", 1)[0]
            else:
                words = [w for w in name.split() if any(c.isalpha() for c in w)]
                basis = words[-1] if words else name
        else:
            basis = name
    else:
        basis = data.title[data.title_nonfiling :] if data.title_nonfiling else data.title
    return data.classification, _letters(basis, letters)
