from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class TrainingConfig(AppConfig):
    name = "kuihua.training"
    label = "training"
    verbose_name = _("培训")

    def ready(self):
        from kuihua.registry.personal_data import register_personal_data
        from kuihua.training.personal_data import training_erase, training_export

        register_personal_data(section="training", export=training_export, erase=training_erase)
