"""A closed period is never reopened, on SQLite and PostgreSQL alike.

0002 refuses an entry dated on or before a ledger's `closed_through`; without this,
a plain `Ledger.objects.update(closed_through=None)` would reopen every closed month
and leave no trace but the `PeriodClose` rows (the books check reports that too).
`closed_through` only moves forward: set once, it is never cleared nor moved back.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_ledger_closed_through BEFORE UPDATE OF closed_through
    ON ledger_ledger
    WHEN OLD.closed_through IS NOT NULL
      AND (NEW.closed_through IS NULL OR NEW.closed_through < OLD.closed_through)
    BEGIN SELECT RAISE(ABORT, 'ledger: a closed period is never reopened'); END""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS ledger_ledger_closed_through"]

POSTGRES = [
    """CREATE FUNCTION ledger_ledger_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF OLD.closed_through IS NOT NULL AND (
           NEW.closed_through IS NULL OR NEW.closed_through < OLD.closed_through) THEN
        RAISE EXCEPTION 'ledger: a closed period is never reopened';
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER ledger_ledger_guard BEFORE UPDATE ON ledger_ledger
    FOR EACH ROW EXECUTE FUNCTION ledger_ledger_guard()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_ledger_guard ON ledger_ledger",
    "DROP FUNCTION IF EXISTS ledger_ledger_guard()",
]


def create(apps, schema_editor):
    statements = SQLITE if schema_editor.connection.vendor == "sqlite" else POSTGRES
    for sql in statements:
        schema_editor.execute(sql, params=None)


def drop(apps, schema_editor):
    statements = SQLITE_DROP if schema_editor.connection.vendor == "sqlite" else POSTGRES_DROP
    for sql in statements:
        schema_editor.execute(sql, params=None)


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_guards")]

    operations = [migrations.RunPython(create, drop)]
