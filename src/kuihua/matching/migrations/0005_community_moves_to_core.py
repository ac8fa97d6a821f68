"""Community moved from `registry` to `core` (the tenant at the bottom; ADR 0009).

Only Django's picture of the models changes: the table stays `registry_community`, and
every foreign key already points at it, so nothing is done to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0002_community_moves_to_core'),
        ('matching', '0004_offer_capacity_label'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='matchrun',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='need',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='needevent',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='proposal',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='servicecategory',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='servicedelivery',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='serviceoffer',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
            ],
            database_operations=[],
        ),
    ]
