"""Strict MARC-8 decoding.

pymarc's converter prints to stderr and substitutes a space for what it cannot read, and it
accepts any escape sequence; an importer has to know. `decode_marc8` uses pymarc's LC
mapping tables but reports bad escapes and unmapped characters to the caller.
"""

import unicodedata

from pymarc import marc8_mapping

BASIC_LATIN = 0x42
ANSEL = 0x45
EACC = 0x31
_CODESETS = marc8_mapping.CODESETS
_ODD_MAP = marc8_mapping.ODD_MAP
# ESC g / ESC b / ESC p switch G0 to Greek symbols, subscripts, superscripts; ESC s back.
_TECHNIQUE_FINALS = {0x67, 0x62, 0x70}
REPLACEMENT = "\ufffd"


class Marc8Result:
    __slots__ = ("text", "bad_escape", "unmapped")

    def __init__(self, text: str, bad_escape: bool, unmapped: int) -> None:
        self.text = text
        self.bad_escape = bad_escape
        self.unmapped = unmapped


def decode_marc8(data: bytes) -> Marc8Result:
    """Decode one MARC-8 string; the state starts at G0 = ASCII, G1 = ANSEL."""
    if data.isascii() and 0x1B not in data:
        return Marc8Result(data.decode("ascii"), False, 0)
    g0, g1 = BASIC_LATIN, ANSEL
    out: list[str] = []
    combining: list[str] = []
    bad_escape = False
    unmapped = 0
    pos, end = 0, len(data)
    while pos < end:
        byte = data[pos]
        if byte == 0x1B:
            nxt = data[pos + 1] if pos + 1 < end else -1
            if nxt in (0x28, 0x2C, 0x24, 0x29, 0x2D):  # ( , $ ) -
                i = pos + 1
                multibyte = nxt == 0x24
                if multibyte:
                    i += 1
                target = data[i] if multibyte and i < end else nxt
                if multibyte and target not in (0x28, 0x2C, 0x29, 0x2D):
                    # "ESC $ F" designates G0 directly.
                    final, i = target, i
                    target = 0x28
                else:
                    i += 1
                    final = data[i] if i < end else -1
                if final in _CODESETS:
                    if target in (0x28, 0x2C):
                        g0 = final
                    else:
                        g1 = final
                else:
                    bad_escape = True
                pos = i + 1
                continue
            if nxt in _TECHNIQUE_FINALS:
                g0 = nxt
                pos += 2
                continue
            if nxt == 0x73:
                g0 = BASIC_LATIN
                pos += 2
                continue
            bad_escape = True
            pos += 2 if nxt != -1 else 1
            continue
        if g0 == EACC and 0x21 <= byte <= 0x7E:
            if pos + 3 > end:
                unmapped += 1
                out.append(REPLACEMENT)
                break
            code = (byte << 16) | (data[pos + 1] << 8) | data[pos + 2]
            pos += 3
            entry = _CODESETS[EACC].get(code)
        else:
            pos += 1
            code = byte
            if byte < 0x20:
                if byte in (0x09, 0x0A, 0x0D):
                    out.append(chr(byte))
                continue
            if 0x80 <= byte < 0xA0:
                continue
            if byte == 0x20:
                out.append(" ")
                continue
            entry = _CODESETS[g1].get(byte) if byte > 0x80 else _CODESETS[g0].get(byte)
        if entry is None:
            odd = _ODD_MAP.get(code)
            if odd is not None:
                out.append(chr(odd))
                continue
            unmapped += 1
            out.append(REPLACEMENT)
            continue
        uni, is_combining = entry
        if is_combining:
            combining.append(chr(uni))
        else:
            out.append(chr(uni))
            if combining:
                out.extend(combining)
                combining = []
    out.extend(combining)
    return Marc8Result(unicodedata.normalize("NFC", "".join(out)), bad_escape, unmapped)
