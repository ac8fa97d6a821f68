"""Community moved from `registry` to `core` (the tenant at the bottom; ADR 0009).

Only Django's picture of the models changes: the table stays `registry_community`, and
every foreign key already points at it, so nothing is done to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0002_initial'),
        ('core', '0002_community_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='user',
                    name='community',
                    field=models.ForeignKey(blank=True, null=True, on_delete=django.db.models.deletion.PROTECT, related_name='users', to='core.community', verbose_name='所属社区'),
                ),
                migrations.AlterField(
                    model_name='user',
                    name='viewable_communities',
                    field=models.ManyToManyField(blank=True, related_name='district_viewers', to='core.community', verbose_name='可查看的社区'),
                ),
            ],
            database_operations=[],
        ),
    ]
