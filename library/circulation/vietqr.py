"""VietQR (NAPAS 247) payloads: EMVCo merchant-presented QR for a bank transfer.

Layout: 00 "01" · 01 "12" (dynamic, has an amount) · 38 {00 "A000000727", 01 {00 BIN,
01 account}, 02 "QRIBFTTA"} · 53 "704" (VND) · 54 amount · 58 "VN" · 62 {08 purpose} ·
63 CRC-16/CCITT-FALSE over everything before it including "6304".
"""

from __future__ import annotations

import re
import unicodedata

import segno

NAPAS_GUID = "A000000727"
SERVICE_TO_ACCOUNT = "QRIBFTTA"
_ASCII_NOTE = re.compile(r"[^A-Za-z0-9 .\-]")


class VietQRError(ValueError):
    pass


def tlv(tag: str, value: str) -> str:
    if not 0 < len(value) < 100:
        raise VietQRError(f"Trường {tag} dài {len(value)} ký tự: cần 1–99 ký tự.")
    return f"{tag}{len(value):02d}{value}"


def crc16_ccitt_false(data: str) -> str:
    """CRC-16/CCITT-FALSE (poly 0x1021, init 0xFFFF), four uppercase hex digits."""
    crc = 0xFFFF
    for byte in data.encode("ascii"):
        crc ^= byte << 8
        for _ in range(8):
            crc = ((crc << 1) ^ 0x1021) if crc & 0x8000 else crc << 1
            crc &= 0xFFFF
    return f"{crc:04X}"


def ascii_note(text: str) -> str:
    """Bank apps show the purpose as plain ASCII: drop tone marks and anything unusual, max 25."""
    decomposed = unicodedata.normalize("NFD", text.replace("đ", "d").replace("Đ", "D"))
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_ASCII_NOTE.sub("", plain).split())[:25]


def payload(*, bank_bin: str, account: str, amount: int, note: str) -> str:
    if not re.fullmatch(r"\d{6}", bank_bin or ""):
        raise VietQRError("Mã BIN ngân hàng phải gồm 6 chữ số (LIBRARY_BANK_BIN).")
    if not re.fullmatch(r"[0-9A-Za-z]{1,19}", account or ""):
        raise VietQRError("Số tài khoản chỉ gồm chữ số/chữ cái, tối đa 19 ký tự.")
    if amount <= 0:
        raise VietQRError("Số tiền phải lớn hơn 0.")
    if not note or not note.isascii():
        raise VietQRError("Nội dung chuyển khoản phải là chữ không dấu (ASCII).")
    beneficiary = tlv("00", bank_bin) + tlv("01", account)
    merchant = tlv("00", NAPAS_GUID) + tlv("01", beneficiary) + tlv("02", SERVICE_TO_ACCOUNT)
    body = (
        tlv("00", "01")
        + tlv("01", "12")
        + tlv("38", merchant)
        + tlv("53", "704")
        + tlv("54", str(int(amount)))
        + tlv("58", "VN")
        + tlv("62", tlv("08", note))
        + "6304"
    )
    return body + crc16_ccitt_false(body)


def svg(data: str, *, scale: int = 5, title: str = "VietQR") -> str:
    """The QR code as an inline SVG string (local, no external service)."""
    qr = segno.make(data, error="m", micro=False)
    return qr.svg_inline(scale=scale, title=title, border=2)
