"""`kuihua backup` then `kuihua restore` into a fresh database gives back every table,
the keys that decrypt it and the uploaded files; a damaged backup is refused untouched.

Runs on the database of the run: SQLite, and PostgreSQL in the suite's second pass.
"""

from __future__ import annotations

import hashlib
import io
import json
import secrets
import shutil
import sqlite3
import tarfile
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, connections

from kuihua.core.backups import Target
from kuihua.core.crypto import reset_key_cache
from kuihua.core.tenancy import unscoped
from kuihua.demo.write import generate_community
from kuihua.registry.models import Resident

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def fresh_target(tmp_path):
    """An empty database of the run's kind, dropped afterwards."""
    source = Target.from_settings(connection.settings_dict)
    if source.vendor == "sqlite":
        yield Target("sqlite", {**connection.settings_dict, "NAME": str(tmp_path / "fresh.db")})
        return
    if not shutil.which("pg_dump") and not list(Path("/usr/lib/postgresql").glob("*/bin/pg_dump")):
        pytest.skip("pg_dump is not installed: the PostgreSQL backup cannot be tested here")
    name = f"kuihua_restore_{secrets.token_hex(4)}"
    with connection.cursor() as cursor:
        cursor.execute(f'CREATE DATABASE "{name}"')
    yield Target("postgresql", {**connection.settings_dict, "NAME": name})
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _raw(target: Target):
    """A raw connection to `target`; for the run's own SQLite (in memory), Django's own."""
    if target.vendor == "sqlite" and target.config["NAME"] == connection.settings_dict["NAME"]:
        connection.ensure_connection()
        return connection.connection
    return target.connect()


def _open(target: Target):
    """A raw connection that reads values as Django's own does (its type converters)."""
    if target.vendor == "sqlite":
        return sqlite3.connect(
            target.config["NAME"], detect_types=sqlite3.PARSE_DECLTYPES | sqlite3.PARSE_COLNAMES
        )
    return target.connect()


def _digests(conn) -> dict[str, tuple[int, str]]:
    """Every table: (rows, SHA-256 of all its rows' values in key order)."""
    from kuihua.core.backups import _tables

    vendor = "sqlite" if isinstance(conn, sqlite3.Connection) else "postgresql"
    cursor = conn.cursor()
    result = {}
    for table in _tables(conn, vendor):
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608 - catalogue names
        rows = cursor.fetchall()
        digest = hashlib.sha256(repr(rows).encode()).hexdigest()
        result[table] = (len(rows), digest)
    return result


