"""Training records move to kuihua.training: copy every row, ids and community kept.

The copy lives here, in care, so that `training` (a lower layer) never
depends on care, not even in its migrations. 0007 then drops care's table.
"""

from django.core.management.color import no_style
from django.db import migrations

FIELDS = ("id", "community_id", "user_id", "course", "completed_on", "recorded_by_id")


def _copy(source, target, schema_editor) -> None:
    db = schema_editor.connection.alias
    rows = source.objects.using(db).order_by("pk").values(*FIELDS)
    target.objects.using(db).bulk_create((target(**row) for row in rows), batch_size=500)
    # Ids were given explicitly: move PostgreSQL's sequence past them (no-op on SQLite).
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), [target]):
            cursor.execute(sql)


def forwards(apps, schema_editor):
    _copy(
        apps.get_model("care", "TrainingRecord"),
        apps.get_model("training", "TrainingRecord"),
        schema_editor,
    )


def backwards(apps, schema_editor):
    _copy(
        apps.get_model("training", "TrainingRecord"),
        apps.get_model("care", "TrainingRecord"),
        schema_editor,
    )


class Migration(migrations.Migration):
    dependencies = [
        ("care", "0005_community_moves_to_core"),
        ("training", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
