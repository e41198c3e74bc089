"""OCR with the Tesseract command-line program (Debian tesseract-ocr + tesseract-ocr-vie).

The CLI is called directly (pytesseract would only wrap the same subprocess call); the page
image goes in on stdin as PNG and the text comes back on stdout.
"""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

from PIL import Image

from digitization.exceptions import OcrFailed, OcrUnavailable

from .render import render_page
from .vntext import clean

TESSERACT = "tesseract"
DEFAULT_LANG = "vie+eng"
DEFAULT_TIMEOUT = 120.0


def tesseract_path() -> str | None:
    return shutil.which(TESSERACT)


def tesseract_languages() -> set[str]:
    binary = tesseract_path()
    if not binary:
        return set()
    try:
        result = subprocess.run(
            [binary, "--list-langs"], capture_output=True, text=True, timeout=20, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        return set()
    # The first line is a header ("List of available languages in ...").
    lines = (result.stdout or result.stderr).splitlines()
    return {line.strip() for line in lines[1:] if line.strip()}


def tesseract_available(lang: str = "vie") -> bool:
    """True when the tesseract binary is installed with every language in ``lang`` (a+b)."""
    wanted = set(lang.split("+"))
    return wanted <= tesseract_languages()


def ocr_image(
    image: Image.Image,
    lang: str = DEFAULT_LANG,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    psm: int = 3,
    threads: int | None = None,
) -> str:
    """Recognised text of ``image`` (NFC, cleaned). Raises OcrUnavailable or OcrFailed."""
    binary = tesseract_path()
    if not binary:
        raise OcrUnavailable()
    buffer = io.BytesIO()
    # Grey PNG: lossless and smaller to pipe than RGB; tesseract binarises anyway.
    image.convert("L").save(buffer, format="PNG", compress_level=1)
    env = dict(os.environ)
    if threads:
        # When several pages are recognised in parallel, OpenMP threads only oversubscribe.
        env["OMP_THREAD_LIMIT"] = str(threads)
    try:
        result = subprocess.run(
            [binary, "stdin", "stdout", "-l", lang, "--psm", str(psm)],
            input=buffer.getvalue(),
            capture_output=True,
            timeout=timeout,
            env=env,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise OcrFailed(detail=f"tesseract timed out after {timeout}s") from exc
    except OSError as exc:
        raise OcrUnavailable(detail=str(exc)) from exc
    if result.returncode != 0:
        stderr = result.stderr.decode("utf-8", "replace")
        if "Failed loading language" in stderr or "Error opening data file" in stderr:
            raise OcrUnavailable(detail=stderr)
        raise OcrFailed(detail=stderr[-2000:])
    return clean(result.stdout.decode("utf-8", "replace")).strip()


def ocr_pdf_page(
    pdf_path: str | Path,
    number: int,
    dpi: int = 300,
    *,
    lang: str = DEFAULT_LANG,
    timeout: float = DEFAULT_TIMEOUT,
    threads: int | None = None,
) -> str:
    """Render page ``number`` (1-based) at ``dpi`` and recognise its text."""
    if not tesseract_path():
        raise OcrUnavailable()
    image = render_page(pdf_path, number, dpi=dpi)
    return ocr_image(image, lang, timeout=timeout, threads=threads)
