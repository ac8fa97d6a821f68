"""A workbook that unzips to twenty million cells is refused without taking the host's memory.

The reader runs in a child process with its address space capped, so a reader that
loads the workbook whole fails here (MemoryError) instead of taking the memory
every community shares; the child reports its own peak memory.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap

import pytest

from kuihua.benchmarks.sheet_bomb import write_bomb

PEAK_RSS_LIMIT_MB = 200
ADDRESS_SPACE_CAP = 2 * 1024**3  # the guard: the old reader reached 5.6 GB on this file

CHILD = textwrap.dedent(
    """
    import json, os, resource, sys
    resource.setrlimit(resource.RLIMIT_AS, ({cap}, {cap}))
    os.environ["DJANGO_SETTINGS_MODULE"] = "kuihua.config.settings.test"
    import django
    django.setup()
    from django.utils import translation
    from kuihua.core.sheets import SheetError, read_sheet
    translation.activate("zh-hans")
    try:
        sheet = read_sheet(sys.argv[1], columns={{"姓名": "name"}}, key_header="姓名",
                           required={{"name": "姓名"}})
        outcome = "read %d rows" % len(sheet.rows)
    except SheetError as exc:
        outcome = str(exc)
    # VmHWM, not ru_maxrss: the latter keeps the forking parent's peak across exec.
    with open("/proc/self/status") as status:
        peak_kb = next(int(l.split()[1]) for l in status if l.startswith("VmHWM:"))
    print(json.dumps({{"outcome": outcome, "peak_mb": peak_kb / 1024}}))
    """
)


def _read_in_child(path) -> dict:
    child = subprocess.run(  # noqa: S603 - our own interpreter and code
        [sys.executable, "-c", CHILD.format(cap=ADDRESS_SPACE_CAP), str(path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert child.returncode == 0, child.stderr[-2000:]
    return json.loads(child.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize(
    ("rows", "columns"),
    [
        (1_000_000, 20),  # 20 million cells, about 1 MB zipped
        (100_000, 10),  # a million cells in a 64 KB file
    ],
    ids=["20-million-cells", "64-KB-file"],
)
def test_a_workbook_that_unzips_to_millions_of_cells_is_refused_in_little_memory(
    tmp_path, rows, columns
):
    path = write_bomb(tmp_path / "bomb.xlsx", rows=rows, columns=columns)

    result = _read_in_child(path)

    assert "太大" in result["outcome"]
    assert result["peak_mb"] < PEAK_RSS_LIMIT_MB


def test_a_sheet_that_zips_normally_is_refused_as_soon_as_it_passes_the_cell_limit(
    tmp_path, monkeypatch
):
    # Under the zip limits, the reader counts cells as it goes.
    from kuihua.core import sheets

    monkeypatch.setattr(sheets, "MAX_CELLS", 1_000)
    path = write_bomb(tmp_path / "wide.xlsx", rows=200, columns=10)

    with pytest.raises(sheets.SheetError, match="太大"):
        sheets.read_sheet(path, columns={"姓名": "name"}, key_header="姓名", required={})


def test_rows_past_a_wrong_dimension_are_read_not_lost(tmp_path):
    # Some programs declare a dimension smaller than the sheet: every row still counts.
    from openpyxl import Workbook

    from kuihua.core.sheets import read_sheet

    workbook = Workbook()
    for name in ["姓名", "甲", "乙", "丙"]:
        workbook.active.append([name])
    path = tmp_path / "dim.xlsx"
    workbook.save(path)
    import re
    import zipfile

    with zipfile.ZipFile(path) as source:
        parts = {n: source.read(n) for n in source.namelist()}
    sheet_xml = parts["xl/worksheets/sheet1.xml"].decode()
    parts["xl/worksheets/sheet1.xml"] = re.sub(
        r'<dimension ref="[^"]*"', '<dimension ref="A1:A2"', sheet_xml
    ).encode()
    with zipfile.ZipFile(path, "w") as out:
        for name, data in parts.items():
            out.writestr(name, data)

    sheet = read_sheet(path, columns={"姓名": "name"}, key_header="姓名", required={})

    assert [cells["name"] for _row, cells in sheet.rows] == ["甲", "乙", "丙"]
