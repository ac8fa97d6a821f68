from django.urls import path

from kuihua.registry import import_views, views

app_name = "registry"
urlpatterns = [
    path("residents/", views.resident_list, name="resident_list"),
    path("residents/new/", views.resident_create, name="resident_create"),
    path("residents/<int:resident_id>/", views.resident_detail, name="resident_detail"),
    path("residents/<int:resident_id>/edit/", views.resident_edit, name="resident_edit"),
    path(
        "residents/<int:resident_id>/sensitive/",
        views.resident_sensitive,
        name="resident_sensitive",
    ),
    path("residents/<int:resident_id>/consents/", views.resident_consent, name="resident_consent"),
    path("residents/<int:resident_id>/tags/", views.resident_tags, name="resident_tags"),
    path(
        "residents/<int:resident_id>/contacts/",
        views.resident_contact_add,
        name="resident_contact_add",
    ),
    path("residents/<int:resident_id>/export/", views.resident_export, name="resident_export"),
    path("residents/<int:resident_id>/erase/", views.resident_erase, name="resident_erase"),
    path("households/<int:household_id>/", views.household_detail, name="household_detail"),
    path("owners/", views.owners_overview, name="owners_overview"),
    path("tags/", views.tag_list, name="tag_list"),
    path("access-log/", views.access_log, name="access_log"),
    path("import/", import_views.import_page, name="import"),
]
