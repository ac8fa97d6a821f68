"""The database's own guards on the ledger, on SQLite and PostgreSQL alike.

- A leg is added only to an entry not yet posted, and never changed or deleted.
- An entry is inserted unposted; posting it (one UPDATE) is refused unless its legs
  add up to zero and there are at least two, or when its date is in a closed period.
- A posted entry is never changed or deleted.

Each refusal raises an error whose text starts with "ledger:"; the services check
the same rules first to give people a message in their language.
"""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER ledger_leg_insert BEFORE INSERT ON ledger_leg
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a posted entry takes no more legs')
      WHERE (SELECT posted FROM ledger_entry WHERE id = NEW.entry_id);
    END""",
    """CREATE TRIGGER ledger_leg_update BEFORE UPDATE ON ledger_leg
    BEGIN SELECT RAISE(ABORT, 'ledger: legs are never changed'); END""",
    """CREATE TRIGGER ledger_leg_delete BEFORE DELETE ON ledger_leg
    BEGIN
      SELECT RAISE(ABORT, 'ledger: legs of a posted entry are never deleted')
      WHERE (SELECT posted FROM ledger_entry WHERE id = OLD.entry_id);
    END""",
    """CREATE TRIGGER ledger_entry_insert BEFORE INSERT ON ledger_entry
    BEGIN
      SELECT RAISE(ABORT, 'ledger: an entry is inserted unposted, then posted')
      WHERE NEW.posted;
    END""",
    """CREATE TRIGGER ledger_entry_update BEFORE UPDATE ON ledger_entry
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a posted entry is never changed') WHERE OLD.posted;
      SELECT RAISE(ABORT, 'ledger: the entry does not balance')
      WHERE NEW.posted AND (
        (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_leg WHERE entry_id = NEW.id) <> 0
        OR (SELECT COUNT(*) FROM ledger_leg WHERE entry_id = NEW.id) < 2);
      SELECT RAISE(ABORT, 'ledger: the period is closed')
      WHERE NEW.posted AND NEW.date <= COALESCE(
        (SELECT closed_through FROM ledger_ledger WHERE id = NEW.ledger_id), '0000-00-00');
    END""",
    """CREATE TRIGGER ledger_entry_delete BEFORE DELETE ON ledger_entry
    BEGIN
      SELECT RAISE(ABORT, 'ledger: a posted entry is never deleted') WHERE OLD.posted;
    END""",
]
SQLITE_DROP = [
    f"DROP TRIGGER IF EXISTS {name}"
    for name in (
        "ledger_leg_insert", "ledger_leg_update", "ledger_leg_delete",
        "ledger_entry_insert", "ledger_entry_update", "ledger_entry_delete",
    )
]

POSTGRES = [
    """CREATE FUNCTION ledger_leg_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF (SELECT posted FROM ledger_entry WHERE id = NEW.entry_id) THEN
          RAISE EXCEPTION 'ledger: a posted entry takes no more legs';
        END IF;
        RETURN NEW;
      ELSIF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'ledger: legs are never changed';
      END IF;
      IF (SELECT posted FROM ledger_entry WHERE id = OLD.entry_id) THEN
        RAISE EXCEPTION 'ledger: legs of a posted entry are never deleted';
      END IF;
      RETURN OLD;
    END $$""",
    """CREATE TRIGGER ledger_leg_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_leg
    FOR EACH ROW EXECUTE FUNCTION ledger_leg_guard()""",
    """CREATE FUNCTION ledger_entry_guard() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF TG_OP = 'INSERT' THEN
        IF NEW.posted THEN
          RAISE EXCEPTION 'ledger: an entry is inserted unposted, then posted';
        END IF;
        RETURN NEW;
      ELSIF TG_OP = 'DELETE' THEN
        IF OLD.posted THEN RAISE EXCEPTION 'ledger: a posted entry is never deleted'; END IF;
        RETURN OLD;
      END IF;
      IF OLD.posted THEN RAISE EXCEPTION 'ledger: a posted entry is never changed'; END IF;
      IF NEW.posted THEN
        IF (SELECT COALESCE(SUM(amount_fen), 0) FROM ledger_leg WHERE entry_id = NEW.id) <> 0
           OR (SELECT COUNT(*) FROM ledger_leg WHERE entry_id = NEW.id) < 2 THEN
          RAISE EXCEPTION 'ledger: the entry does not balance';
        END IF;
        IF NEW.date <= (SELECT closed_through FROM ledger_ledger WHERE id = NEW.ledger_id) THEN
          RAISE EXCEPTION 'ledger: the period is closed';
        END IF;
      END IF;
      RETURN NEW;
    END $$""",
    """CREATE TRIGGER ledger_entry_guard BEFORE INSERT OR UPDATE OR DELETE ON ledger_entry
    FOR EACH ROW EXECUTE FUNCTION ledger_entry_guard()""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS ledger_entry_guard ON ledger_entry",
    "DROP FUNCTION IF EXISTS ledger_entry_guard()",
    "DROP TRIGGER IF EXISTS ledger_leg_guard ON ledger_leg",
    "DROP FUNCTION IF EXISTS ledger_leg_guard()",
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
    dependencies = [("ledger", "0001_initial")]

    operations = [migrations.RunPython(create, drop)]
