"""Where the real MARC files live (outside the project) and helpers shared by the MARC tests."""

from pathlib import Path

import pytest

MARC_DIR = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "marc"


def real_files() -> list[Path]:
    if not MARC_DIR.is_dir():
        return []
    return sorted(p for p in MARC_DIR.rglob("*") if p.is_file())


def real_file(relative: str) -> Path:
    path = MARC_DIR / relative
    if not path.is_file():
        pytest.skip(f"real MARC file {relative} not found under {MARC_DIR}")
    return path


needs_real_files = pytest.mark.skipif(
    not MARC_DIR.is_dir(), reason=f"real MARC files not found at {MARC_DIR} (../shared/data/marc)"
)


def field_signature(record) -> list[tuple]:
    out = []
    for f in record.fields:
        if f.control_field:
            out.append((f.tag, f.data))
        else:
            out.append((f.tag, tuple(f.indicators), tuple(tuple(s) for s in f.subfields)))
    return out
