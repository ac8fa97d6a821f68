"""`kuihua bench import-residents`: a full community's registry sheet through the importer.

Writes a 15,000-row .xlsx the way an office keeps it (merged title row, Chinese
headers, a footer), then times reading + checking + importing it into an empty
community on a fresh SQLite file (child process, temporary KUIHUA_HOME).
"""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

DESCRIPTION = "import a 15,000-row residents sheet into an empty community (SQLite)"
TIME_LIMIT = 300
ROWS = 15_000
HEADERS = [
    "姓名",
    "性别",
    "身份证号码",
    "出生日期",
    "联系电话",
    "小区",
    "楼栋",
    "单元",
    "室",
    "与户主关系",
    "政治面貌",
    "标签",
    "紧急联系人",
    "紧急联系电话",
]


def run(*, scale: float = 1.0, say: Callable[[str], None] = print) -> dict:
    rows = max(10, int(ROWS * scale))
    with tempfile.TemporaryDirectory(prefix="kuihua-bench-import-") as home:
        env = {
            **os.environ,
            "KUIHUA_HOME": home,
            "DATABASE_URL": f"sqlite:///{Path(home) / 'bench.sqlite3'}",
            "DJANGO_SETTINGS_MODULE": "kuihua.config.settings.local",
        }
        say(f"fresh SQLite database in {home}; importing {rows} rows …")
        child = subprocess.run(  # noqa: S603 - our own module, no shell
            [sys.executable, "-m", "kuihua.benchmarks.import_residents", str(rows), home],
            env=env,
            capture_output=True,
            text=True,
            timeout=TIME_LIMIT,
            check=False,
        )
        if child.returncode != 0:
            raise RuntimeError(f"the import benchmark failed:\n{child.stderr[-3000:]}")
        return json.loads(child.stdout.strip().splitlines()[-1])


def write_sheet(path: Path, rows: int) -> None:
    from openpyxl import Workbook

    from kuihua.core.identity import id_check_digit

    rng = random.Random(2026)
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("居民")
    sheet.append(["翠苑一区社区居民信息登记表"])
    sheet.append(HEADERS)
    surnames, given = (
        "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗",
        "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超兰霞平刚桂",
    )
    seen: set[str] = set()
    for i in range(rows):
        birth = dt.date(1930, 1, 1) + dt.timedelta(days=rng.randrange(30_000))
        male = rng.random() < 0.5
        seq = i % 499
        first17 = f"330106{birth:%Y%m%d}{seq * 2 + (1 if male else 0):03d}"
        while first17 in seen:  # every person's ID is different, as in life
            seq = (seq + 1) % 499
            first17 = f"330106{birth:%Y%m%d}{seq * 2 + (1 if male else 0):03d}"
        seen.add(first17)
        household, position = divmod(i, 3)
        sheet.append(
            [
                rng.choice(surnames) + rng.choice(given) + (rng.choice(given) if i % 2 else ""),
                "男" if male else "女",
                first17 + id_check_digit(first17),
                birth.strftime("%Y.%m.%d") if i % 2 else birth,
                f"+86 139-{i % 10_000:04d}-{i // 10_000:04d}" if birth.year < 2008 else "",
                f"翠苑{household % 14 + 1}区",
                f"{household // 14 % 30 + 1}幢",
                str(household // 420 % 4 + 1),
                str(101 + household // 1680 * 100 + household % 6),
                ["户主", "配偶", "子女"][position],
                "中共党员" if i % 12 == 0 else "群众",
                "独居" if i % 50 == 0 else "",
                "李四" if birth.year < 1956 else "",
                "13700000000" if birth.year < 1956 else "",
            ]
        )
    sheet.append(["填表人：王工", None, None, "审核人：李主任"])
    workbook.save(path)


def _child(rows: int, home: str) -> dict:
    import django

    django.setup()
    from django.core.management import call_command

    from kuihua.accounts.models import Role, User
    from kuihua.core.tenancy import use_community
    from kuihua.registry.importing import residents_import_file
    from kuihua.tenants import community_create

    call_command("migrate", interactive=False, verbosity=0)
    path = Path(home) / "residents.xlsx"
    started = time.perf_counter()
    write_sheet(path, rows)
    written = time.perf_counter()
    community = community_create(name="导入测试社区", code="bench-import")
    actor = User.objects.create(username="bench", role=Role.COORDINATOR, community=community)
    with use_community(community):
        began = time.perf_counter()
        report = residents_import_file(path, actor=actor)
        seconds = time.perf_counter() - began
    return {
        "benchmark": "import-residents",
        "rows": rows,
        "imported": report.imported,
        "rejected": report.rejected,
        "seconds": round(seconds, 2),
        "rows_per_second": round(report.imported / seconds) if seconds else None,
        "sheet_write_seconds": round(written - started, 2),
    }


if __name__ == "__main__":
    print(json.dumps(_child(int(sys.argv[1]), sys.argv[2])))
