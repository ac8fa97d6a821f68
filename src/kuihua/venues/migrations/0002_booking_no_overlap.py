"""On PostgreSQL, the database itself refuses overlapping live bookings of one room.

The service decides clashes under a lock on the room; this exclusion constraint
is the last word. SQLite has no exclusion constraints: there the IMMEDIATE
transaction serialises every writer, so the service's check is already exact.
"""

from django.db import migrations

CREATE = """
CREATE EXTENSION IF NOT EXISTS btree_gist;
ALTER TABLE venues_booking ADD CONSTRAINT booking_no_overlap
    EXCLUDE USING gist (room_id WITH =, tstzrange(starts_at, ends_at, '[)') WITH &&)
    WHERE (cancelled_at IS NULL);
"""

DROP = "ALTER TABLE venues_booking DROP CONSTRAINT IF EXISTS booking_no_overlap;"


def add_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def drop_exclusion(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("venues", "0001_initial")]

    operations = [migrations.RunPython(add_exclusion, drop_exclusion, elidable=False)]
