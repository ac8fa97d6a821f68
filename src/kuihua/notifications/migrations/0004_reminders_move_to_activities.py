"""Activity reminders moved to the activities app (they are about sign-ups; ADR 0009).

Here only Django's picture changes; activities.0005 renames the table and takes the model.
"""

from django.db import migrations


class Migration(migrations.Migration):

    dependencies = [
        ('notifications', '0003_community_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name='ReminderSent')],
            database_operations=[],
        ),
    ]
