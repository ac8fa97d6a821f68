"""`kuihua bench sheet-bomb`: how fast, and in how little memory, a hostile workbook is refused.

A .xlsx is a zip: a file of about a megabyte can unzip to twenty million cells. Each
case runs in a child process of its own, so its peak memory (VmHWM) is its own:
- `bomb-20m`: 20,000,000 cells (1,000,000 rows of 20), about 1 MB zipped;
- `bomb-64k`: a file of about 64 KB (100,000 rows of 10 cells);
- `registry-20k`: a real 20,000-row residents sheet (kuihua.benchmarks.import_residents),
  read and mapped to its columns, for comparison.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

DESCRIPTION = "refuse a 20-million-cell workbook: seconds and peak memory (vs a real sheet)"
TIME_LIMIT = 120


def write_bomb(path: Path, *, rows: int, columns: int) -> Path:
    """A valid .xlsx whose one sheet holds rows × columns small numbers, written as a stream.

    The sheet declares no dimension, as some programs write them: the reader
    cannot know its size before it reads.
    """
    from openpyxl import Workbook

    Workbook().save(path)  # the workbook's other parts, as Excel would write them
    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist() if n != "xl/worksheets/sheet1.xml"}
    row = "<row>" + "<c><v>1</v></c>" * columns + "</row>"
    block = row * 1000
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as out:
        for name, data in parts.items():
            out.writestr(name, data)
        with out.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet:
            sheet.write(
                b'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
                b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                b"<sheetData>"
            )
            written = 0
            encoded = block.encode()
            while written + 1000 <= rows:
                sheet.write(encoded)
                written += 1000
            sheet.write((row * (rows - written)).encode())
            sheet.write(b"</sheetData></worksheet>")
    return path


def _write_case(case: str, path: Path) -> None:
    if case == "bomb-20m":
        write_bomb(path, rows=1_000_000, columns=20)
    elif case == "bomb-64k":
        write_bomb(path, rows=100_000, columns=10)
    else:
        from kuihua.benchmarks.import_residents import write_sheet

        write_sheet(path, 20_000)


def _peak_rss_kb() -> int:
    """This process's peak resident memory (VmHWM; ru_maxrss keeps the parent's across exec)."""
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmHWM:"))


def _child(path: Path) -> dict:
    """Read one file in this process; its figures, peak memory included."""
    import django

    django.setup()
    from kuihua.core.sheets import SheetError
    from kuihua.registry.importing import RESIDENT_COLUMNS, RESIDENT_REQUIRED, read_sheet

    before = _peak_rss_kb()
    began = time.perf_counter()
    try:
        sheet = read_sheet(
            path, columns=RESIDENT_COLUMNS, key_header="姓名", required=RESIDENT_REQUIRED
        )
        outcome = f"read {len(sheet.rows)} rows"
    except SheetError as exc:
        outcome = f"refused: {exc}"
    seconds = time.perf_counter() - began
    peak = _peak_rss_kb()
    return {
        "file_kb": round(path.stat().st_size / 1024),
        "seconds": round(seconds, 2),
        "peak_rss_mb": round(peak / 1024),
        "rss_before_read_mb": round(before / 1024),
        "outcome": outcome,
    }


def run(*, scale: float = 1.0, say: Callable[[str], None] = print) -> dict:
    figures: dict = {"benchmark": "sheet-bomb", "cases": []}
    for case in ("bomb-20m", "bomb-64k", "registry-20k"):
        with tempfile.TemporaryDirectory(prefix="kuihua-bench-sheet-") as home:
            say(f"{case} …")
            path = Path(home) / f"{case}.xlsx"
            _write_case(case, path)
            child = subprocess.run(  # noqa: S603 - our own module, no shell
                [sys.executable, "-m", "kuihua.benchmarks.sheet_bomb", str(path)],
                capture_output=True,
                text=True,
                timeout=TIME_LIMIT,
                check=False,
            )
            if child.returncode != 0:
                raise RuntimeError(f"{case} failed:\n{child.stderr[-3000:]}")
            result = {"case": case, **json.loads(child.stdout.strip().splitlines()[-1])}
            say(f"  {result}")
            figures["cases"].append(result)
    return figures


if __name__ == "__main__":
    import os

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kuihua.config.settings.test")
    print(json.dumps(_child(Path(sys.argv[1])), ensure_ascii=False))
