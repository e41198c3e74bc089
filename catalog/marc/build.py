"""The simple cataloguing form -> a valid MARC21 bibliographic record.

`build_record(data, template, entered=...)` writes: leader (type 'a', level 'm', or 's' for
a periodical, encoding 'a'; pymarc recomputes the lengths), 008 (40 characters: date
entered, date type, year, place 'vm ', audience from the grades, language), 020, 041,
082 (DDC; $2 edition) or 084 ($2 scheme), 100 + 700, 245 (ind1 1 when there is a 1XX,
ind2 0 nonfiling characters), 250, 264 _1, 300, 490, 500, 521, 650, 653, 655 (genre of
the template), 658 and the local 911 $a (textbook series, see `catalog.marc.mapping`).

The date entered is an argument: pure code does not read the clock.
"""

import datetime
from dataclasses import dataclass, field

import pymarc
from pymarc import Field, Indicators, Subfield

from catalog.exceptions import MarcTemplateError
from catalog.marc._i18n import _
from catalog.marc.isbn import hyphenless, to_isbn13
from catalog.marc.mapping import TEXTBOOK_SERIES_FIELD, textbook_series_of

#: Template key -> Vietnamese label, for the form's choices.
TEMPLATES = {
    "textbook": "Sách giáo khoa (SGK)",
    "teachers_guide": "Sách giáo viên (SGV)",
    "reference": "Sách tham khảo",
    "periodical": "Báo, tạp chí",
}


@dataclass(frozen=True)
class TemplateSettings:
    bibliographic_level: str  # leader/07
    genre: str  # 655 $a
    audience: str  # 008/22 when no grade is given


TEMPLATE_SETTINGS = {
    "textbook": TemplateSettings("m", "Sách giáo khoa", ""),
    "teachers_guide": TemplateSettings("m", "Sách giáo viên", "e"),
    "reference": TemplateSettings("m", "Sách tham khảo", ""),
    "periodical": TemplateSettings("s", "Tạp chí", ""),
}

#: Scheme key -> label. "ddc" and "ddc14" go to 082, the others to 084 with the key in $2.
CLASSIFICATION_SCHEMES = {
    "ddc": "DDC 23",
    "ddc14": "DDC 14 rút gọn",
    "19-class": "Khung phân loại 19 lớp",
    "bbk": "BBK",
}


@dataclass(frozen=True)
class SimpleRecordInput:
    title: str
    subtitle: str = ""
    statement: str = ""  # 245 $c; the authors joined with ", " when empty
    authors: list[str] = field(default_factory=list)  # the first is the main author
    publisher: str = ""
    place: str = ""
    year: int | None = None
    isbn: str = ""  # one or several, separated by ";" or ","
    edition: str = ""
    pages: int | None = None
    classification_scheme: str = ""
    classification: str = ""
    subjects: list[str] = field(default_factory=list)  # 650
    keywords: list[str] = field(default_factory=list)  # 653
    grade_levels: list[int] = field(default_factory=list)
    mon_hoc: list[str] = field(default_factory=list)
    textbook_series: str = ""
    series: str = ""
    language: str = "vie"
    notes: str = ""  # one 500 per non-empty line
    control_number: str = ""
    control_number_identifier: str = ""


def _sf(*pairs: tuple[str, str]) -> list[Subfield]:
    return [Subfield(code, value) for code, value in pairs if value]


def _entered(value: datetime.date | str) -> str:
    if isinstance(value, datetime.date):
        return value.strftime("%y%m%d")
    if len(value) != 6 or not value.isdigit():
        raise ValueError("entered must be a date or YYMMDD")
    return value


def _audience(grades: list[int], default: str) -> str:
    if not grades:
        return default or " "
    low = min(grades)
    if low <= 3:
        return "b"  # primary
    if low <= 8:
        return "c"  # pre-adolescent
    return "d"  # adolescent


def _field_008(data: SimpleRecordInput, settings: TemplateSettings, entered: str) -> str:
    year = f"{data.year:04d}" if data.year else "uuuu"
    language = (data.language or "vie").lower()[:3].ljust(3)
    if settings.bibliographic_level == "s":
        dates = ("c" if data.year else "u") + year + "9999"
        body = (
            "vm "  # 15-17 place of publication
            + "||"  # 18 frequency, 19 regularity: no attempt to code
            + " "  # 20 undefined
            + "p"  # 21 type of continuing resource: periodical
            + "   "  # 22 form of original, 23 form of item, 24 nature of entire work
            + "   "  # 25-27 nature of contents
            + " "  # 28 government publication
            + "0"  # 29 conference publication
            + "   "  # 30-32 undefined
            + " "  # 33 original alphabet: not given
            + "0"  # 34 entry convention: successive entry
        )
    else:
        dates = ("s" + year + "    ") if data.year else ("n" + "uuuu" + "    ")
        body = (
            "vm "  # 15-17 place of publication
            + "    "  # 18-21 illustrations
            + _audience(data.grade_levels, settings.audience)  # 22 target audience
            + " "  # 23 form of item
            + "    "  # 24-27 nature of contents
            + " "  # 28 government publication
            + "000"  # 29 conference, 30 festschrift, 31 index
            + " "  # 32 undefined
            + "0"  # 33 literary form: not fiction
            + " "  # 34 biography
        )
    value = entered + dates + body + language + " " + "d"
    assert len(value) == 40, (len(value), value)
    return value


def _person_indicator(name: str) -> str:
    # Inverted "Surname, Forename" is 1; a name in direct order (Vietnamese usage) is 0.
    return "1" if "," in name else "0"


