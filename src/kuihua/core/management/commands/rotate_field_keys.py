"""`kuihua manage rotate_field_keys`: re-encrypt personal data under the newest key.

Rotation: prepend a new key to KUIHUA_FIELD_KEYS (old keys stay listed so that
existing values still decrypt), run this command, then drop the old key.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import transaction

from kuihua.core.crypto import EncryptedTextField, reset_key_cache, rotate


def encrypted_fields():
    for model in apps.get_models():
        names = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, EncryptedTextField)
        ]
        if names:
            yield model, names


class Command(BaseCommand):
    help = "Re-encrypt every encrypted personal-data column with the newest field key."

    def add_arguments(self, parser):
        parser.add_argument("--batch-size", type=int, default=1000)

    def handle(self, *args, **opts):
        reset_key_cache()
        total = 0
        for model, names in encrypted_fields():
            # Raw SQL on purpose: the tokens are rotated without ever being
            # decrypted into Python objects, and no scope is needed.
            count = 0
            with transaction.atomic():
                for row in _raw_rows(model, names):
                    pk, tokens = row[0], row[1:]
                    updates = {
                        name: rotate(token)
                        for name, token in zip(names, tokens, strict=True)
                        if token
                    }
                    if updates:
                        _raw_update(model, pk, updates)
                        count += 1
            total += count
            self.stdout.write(f"{model._meta.label}: {count}")
        self.stdout.write(self.style.SUCCESS(f"re-encrypted {total} rows"))


def _raw_rows(model, names):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(n) for n in ["id", *names])
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {table} ORDER BY id")  # noqa: S608
        return cursor.fetchall()


def _raw_update(model, pk, updates):
    from django.db import connection

    table = connection.ops.quote_name(model._meta.db_table)
    assignments = ", ".join(f"{connection.ops.quote_name(n)} = %s" for n in updates)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {assignments} WHERE id = %s",  # noqa: S608
            [*updates.values(), pk],
        )
