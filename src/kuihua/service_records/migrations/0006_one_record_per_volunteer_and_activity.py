"""One volunteer, one record per activity that counts (pending or verified); the
duplicates already there were merged by 0005. Records of no activity stay free."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("service_records", "0005_duplicate_records_merged"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="servicerecord",
            constraint=models.UniqueConstraint(
                condition=models.Q(("activity__isnull", False))
                & ~models.Q(("status", "rejected")),
                fields=("volunteer", "activity"),
                name="service_record_once_per_volunteer_activity",
                violation_error_message="该志愿者在这次活动已有服务记录，不能重复登记",
            ),
        ),
    ]
