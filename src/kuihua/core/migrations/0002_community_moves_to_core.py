"""Community moved from `registry` to `core` (the tenant at the bottom; ADR 0009).

Only Django's picture of the models changes: the table stays `registry_community`, and
every foreign key already points at it, so nothing is done to the database.
"""

import django.db.models.deletion
from django.db import migrations, models


def _content_type_follows(apps, schema_editor):
    """Admin history and permissions of communities follow the model to its new app."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="core", model="community").exists():
        ContentType.objects.filter(app_label="registry", model="community").update(app_label="core")


def _content_type_returns(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ContentType.objects.filter(app_label="registry", model="community").exists():
        ContentType.objects.filter(app_label="core", model="community").update(app_label="registry")


class Migration(migrations.Migration):

    dependencies = [
        ('core', '0001_initial'),
        ('registry', '0002_longer_pinyin'),  # the table exists
        ('contenttypes', '0002_remove_content_type_name'),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name='Community',
                    fields=[
                        ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                        ('name', models.CharField(max_length=100, verbose_name='社区名称')),
                        ('code', models.SlugField(max_length=40, unique=True, verbose_name='社区代码')),
                        ('street', models.CharField(blank=True, max_length=100, verbose_name='所属街道')),
                        ('district', models.CharField(blank=True, max_length=100, verbose_name='所属区')),
                        ('area_km2', models.DecimalField(blank=True, decimal_places=2, max_digits=8, null=True, verbose_name='面积（平方公里）')),
                        ('created_at', models.DateTimeField(auto_now_add=True, verbose_name='创建时间')),
                    ],
                    options={
                        'verbose_name': '社区',
                        'verbose_name_plural': '社区',
                        'db_table': 'registry_community',
                        'ordering': ['id'],
                    },
                ),
                migrations.AlterField(
                    model_name='accesslog',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
                migrations.AlterField(
                    model_name='auditlog',
                    name='community',
                    field=models.ForeignKey(editable=False, on_delete=django.db.models.deletion.PROTECT, related_name='+', to='core.community', verbose_name='社区'),
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(_content_type_follows, _content_type_returns),
    ]
