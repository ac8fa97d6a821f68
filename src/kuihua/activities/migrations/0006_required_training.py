"""An activity names the training it requires (a course) instead of a yes/no.

Activities and series templates that required training now require the
default course below; a coordinator records it (or renames the requirement to
a course people have done). 0007 drops the old yes/no column.
"""

from django.db import migrations, models

DEFAULT_COURSE = "志愿服务培训"


def forwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Activity = apps.get_model("activities", "Activity")
    Activity.objects.using(db).filter(requires_training=True).update(
        required_training=DEFAULT_COURSE
    )
    Series = apps.get_model("activities", "Series")
    for series in Series.objects.using(db).filter(template__has_key="requires_training"):
        template = dict(series.template)
        if template.pop("requires_training"):
            template.setdefault("required_training", DEFAULT_COURSE)
        series.template = template
        series.save(update_fields=["template"])


def backwards(apps, schema_editor):
    db = schema_editor.connection.alias
    Activity = apps.get_model("activities", "Activity")
    Activity.objects.using(db).exclude(required_training="").update(requires_training=True)
    Series = apps.get_model("activities", "Series")
    for series in Series.objects.using(db).filter(template__has_key="required_training"):
        template = dict(series.template)
        template["requires_training"] = bool(template.pop("required_training"))
        series.template = template
        series.save(update_fields=["template"])


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0005_reminders_move_to_activities"),
    ]

    operations = [
        migrations.AddField(
            model_name="activity",
            name="required_training",
            field=models.CharField(
                blank=True,
                help_text="空表示不需要培训；填写培训内容，与培训记录中的名称一致",
                max_length=100,
                verbose_name="需完成的培训",
            ),
        ),
        migrations.RunPython(forwards, backwards, elidable=True),
    ]
