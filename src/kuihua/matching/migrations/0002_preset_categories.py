"""The preset service categories for communities created before this app."""

from django.db import migrations

PRESETS = [
    ("meal_delivery", "助餐送餐"),
    ("haircut", "理发"),
    ("medical_escort", "陪同就医"),
    ("rehabilitation", "康复护理"),
    ("housekeeping", "家政保洁"),
    ("home_repair", "维修"),
    ("companionship", "陪伴聊天"),
    ("counselling", "心理疏导"),
    ("child_care", "托管看护"),
    ("legal_aid", "法律援助"),
    ("tutoring", "课业辅导"),
]


def presets(apps, schema_editor):
    Community = apps.get_model("registry", "Community")
    ServiceCategory = apps.get_model("matching", "ServiceCategory")
    for community in Community.objects.all():
        have = set(
            ServiceCategory._base_manager.filter(community=community).values_list("code", flat=True)
        )
        ServiceCategory._base_manager.bulk_create(
            ServiceCategory(community=community, code=code, name=name, is_system=True)
            for code, name in PRESETS
            if code not in have
        )


class Migration(migrations.Migration):
    dependencies = [("matching", "0001_initial")]
    operations = [migrations.RunPython(presets, migrations.RunPython.noop)]
