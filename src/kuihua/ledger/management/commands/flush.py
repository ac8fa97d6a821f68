"""`flush`, as Django's, able to empty a database whose books hold posted entries.

The ledger's triggers refuse to delete a posted entry or its legs
(ledger/migrations/0002_guards.py). Emptying the whole database (`kuihua seed --reset`,
the test runner after a transactional test) is not a correction of the books but their
removal with everything else. SQLite's flush deletes row by row, so there the triggers
are dropped for the flush and created again after it, whatever happens; PostgreSQL's
TRUNCATE fires no row trigger and needs nothing.
"""

import importlib

from django.core.management.commands.flush import Command as DjangoFlush
from django.db import DEFAULT_DB_ALIAS, connections


class Command(DjangoFlush):
    def handle(self, **options):
        connection = connections[options.get("database") or DEFAULT_DB_ALIAS]
        if connection.vendor != "sqlite":
            return super().handle(**options)
        guards = importlib.import_module("kuihua.ledger.migrations.0002_guards")
        tables = set(connection.introspection.table_names())
        if "ledger_entry" not in tables:  # not migrated yet: nothing to guard
            return super().handle(**options)
        with connection.cursor() as cursor:
            for sql in guards.SQLITE_DROP:
                cursor.execute(sql)
        try:
            return super().handle(**options)
        finally:
            with connection.cursor() as cursor:
                for sql in guards.SQLITE:
                    cursor.execute(sql)
