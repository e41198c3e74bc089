"""Text normalisation for extracted and recognised page text."""

from __future__ import annotations

from library.core.vietnamese import clean as _core_clean


def clean(text: str) -> str:
    """Legacy TCVN3/VNI repair, NFC, no control characters (library.core.vietnamese.clean)."""
    # pdfminer ends each page with a form feed: a line break, not a character to drop.
    return _core_clean(text.replace("\x0c", "\n"))
