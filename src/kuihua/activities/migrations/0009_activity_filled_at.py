"""When an activity became full (`Activity.filled_at`), for the dashboard's fill time.

Backfilled where it can be known: a full activity none of whose sign-ups was ever
cancelled kept its places from the start, so it filled when its last sign-up holding
a place was made. Any other full activity (a place was freed and taken again, so the
moment is not in the rows) stays NULL and is not counted by the figure.
"""

from django.db import migrations, models
from django.db.models import Exists, F, Max, OuterRef, Subquery


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Activity = apps.get_model("activities", "Activity")
    Signup = apps.get_model("activities", "Signup")
    last_place = (
        Signup.objects.using(db)
        .filter(activity=OuterRef("pk"), status__in=("confirmed", "offered"))
        .order_by()
        .values("activity")
        .annotate(last=Max("queued_at"))
        .values("last")
    )
    cancelled = Signup.objects.using(db).filter(activity=OuterRef("pk"), status="cancelled")
    Activity.objects.using(db).filter(
        places__isnull=False, places__gt=0, places_taken__gte=F("places")
    ).exclude(Exists(cancelled)).update(filled_at=Subquery(last_place))


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_activity_project_drive_project_series_project"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="filled_at",
            field=models.DateTimeField(
                blank=True, editable=False, null=True, verbose_name="满员时间"
            ),
        ),
        migrations.RunPython(forwards, migrations.RunPython.noop, elidable=True),
    ]