@pytest.fixture
def seeded(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    (settings.MEDIA_ROOT / "evidence").mkdir(parents=True)
    (settings.MEDIA_ROOT / "evidence" / "照片.jpg").write_bytes(b"\xff\xd8 a photo")
    return generate_community(index=1, scale=0.01)


def test_backup_then_restore_into_a_fresh_database_gives_back_every_table(
    seeded, fresh_target, tmp_path, settings
):
    with unscoped():
        resident = Resident.objects.exclude(id_number="").order_by("pk").first()
        whole_id = resident.id_number
    before = _digests(_raw(Target.from_settings(connection.settings_dict)))
    assert before["registry_resident"][0] > 50  # the seed wrote a community

    out = io.StringIO()
    call_command("backup", output=str(tmp_path / "backups"), stdout=out, stderr=io.StringIO())
    backup = Path(out.getvalue().strip())
    assert backup.stat().st_mode & 0o777 == 0o600  # it holds the keys

    secrets_out = tmp_path / "restored" / "secrets.json"
    media_out = tmp_path / "restored-media"
    call_command(
        "restore",
        str(backup),
        to=_url(fresh_target),
        secrets_out=str(secrets_out),
        media_root=str(media_out),
        stdout=io.StringIO(),
    )

    restored = _open(fresh_target)
    try:
        assert _digests(restored) == before
    finally:
        restored.close()
    keys = json.loads(secrets_out.read_text())
    assert keys["field_keys"] == list(settings.KUIHUA_FIELD_KEYS)
    assert secrets_out.stat().st_mode & 0o777 == 0o600
    assert (media_out / "evidence" / "照片.jpg").read_bytes() == b"\xff\xd8 a photo"
    # The whole ID number, read from the restored database and decrypted by the
    # model's own field with the restored keys alone.
    settings.KUIHUA_FIELD_KEYS = keys["field_keys"]
    reset_key_cache()
    restored = _open(fresh_target)
    try:
        cursor = restored.cursor()
        mark = "?" if fresh_target.vendor == "sqlite" else "%s"
        query = f"SELECT id_number FROM registry_resident WHERE id = {mark}"  # noqa: S608
        cursor.execute(query, [resident.pk])
        token = cursor.fetchone()[0]
    finally:
        restored.close()
    assert whole_id not in token  # encrypted at rest
    field = Resident._meta.get_field("id_number")
    assert field.from_db_value(token, None, connection) == whole_id


def test_an_encrypted_backup_needs_its_passphrase(seeded, fresh_target, tmp_path, monkeypatch):
    monkeypatch.setenv("BACKUP_PASSPHRASE", "一把只有社区知道的钥匙")
    out = io.StringIO()
    call_command(
        "backup",
        output=str(tmp_path),
        passphrase_env="BACKUP_PASSPHRASE",
        stdout=out,
        stderr=io.StringIO(),
    )
    backup = Path(out.getvalue().strip())
    assert b"field_keys" not in backup.read_bytes()

    with pytest.raises(CommandError, match="已加密"):
        call_command("restore", str(backup), to=_url(fresh_target), stdout=io.StringIO())
    monkeypatch.setenv("WRONG", "不对的口令")
    with pytest.raises(CommandError, match="口令不对"):
        call_command(
            "restore",
            str(backup),
            to=_url(fresh_target),
            passphrase_env="WRONG",
            stdout=io.StringIO(),
        )

    call_command(
        "restore",
        str(backup),
        to=_url(fresh_target),
        passphrase_env="BACKUP_PASSPHRASE",
        secrets_out=str(tmp_path / "s.json"),
        media_root=str(tmp_path / "m"),
        stdout=io.StringIO(),
    )
    assert _digests(fresh_target.connect())["registry_resident"][0] > 50


def test_a_damaged_backup_is_refused_and_the_target_stays_empty(seeded, fresh_target, tmp_path):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out, stderr=io.StringIO())
    backup = Path(out.getvalue().strip())
    # Change one byte of the database inside, keep the manifest: the checksum must catch it.
    with tarfile.open(backup, "r:gz") as tar:
        members = {m.name: tar.extractfile(m).read() for m in tar.getmembers() if m.isfile()}
    database = next(n for n in members if n.startswith("database."))
    damaged = bytearray(members[database])
    damaged[len(damaged) // 2] ^= 0xFF
    members[database] = bytes(damaged)
    broken = tmp_path / "broken.tar.gz"
    with tarfile.open(broken, "w:gz") as tar:
        for name, data in members.items():
            info = tarfile.TarInfo(name)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))

    with pytest.raises(CommandError, match="校验和不符"):
        call_command("restore", str(broken), to=_url(fresh_target), stdout=io.StringIO())
    truncated = tmp_path / "truncated.tar.gz"
    truncated.write_bytes(backup.read_bytes()[:1000])
    with pytest.raises(CommandError, match="已损坏"):
        call_command("restore", str(truncated), to=_url(fresh_target), stdout=io.StringIO())

    empty = fresh_target.connect()
    try:
        assert _digests(empty) == {}
    finally:
        empty.close()


def test_a_database_that_holds_tables_is_not_overwritten_without_force(
    seeded, fresh_target, tmp_path
):
    out = io.StringIO()
    call_command("backup", output=str(tmp_path), stdout=out, stderr=io.StringIO())
    backup = Path(out.getvalue().strip())
    kwargs = {"secrets_out": str(tmp_path / "s.json"), "media_root": str(tmp_path / "m")}
    call_command("restore", str(backup), to=_url(fresh_target), stdout=io.StringIO(), **kwargs)

    with pytest.raises(CommandError, match="已有"):
        call_command("restore", str(backup), to=_url(fresh_target), stdout=io.StringIO(), **kwargs)
    call_command(
        "restore", str(backup), to=_url(fresh_target), force=True, stdout=io.StringIO(), **kwargs
    )


def _url(target: Target) -> str:
    c = target.config
    if target.vendor == "sqlite":
        return f"sqlite:///{c['NAME']}"
    auth = c.get("USER") or ""
    if c.get("PASSWORD"):
        auth += f":{c['PASSWORD']}"
    return f"postgres://{auth}@{c.get('HOST') or '127.0.0.1'}:{c.get('PORT') or 5432}/{c['NAME']}"
