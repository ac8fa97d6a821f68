"""`kuihua backup [--output DIR] [--passphrase-env VAR]`: one file with the database,
its keys and the uploaded files (kuihua.core.backups; docs/operations.md "Backups")."""

import os
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from kuihua.core.backups import BackupError, backup_create


def passphrase_from(variable: str | None) -> str | None:
    if not variable:
        return None
    value = os.environ.get(variable, "")
    if not value:
        raise CommandError(f"--passphrase-env {variable}: the variable is empty or not set")
    return value


class Command(BaseCommand):
    help = "Back up the database, the field-encryption keys and the uploaded files to one file."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=".", help="folder for the backup (default: .)")
        parser.add_argument(
            "--passphrase-env",
            metavar="VAR",
            help="encrypt the backup with the passphrase in this environment variable",
        )

    def handle(self, *args, **opts):
        try:
            path = backup_create(
                output_dir=Path(opts["output"]), passphrase=passphrase_from(opts["passphrase_env"])
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"{path}")
        self.stderr.write(
            "the backup holds the keys that decrypt the personal data: keep it as you keep them"
        )
