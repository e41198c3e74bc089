"""The search box language, parsed into a plain structure (no Whoosh, no ORM).

toán lớp 6                      words (all must match)
"phân số"                       an exact phrase
-đáp án                         exclusion (a word or a "phrase")
tác giả:Nguyễn / author:…       field prefixes, Vietnamese or English, with or without marks
nhan đề:… title:… chủ đề:… subject:… isbn:… năm:2020 / year:2015-2020 / năm:2015..2020
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from library.core.vietnamese import nfc

FIELD_ALIASES = {
    "tác giả": "author",
    "tac gia": "author",
    "author": "author",
    "nhan đề": "title",
    "nhan de": "title",
    "title": "title",
    "chủ đề": "subject",
    "chu de": "subject",
    "subject": "subject",
    "isbn": "isbn",
    "năm": "year",
    "nam": "year",
    "year": "year",
}
_PREFIX_RE = re.compile(
    r"(?<![\w-])("
    + "|".join(sorted((re.escape(k) for k in FIELD_ALIASES), key=len, reverse=True))
    + r")\s*:\s*",
    re.IGNORECASE,
)
_TOKEN_RE = re.compile(r'(-?)(?:\x00(\w+)\x00)?(?:"([^"]*)"?|(\S+))')
_YEAR_RE = re.compile(r"^(\d{4})?\s*(?:-|\.\.|–)?\s*(\d{4})?$")
MAX_QUERY_LENGTH = 500
MAX_CLAUSES = 24


@dataclass
class FieldClause:
    field: str  # author | title | subject | isbn
    value: str
    phrase: bool = False


@dataclass
class ParsedQuery:
    raw: str
    words: list[str] = field(default_factory=list)
    phrases: list[str] = field(default_factory=list)
    excluded: list[str] = field(default_factory=list)
    fields: list[FieldClause] = field(default_factory=list)
    year_from: int | None = None
    year_to: int | None = None

    @property
    def is_empty(self) -> bool:
        return not (self.words or self.phrases or self.fields or self.year_from or self.year_to)

    @property
    def positive_text(self) -> list[str]:
        """Every text the user asked to find (for highlighting and suggestions)."""
        return (
            self.words
            + self.phrases
            + [c.value for c in self.fields if c.field in ("author", "title", "subject")]
        )


def parse_query(raw: str) -> ParsedQuery:
    """Split the search box text into words, phrases, exclusions, field clauses and years."""
    text = nfc((raw or "")[:MAX_QUERY_LENGTH]).replace("\x00", " ")
    text = text.replace("“", '"').replace("”", '"')
    # Mark the field prefixes (some have a space inside, "tác giả:") so tokens can carry them.
    text = _PREFIX_RE.sub(lambda m: "\x00" + FIELD_ALIASES[m.group(1).lower()] + "\x00", text)
    parsed = ParsedQuery(raw=raw or "")
    for match in _TOKEN_RE.finditer(text):
        negative, prefix, quoted, bare = match.groups()
        is_phrase = quoted is not None
        value = (quoted if is_phrase else bare or "").strip()
        if not value or value == "-":
            continue
        if len(parsed.words) + len(parsed.phrases) + len(parsed.fields) >= MAX_CLAUSES:
            break
        if prefix == "year":
            _add_year(parsed, value)
        elif prefix:
            parsed.fields.append(FieldClause(prefix, value, is_phrase))
        elif negative:
            parsed.excluded.append(value)
        elif is_phrase and " " in value:
            parsed.phrases.append(value)
        else:
            parsed.words.append(value)
    return parsed


def _add_year(parsed: ParsedQuery, value: str) -> None:
    match = _YEAR_RE.match(value)
    if not match or not any(match.groups()):
        parsed.words.append(value)
        return
    start, end = match.groups()
    is_range = any(sep in value for sep in ("-", "..", "–"))
    parsed.year_from = int(start) if start else None
    parsed.year_to = int(end) if end else (None if is_range else parsed.year_from)
    if parsed.year_from and parsed.year_to and parsed.year_from > parsed.year_to:
        parsed.year_from, parsed.year_to = parsed.year_to, parsed.year_from
