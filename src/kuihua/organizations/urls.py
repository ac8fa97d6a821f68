from django.urls import path

from kuihua.organizations import views

app_name = "organizations"
urlpatterns = [
    path("", views.organization_list, name="list"),
    path("new/", views.organization_create, name="create"),
    path("<int:organization_id>/", views.organization_detail, name="detail"),
    path("<int:organization_id>/edit/", views.organization_edit, name="edit"),
    path("<int:organization_id>/stage/", views.advance_stage, name="advance_stage"),
    path("<int:organization_id>/leader/", views.set_leader, name="set_leader"),
    path("<int:organization_id>/members/search/", views.member_search, name="member_search"),
    path("<int:organization_id>/members/add/", views.member_add, name="member_add"),
    path(
        "<int:organization_id>/members/<int:membership_id>/remove/",
        views.member_remove,
        name="member_remove",
    ),
    path("partners/", views.partner_list, name="partner_list"),
    path("partners/new/", views.partner_create, name="partner_create"),
    path("partners/<int:partner_id>/", views.partner_detail, name="partner_detail"),
    path("partners/<int:partner_id>/contact/", views.partner_contact, name="partner_contact"),
]
