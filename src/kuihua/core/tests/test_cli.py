"""The `kuihua` command finds its database in --db, else DATABASE_URL, else the demo file."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from kuihua import cli


def _run(args, tmp_path: Path, **env_extra):
    env = {**os.environ, "KUIHUA_HOME": str(tmp_path / "home"), **env_extra}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    if "DATABASE_URL" not in env_extra:
        env.pop("DATABASE_URL", None)
    return subprocess.run(  # noqa: S603 - our own CLI
        [sys.executable, "-m", "kuihua.cli", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def _tables(path: Path) -> set[str]:
    with sqlite3.connect(path) as db:
        return {r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def test_db_option_points_every_subcommand_at_that_file(tmp_path):
    target = tmp_path / "office.sqlite3"

    result = _run(["manage", "migrate", "--db", str(target)], tmp_path)

    assert result.returncode == 0, result.stderr
    assert "registry_resident" in _tables(target)
    assert not (tmp_path / "home" / "kuihua.sqlite3").exists()


def test_database_url_is_used_when_no_db_option_is_given(tmp_path):
    target = tmp_path / "from-env.sqlite3"

    result = _run(["manage", "migrate"], tmp_path, DATABASE_URL=f"sqlite:///{target}")

    assert result.returncode == 0, result.stderr
    assert "registry_resident" in _tables(target)


def test_an_unknown_subcommand_is_refused_with_the_usage(tmp_path):
    result = _run(["frobnicate"], tmp_path)

    assert result.returncode == 2
    assert "unknown command" in result.stderr
    assert "kuihua [--db PATH] demo" in result.stderr


@pytest.mark.parametrize(
    ("argv", "expected"),
    [
        (["--db", "x.sqlite3", "seed"], ["seed"]),
        (["seed", "--db=x.sqlite3", "--communities", "2"], ["seed", "--communities", "2"]),
    ],
)
def test_the_db_option_may_stand_anywhere(argv, expected, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)

    rest = cli._take_db_option(argv)

    assert rest == expected
    assert os.environ["DATABASE_URL"].endswith("/x.sqlite3")
    assert os.environ["DATABASE_URL"].startswith("sqlite:///")
