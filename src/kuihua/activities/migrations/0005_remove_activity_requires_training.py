# The yes/no replaced by the course name (0004 moved the data).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0004_required_training"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="activity",
            name="requires_training",
        ),
    ]
