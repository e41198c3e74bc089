"""Match keys for duplicate detection on import. Pure: `RecordData` in, keys out.

Rules, in the order an importer usually tries them:
- "control": "003|001" (the 003 part may be empty); None without a 001.
- "isbn": every valid ISBN-13 of the record.
- "title_author_year": folded title | folded surname of the main author (the first
  author when there is no 1XX) | year; None without a title.
  The surname is the part before the comma of an inverted name ("Gatewood, Willard B."
  -> "gatewood") and the first word of a name in direct order ("Nguyễn Nhật Ánh" ->
  "nguyen"). Folding drops tone and vowel marks, đ -> d, case and punctuation.
"""

import re
from dataclasses import dataclass

from catalog.marc.mapping import RecordData
from library.core.vietnamese import fold

RULES = ("control", "isbn", "title_author_year")
_NON_WORD = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class MatchKeys:
    control: str | None
    isbns: tuple[str, ...]
    title_author_year: str | None

    def for_rule(self, rule: str) -> list[str]:
        """The keys a rule compares (empty when the record has none)."""
        if rule == "control":
            return [self.control] if self.control else []
        if rule == "isbn":
            return list(self.isbns)
        if rule == "title_author_year":
            return [self.title_author_year] if self.title_author_year else []
        raise ValueError(f"unknown match rule: {rule!r}")


def folded_words(text: str) -> str:
    return " ".join(_NON_WORD.sub(" ", fold(text or "")).split())


def surname(name: str) -> str:
    name = name.strip()
    if not name:
        return ""
    if "," in name:
        return folded_words(name.split(",", 1)[0])
    words = folded_words(name).split()
    return words[0] if words else ""


def match_keys(data: RecordData) -> MatchKeys:
    control = None
    if data.control_number.strip():
        control = f"{data.control_number_identifier.strip()}|{data.control_number.strip()}"
    title = folded_words(data.title)
    author = data.main_author or (data.authors[0] if data.authors else "")
    tay = None
    if title:
        tay = f"{title}|{surname(author)}|{data.year if data.year else ''}"
    return MatchKeys(control=control, isbns=tuple(data.isbns), title_author_year=tay)
