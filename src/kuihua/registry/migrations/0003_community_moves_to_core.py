"""Community moved from `registry` to `core` (the tenant at the bottom; ADR 0009).

Only Django's picture of the models changes: the table stays `registry_community`, and
every foreign key already points at it, so nothing is done to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):

    dependencies = [
        ('accounts', '0003_community_moves_to_core'),
        ('activities', '0004_community_moves_to_core'),
        ('care', '0005_community_moves_to_core'),
        ('core', '0002_community_moves_to_core'),
        ('matching', '0005_community_moves_to_core'),
        ('notifications', '0003_community_moves_to_core'),
        ('organizations', '0002_community_moves_to_core'),
        ('registry', '0002_longer_pinyin'),
        ('service_records', '0002_community_moves_to_core'),
        ('venues', '0003_community_moves_to_core'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name='resident',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='emergencycontact',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='compound',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='building',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='tag',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='consent',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='household',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.DeleteModel(
                    name='Community',
                ),
            ],
            database_operations=[],
        ),
    ]
