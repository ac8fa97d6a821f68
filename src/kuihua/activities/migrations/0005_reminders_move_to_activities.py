"""Activity reminders moved here from notifications (ADR 0009): the table is renamed, its
rows kept; both SQLite and PostgreSQL rename in place and keep the keys pointing at it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0004_community_moves_to_core'),
        ('core', '0002_community_moves_to_core'),
        ('notifications', '0004_reminders_move_to_activities'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='ReminderSent',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('sent_at', models.DateTimeField(auto_now_add=True, verbose_name='提醒时间')),
                        ('community', models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区')),
                        ('message', models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.SET_NULL, related_name='+', to='notifications.message')),
                        ('signup', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='reminder', to='activities.signup', verbose_name='报名')),
                    ],
                    options={
                        'verbose_name': '活动提醒记录',
                        'verbose_name_plural': '活动提醒记录',
                    },
                ),
            ],
            database_operations=[
                migrations.RunSQL(
                    "ALTER TABLE notifications_remindersent RENAME TO activities_remindersent",
                    "ALTER TABLE activities_remindersent RENAME TO notifications_remindersent",
                ),
            ],
        ),
    ]