def _isbns(raw: str) -> list[str]:
    return [p.strip() for p in raw.replace(";", ",").split(",") if p.strip()]


def build_record(
    data: SimpleRecordInput, template: str, *, entered: datetime.date | str
) -> pymarc.Record:
    """A MARC21 record for the simple form; `entered` is the 008/00-05 date."""
    if template not in TEMPLATE_SETTINGS:
        raise MarcTemplateError(
            _("Mẫu biên mục không tồn tại: %(template)s.") % {"template": template}
        )
    settings = TEMPLATE_SETTINGS[template]
    leader = "     na" + settings.bibliographic_level + " a22     7i 4500"
    record = pymarc.Record(leader=leader, force_utf8=True)
    add = record.add_field

    if data.control_number:
        add(Field(tag="001", data=data.control_number))
    if data.control_number_identifier:
        add(Field(tag="003", data=data.control_number_identifier))
    add(Field(tag="008", data=_field_008(data, settings, _entered(entered))))

    for raw in _isbns(data.isbn):
        isbn13 = to_isbn13(raw)
        code = "a" if isbn13 else "z"  # $z: cancelled/invalid ISBN, kept as typed
        add(
            Field(
                tag="020",
                indicators=Indicators(" ", " "),
                subfields=_sf((code, isbn13 or hyphenless(raw))),
            )
        )
    language = (data.language or "vie").lower()
    add(Field(tag="041", indicators=Indicators("0", " "), subfields=_sf(("a", language))))

    scheme = (data.classification_scheme or "").strip().lower()
    notation = data.classification.strip()
    if notation:
        if scheme in ("ddc", ""):
            add(
                Field(
                    tag="082",
                    indicators=Indicators("0", "4"),
                    subfields=_sf(("a", notation), ("2", "23")),
                )
            )
        elif scheme == "ddc14":
            add(
                Field(
                    tag="082",
                    indicators=Indicators("1", "4"),
                    subfields=_sf(("a", notation), ("2", "14")),
                )
            )
        else:
            add(
                Field(
                    tag="084",
                    indicators=Indicators(" ", " "),
                    subfields=_sf(("a", notation), ("2", scheme)),
                )
            )

    authors = [a.strip() for a in data.authors if a.strip()]
    if authors:
        main = authors[0]
        add(
            Field(
                tag="100",
                indicators=Indicators(_person_indicator(main), " "),
                subfields=_sf(("a", main)),
            )
        )

    title = data.title.strip()
    subtitle = data.subtitle.strip()
    statement = data.statement.strip() or ", ".join(authors)
    a_value = title + (" :" if subtitle else (" /" if statement else ""))
    b_value = subtitle + (" /" if subtitle and statement else "")
    add(
        Field(
            tag="245",
            indicators=Indicators("1" if authors else "0", "0"),
            subfields=_sf(("a", a_value), ("b", b_value), ("c", statement)),
        )
    )
    if data.edition.strip():
        add(
            Field(
                tag="250",
                indicators=Indicators(" ", " "),
                subfields=_sf(("a", data.edition.strip())),
            )
        )

    place, publisher = data.place.strip(), data.publisher.strip()
    year = str(data.year) if data.year else ""
    if place or publisher or year:
        pairs = [
            ("a", place + (" :" if place and publisher else (" ," if place and year else ""))),
            ("b", publisher + ("," if publisher and year else "")),
            ("c", year),
        ]
        add(Field(tag="264", indicators=Indicators(" ", "1"), subfields=_sf(*pairs)))
    if data.pages:
        add(
            Field(
                tag="300",
                indicators=Indicators(" ", " "),
                subfields=_sf(("a", f"{data.pages} tr.")),
            )
        )

    textbook = data.textbook_series.strip()
    textbook = textbook_series_of(textbook) or textbook
    if data.series.strip():
        add(
            Field(
                tag="490",
                indicators=Indicators("0", " "),
                subfields=_sf(("a", data.series.strip())),
            )
        )
    for line in data.notes.splitlines():
        if line.strip():
            add(
                Field(
                    tag="500", indicators=Indicators(" ", " "), subfields=_sf(("a", line.strip()))
                )
            )
    grades = sorted({g for g in data.grade_levels if 1 <= g <= 12})
    if grades:
        text = "Lớp " + ", ".join(str(g) for g in grades)
        add(Field(tag="521", indicators=Indicators("8", " "), subfields=_sf(("a", text))))
    for subject in data.subjects:
        if subject.strip():
            add(
                Field(
                    tag="650",
                    indicators=Indicators(" ", "4"),
                    subfields=_sf(("a", subject.strip())),
                )
            )
    for keyword in data.keywords:
        if keyword.strip():
            add(
                Field(
                    tag="653",
                    indicators=Indicators(" ", " "),
                    subfields=_sf(("a", keyword.strip())),
                )
            )
    add(Field(tag="655", indicators=Indicators(" ", "4"), subfields=_sf(("a", settings.genre))))
    for subject in data.mon_hoc:
        if subject.strip():
            add(
                Field(
                    tag="658",
                    indicators=Indicators(" ", " "),
                    subfields=_sf(("a", subject.strip())),
                )
            )
    for other in authors[1:]:
        add(
            Field(
                tag="700",
                indicators=Indicators(_person_indicator(other), " "),
                subfields=_sf(("a", other)),
            )
        )
    if textbook:
        add(
            Field(
                tag=TEXTBOOK_SERIES_FIELD,
                indicators=Indicators(" ", " "),
                subfields=_sf(("a", textbook)),
            )
        )
    return record
