"""Backups that restore: the database, the keys that decrypt it, and the uploaded files.

A backup is one file, `kuihua-backup-<time>.tar.gz` (mode 0600), or `.tar.gz.enc` when
encrypted with a passphrase (Fernet, key from scrypt). Inside:

    manifest.json   format, time, database kind, applied migrations, rows per table,
                    the SHA-256 of every other member
    database.sqlite3 | database.pgdump
                    SQLite's online backup (consistent while the server runs) or
                    pg_dump's custom format
    secrets.json    SECRET_KEY, KUIHUA_FIELD_KEYS, KUIHUA_INDEX_KEY: without them the
                    encrypted personal data cannot be read, so they travel with it
    media/...       the uploaded files (MEDIA_ROOT)

`backup_restore` checks every checksum before it touches anything, refuses a target
database that holds tables unless told to replace it, restores, and then counts the
rows of every table against the manifest.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt
from django.conf import settings
from django.db import connection, connections
from django.utils.translation import gettext as _

from kuihua.core.errors import ApplicationError

FORMAT = 1
ENCRYPTED_MAGIC = b"KUIHUA-BACKUP-ENC1\n"
SQLITE_MEMBER = "database.sqlite3"
POSTGRES_MEMBER = "database.pgdump"


class BackupError(ApplicationError):
    """The backup cannot be made or restored; the message says why, for the operator."""


@dataclass
class Target:
    """A database to back up or restore into, as Django's DATABASES entry describes it."""

    vendor: str  # "sqlite" | "postgresql"
    config: dict

    @classmethod
    def from_settings(cls, config: dict) -> Target:
        engine = config["ENGINE"]
        if engine.endswith("sqlite3"):
            return cls("sqlite", config)
        if "postgresql" in engine:
            return cls("postgresql", config)
        raise BackupError(_("不支持的数据库：%(engine)s") % {"engine": engine})

    @classmethod
    def from_url(cls, url: str) -> Target:
        import dj_database_url

        return cls.from_settings(dj_database_url.parse(url))

    def conninfo(self) -> str:
        from psycopg.conninfo import make_conninfo

        c = self.config
        parts = {
            "dbname": c.get("NAME"),
            "user": c.get("USER"),
            "password": c.get("PASSWORD"),
            "host": c.get("HOST"),
            "port": str(c.get("PORT") or ""),
        }
        return make_conninfo(**{k: v for k, v in parts.items() if v})

    def connect(self):
        if self.vendor == "sqlite":
            return sqlite3.connect(self.config["NAME"])
        import psycopg

        return psycopg.connect(self.conninfo(), autocommit=True)


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _pg_tool(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise BackupError(_("找不到 %(tool)s：请安装 PostgreSQL 客户端") % {"tool": name})


def _tables(conn, vendor: str) -> list[str]:
    cursor = conn.cursor()
    if vendor == "sqlite":
        cursor.execute(
            "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
        )
    else:
        cursor.execute(
            "SELECT table_name FROM information_schema.tables "
            "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
        )
    return sorted(row[0] for row in cursor.fetchall())


def _row_counts(conn, vendor: str) -> dict[str, int]:
    cursor = conn.cursor()
    counts = {}
    for table in _tables(conn, vendor):
        cursor.execute(f'SELECT COUNT(*) FROM "{table}"')  # noqa: S608 - names from the catalogue
        counts[table] = cursor.fetchone()[0]
    return counts


def _fernet(passphrase: str, salt: bytes) -> Fernet:
    key = Scrypt(salt=salt, length=32, n=2**15, r=8, p=1).derive(passphrase.encode())
    return Fernet(base64.urlsafe_b64encode(key))


# --- making one ---------------------------------------------------------------------


def backup_create(*, output_dir: Path, passphrase: str | None = None) -> Path:
    """Write a backup of the configured database, keys and media into `output_dir`."""
    target = Target.from_settings(connection.settings_dict)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%d-%H%M%S")
    output_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kuihua-backup-") as work:
        work_dir = Path(work)
        if target.vendor == "sqlite":
            member = SQLITE_MEMBER
            connection.ensure_connection()
            destination = sqlite3.connect(work_dir / member)
            with destination:
                # The online backup API: a consistent copy while others write (WAL).
                connection.connection.backup(destination)
            destination.close()
            counted = sqlite3.connect(work_dir / member)
            counts = _row_counts(counted, "sqlite")
            counted.close()
        else:
            member = POSTGRES_MEMBER
            dump = subprocess.run(  # noqa: S603 - our own arguments, no shell
                [
                    _pg_tool("pg_dump"),
                    "--format=custom",
                    "--no-owner",
                    "--no-privileges",
                    "--serializable-deferrable",
                    f"--file={work_dir / member}",
                    f"--dbname={target.conninfo()}",
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if dump.returncode != 0:
                raise BackupError(_("pg_dump 失败：%(err)s") % {"err": dump.stderr.strip()[-500:]})
            with connection.cursor() as cursor:
                counts = _row_counts(cursor.connection, "postgresql")
        (work_dir / "secrets.json").write_text(
            json.dumps(
                {
                    "secret_key": settings.SECRET_KEY,
                    "field_keys": list(settings.KUIHUA_FIELD_KEYS),
                    "index_key": settings.KUIHUA_INDEX_KEY,
                }
            )
        )
        members = [member, "secrets.json"]
        media_root = Path(settings.MEDIA_ROOT)
        if media_root.is_dir():
            for path in sorted(p for p in media_root.rglob("*") if p.is_file()):
                relative = Path("media") / path.relative_to(media_root)
                (work_dir / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, work_dir / relative)
                members.append(relative.as_posix())
        with connection.cursor() as cursor:
            cursor.execute("SELECT app, name FROM django_migrations ORDER BY app, name")
            migrations = [f"{app}.{name}" for app, name in cursor.fetchall()]
        manifest = {
            "format": FORMAT,
            "created": dt.datetime.now(dt.UTC).isoformat(),
            "database": target.vendor,
            "migrations": migrations,
            "tables": counts,
            "members": {m: _sha256(work_dir / m) for m in members},
        }
        (work_dir / "manifest.json").write_text(json.dumps(manifest, indent=1))

        archive = io.BytesIO()
        with tarfile.open(fileobj=archive, mode="w:gz") as tar:
            tar.add(work_dir / "manifest.json", arcname="manifest.json")
            for m in members:
                tar.add(work_dir / m, arcname=m)
        data = archive.getvalue()

    name = f"kuihua-backup-{stamp}.tar.gz"
    if passphrase:
        salt = os.urandom(16)
        data = ENCRYPTED_MAGIC + salt + _fernet(passphrase, salt).encrypt(data)
        name += ".enc"
    path = output_dir / name
    # The file holds the keys: only its owner may read it, from the moment it exists.
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as f:
        f.write(data)
    return path


# --- restoring one ------------------------------------------------------------------


@dataclass
class Restored:
    database: str
    tables: int
    rows: int
    media_files: int
    secrets_path: Path


def _open_archive(path: Path, passphrase: str | None) -> bytes:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise BackupError(_("无法读取备份文件：%(file)s") % {"file": path}) from exc
    if data.startswith(ENCRYPTED_MAGIC):
        if not passphrase:
            raise BackupError(_("该备份已加密：请用 --passphrase-env 给出口令"))
        body = data[len(ENCRYPTED_MAGIC) :]
        try:
            return _fernet(passphrase, body[:16]).decrypt(body[16:])
        except InvalidToken as exc:
            raise BackupError(_("口令不对，或备份文件已损坏")) from exc
    return data


def _extract_checked(data: bytes, into: Path) -> dict:
    """Unpack into `into` and check every member against the manifest; the manifest."""
    try:
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as tar:
            tar.extractall(into, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(_("备份文件已损坏，无法解开，未做任何恢复")) from exc
    try:
        manifest = json.loads((into / "manifest.json").read_text())
    except (OSError, ValueError) as exc:
        raise BackupError(_("备份文件缺少清单（manifest.json），未做任何恢复")) from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(_("不认识的备份格式：%(f)s") % {"f": manifest.get("format")})
    for member, digest in manifest["members"].items():
        path = into / member
        if not path.is_file() or _sha256(path) != digest:
            raise BackupError(
                _("备份文件已损坏：%(member)s 的校验和不符，未做任何恢复") % {"member": member}
            )
    return manifest


def backup_restore(
    *,
    path: Path,
    target: Target | None = None,
    passphrase: str | None = None,
    replace: bool = False,
    secrets_path: Path | None = None,
    media_root: Path | None = None,
) -> Restored:
    """Restore the backup at `path` into `target` (default: the configured database).

    Refuses a damaged file before touching anything, and a target that already holds
    tables unless `replace`. The keys are written to `secrets_path` (mode 0600;
    default KUIHUA_HOME/secrets.json, where the embedded set-up reads them; a copy of
    any file there is kept beside it).
    """
    data = _open_archive(path, passphrase)
    target = target or Target.from_settings(connection.settings_dict)
    with tempfile.TemporaryDirectory(prefix="kuihua-restore-") as work:
        work_dir = Path(work)
        manifest = _extract_checked(data, work_dir)
        if manifest["database"] != target.vendor:
            raise BackupError(
                _("这是 %(kind)s 数据库的备份，不能恢复到 %(target)s")
                % {"kind": manifest["database"], "target": target.vendor}
            )
        existing = target.connect()
        try:
            occupied = _tables(existing, target.vendor)
        finally:
            existing.close()
        if occupied and not replace:
            raise BackupError(
                _("目标数据库里已有 %(n)d 张表：请恢复到一个空数据库，或加 --force 覆盖")
                % {"n": len(occupied)}
            )
        connections.close_all()
        if target.vendor == "sqlite":
            source = sqlite3.connect(work_dir / SQLITE_MEMBER)
            destination = sqlite3.connect(target.config["NAME"])
            with destination:
                source.backup(destination)  # replaces every page of the target
            source.close()
            destination.close()
        else:
            restore = subprocess.run(  # noqa: S603 - our own arguments, no shell
                [
                    _pg_tool("pg_restore"),
                    "--no-owner",
                    "--no-privileges",
                    "--exit-on-error",
                    *(["--clean", "--if-exists"] if replace else []),
                    f"--dbname={target.conninfo()}",
                    str(work_dir / POSTGRES_MEMBER),
                ],
                capture_output=True,
                text=True,
                check=False,
            )
            if restore.returncode != 0:
                raise BackupError(
                    _("pg_restore 失败：%(err)s") % {"err": restore.stderr.strip()[-500:]}
                )

        restored = target.connect()
        try:
            counts = _row_counts(restored, target.vendor)
        finally:
            restored.close()
        differing = sorted(t for t, n in manifest["tables"].items() if counts.get(t) != n)
        if differing:
            raise BackupError(
                _("恢复后的行数与备份清单不符：%(tables)s") % {"tables": "、".join(differing[:10])}
            )

        secrets_path = secrets_path or Path(settings.KUIHUA_HOME) / "secrets.json"
        if secrets_path.exists():
            shutil.copy2(secrets_path, secrets_path.with_suffix(".json.before-restore"))
        secrets_path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(secrets_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write((work_dir / "secrets.json").read_text())
        os.chmod(secrets_path, 0o600)

        media_root = media_root or Path(settings.MEDIA_ROOT)
        media_files = 0
        for member in manifest["members"]:
            if member.startswith("media/"):
                destination_path = media_root / member.removeprefix("media/")
                destination_path.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(work_dir / member, destination_path)
                media_files += 1
    return Restored(
        database=target.vendor,
        tables=len(counts),
        rows=sum(counts.values()),
        media_files=media_files,
        secrets_path=secrets_path,
    )
