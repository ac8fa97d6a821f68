"""Community moved from `registry` to `core` (the tenant at the bottom; ADR 0009).

Only Django's picture of the models changes: the table stays `registry_community`, and
every foreign key already points at it, so nothing is done to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('care', '0004_contacts_in_order'),
        ('core', '0002_community_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='alert',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='carerecipient',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='checkin',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='dutypreference',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='dutyshift',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='incident',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='swaprequest',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='trainingrecord',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
            ],
            database_operations=[],
        ),
    ]
