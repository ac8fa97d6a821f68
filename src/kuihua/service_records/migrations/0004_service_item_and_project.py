"""A service record's free-text "project" is what it calls the service item
(服务项目 in the record rules: an activity's title, "助老送餐"): it becomes
`service_item`, and `project` now names the public-welfare project the service
counts in (kuihua.projects).

Existing records are linked where it is certain: a record from an activity of a
project takes the activity's project; a record whose service item is, word for
word, the name of a project of its community takes that project. Nothing is
linked when there is no project (as on a database from before projects).
"""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Exists, OuterRef, Subquery


def link_projects(apps, schema_editor):
    db = schema_editor.connection.alias
    ServiceRecord = apps.get_model("service_records", "ServiceRecord")
    Activity = apps.get_model("activities", "Activity")
    Project = apps.get_model("projects", "Project")
    records = ServiceRecord.objects.using(db)

    of_activity = Activity.objects.using(db).filter(
        pk=OuterRef("activity_id"), project_id__isnull=False
    )
    records.filter(project_id__isnull=True).filter(Exists(of_activity)).update(
        project_id=Subquery(of_activity.values("project_id")[:1])
    )

    named = Project.objects.using(db).filter(
        community_id=OuterRef("community_id"), name=OuterRef("service_item")
    )
    records.filter(project_id__isnull=True).filter(Exists(named)).update(
        project_id=Subquery(named.values("pk")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0008_activity_project_drive_project_series_project"),
        ("projects", "0001_initial"),
        ("service_records", "0003_volunteer_kept_anonymous_after_erasure"),
    ]

    operations = [
        migrations.RenameField(
            model_name="servicerecord", old_name="project", new_name="service_item"
        ),
        migrations.AlterField(
            model_name="servicerecord",
            name="service_item",
            field=models.CharField(max_length=200, verbose_name="服务事项"),
        ),
        migrations.AddField(
            model_name="servicerecord",
            name="project",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.SET_NULL,
                related_name="service_records",
                to="projects.project",
                verbose_name="所属公益项目",
            ),
        ),
        migrations.RunPython(link_projects, migrations.RunPython.noop, elidable=True),
    ]
