"""Community moved from `registry` to `core` (the tenant at the bottom; ADR 0009).

Only Django's picture of the models changes: the table stays `registry_community`, and
every foreign key already points at it, so nothing is done to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('activities', '0003_series_template'),
        ('core', '0002_community_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='activity',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='attendance',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='drive',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='series',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='signup',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
            ],
            database_operations=[],
        ),
    ]
