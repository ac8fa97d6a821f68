"""`kuihua restore FILE [--to URL] [--force] [--passphrase-env VAR] [--secrets-out PATH]`:
check a backup, restore it into an empty database, and count every table's rows."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kuihua.core.backups import BackupError, Target, backup_restore
from kuihua.core.management.commands.backup import passphrase_from


class Command(BaseCommand):
    help = "Restore a backup made by `kuihua backup` into an empty database."

    def add_arguments(self, parser):
        parser.add_argument("file")
        parser.add_argument(
            "--to", metavar="URL", help="database to restore into (default: the configured one)"
        )
        parser.add_argument(
            "--force", action="store_true", help="replace a database that already holds tables"
        )
        parser.add_argument("--passphrase-env", metavar="VAR")
        parser.add_argument(
            "--secrets-out",
            metavar="PATH",
            help="where to write the restored keys (default: KUIHUA_HOME/secrets.json)",
        )
        parser.add_argument("--media-root", metavar="DIR", help="default: MEDIA_ROOT")

    def handle(self, *args, **opts):
        try:
            restored = backup_restore(
                path=Path(opts["file"]),
                target=Target.from_url(opts["to"]) if opts["to"] else None,
                passphrase=passphrase_from(opts["passphrase_env"]),
                replace=opts["force"],
                secrets_path=Path(opts["secrets_out"]) if opts["secrets_out"] else None,
                media_root=Path(opts["media_root"]) if opts["media_root"] else None,
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"restored {restored.database}: {restored.tables} tables, {restored.rows} rows "
            f"(as counted in the backup), {restored.media_files} uploaded files"
        )
        self.stdout.write(
            f"keys written to {restored.secrets_path} (mode 600): the embedded set-up reads "
            "them there; in production set DJANGO_SECRET_KEY, KUIHUA_FIELD_KEYS and "
            "KUIHUA_INDEX_KEY from it, then delete the file"
        )
