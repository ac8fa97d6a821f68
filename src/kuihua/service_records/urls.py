from django.urls import path

from kuihua.service_records import views

app_name = "service_records"
urlpatterns = [
    path("service-records/", views.mine, name="mine"),
    path("service-records/records/new/", views.record_new, name="record_new"),
    path("service-records/records/<int:record_id>/", views.record_detail, name="record"),
    path(
        "service-records/records/<int:record_id>/correction/",
        views.record_correction,
        name="record_correction",
    ),
    path(
        "service-records/records/<int:record_id>/verify/",
        views.record_verify,
        name="record_verify",
    ),
    path(
        "service-records/records/<int:record_id>/reject/",
        views.record_reject,
        name="record_reject",
    ),
    path(
        "service-records/corrections/<int:correction_id>/decide/",
        views.correction_decide,
        name="correction_decide",
    ),
    path("service-records/queue/", views.queue, name="queue"),
    path("service-records/certificates/", views.certificates, name="certificates"),
    path(
        "service-records/certificates/<int:certificate_id>/pdf/",
        views.certificate_pdf,
        name="certificate_pdf",
    ),
    path("service-records/overview/", views.overview, name="overview"),
    path("service-records/points-rule/", views.points_rule, name="points_rule"),
    # Public: anyone holding a certificate's code checks it here, signed in or not.
    path("verify/<str:code>/", views.verify, name="verify"),
]
