"""ISBN normalisation and checksums (ISO 2108).

`normalize` pulls the ISBN out of a raw 020 $a such as "978-604-0-12345-6 (bìa mềm)" or
"ISBN 0-253-32552-8"; `to_isbn13` returns the canonical form the catalogue stores (13 digits,
no hyphens) or None when the checksum fails.
"""

import re

_CANDIDATE = re.compile(r"(?:97[89][\s-]*)?(?:\d[\s-]*){9}[\dXx]|\d{13}")
_SEPARATORS = re.compile(r"[\s\u2010-\u2015-]+")


def hyphenless(raw: str) -> str:
    """Remove hyphens and spaces and upper-case a trailing x: "0-8044-2957-x" -> "080442957X"."""
    return _SEPARATORS.sub("", raw or "").upper()


def normalize(raw: str) -> str:
    """The compact ISBN found in `raw` (10 or 13 characters), or "" when none is there."""
    if not raw:
        return ""
    text = raw.strip()
    if text[:4].upper() == "ISBN":
        text = text[4:].lstrip(" :-")
    match = _CANDIDATE.search(text)
    if not match:
        return ""
    compact = hyphenless(match.group(0))
    if len(compact) not in (10, 13):
        return ""
    return compact


def isbn10_check_digit(first9: str) -> str:
    total = sum((10 - i) * int(c) for i, c in enumerate(first9))
    check = (11 - total % 11) % 11
    return "X" if check == 10 else str(check)


def isbn13_check_digit(first12: str) -> str:
    total = sum(int(c) * (3 if i % 2 else 1) for i, c in enumerate(first12))
    return str((10 - total % 10) % 10)


def is_valid_isbn10(compact: str) -> bool:
    if len(compact) != 10 or not compact[:9].isdigit():
        return False
    if not (compact[9].isdigit() or compact[9] == "X"):
        return False
    return isbn10_check_digit(compact[:9]) == compact[9]


def is_valid_isbn13(compact: str) -> bool:
    if len(compact) != 13 or not compact.isdigit() or compact[:3] not in ("978", "979"):
        return False
    return isbn13_check_digit(compact[:12]) == compact[12]


def is_valid(raw: str) -> bool:
    """True when `raw` holds an ISBN-10 or ISBN-13 whose checksum is right."""
    compact = normalize(raw)
    return is_valid_isbn10(compact) or is_valid_isbn13(compact)


def isbn10_to_13(compact: str) -> str:
    """ISBN-10 (checked or not) to ISBN-13 with the 978 prefix and a fresh check digit."""
    body = "978" + compact[:9]
    return body + isbn13_check_digit(body)


def to_isbn13(raw: str) -> str | None:
    """The valid ISBN-13 for `raw` (ISBN-10 converted), or None when there is no valid ISBN."""
    compact = normalize(raw)
    if is_valid_isbn13(compact):
        return compact
    if is_valid_isbn10(compact):
        return isbn10_to_13(compact)
    return None
