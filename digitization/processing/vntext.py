"""Text normalisation for extracted and recognised text.

Uses ``library.core.vietnamese.clean`` (legacy TCVN3/VNI repair, NFC, control characters)
when it is available; until then NFC and control-character stripping only.
"""

from __future__ import annotations

import re
import unicodedata

_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")

try:
    from library.core.vietnamese import clean as _core_clean
except ImportError:  # the core module lands separately
    _core_clean = None


def clean(text: str) -> str:
    if _core_clean is not None:
        text = _core_clean(text)
    text = unicodedata.normalize("NFC", text)
    # pdfminer ends each page with a form feed; keep only newlines and tabs.
    return _CONTROL.sub("", text.replace("\x0c", "\n"))
