# The yes/no replaced by the course name (0006 moved the data).

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("activities", "0006_required_training"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="activity",
            name="requires_training",
        ),
    ]
