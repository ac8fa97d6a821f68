from django.urls import path

from kuihua.matching import views

app_name = "matching"

urlpatterns = [
    path("", views.need_list, name="need_list"),
    path("needs/new/", views.need_create, name="need_create"),
    path("needs/visit/", views.need_visit, name="need_visit"),
    path("needs/<int:need_id>/", views.need_detail, name="need_detail"),
    path("needs/<int:need_id>/cancel/", views.need_cancel, name="need_cancel"),
    path("needs/<int:need_id>/assign/", views.need_assign, name="need_assign"),
    path("needs/<int:need_id>/start/", views.need_start, name="need_start"),
    path("needs/<int:need_id>/done/", views.need_done, name="need_done"),
    path("needs/<int:need_id>/rate/", views.need_rate, name="need_rate"),
    path("needs/<int:need_id>/deliveries/", views.need_deliver, name="need_deliver"),
    path("needs/<int:need_id>/project/", views.need_attribute, name="need_attribute"),
    path("orders/", views.my_orders, name="my_orders"),
    path("offers/", views.offer_list, name="offer_list"),
    path("offers/new/", views.offer_create, name="offer_create"),
    path("categories/", views.category_list, name="category_list"),
    path("runs/", views.run_start, name="run_start"),
    path("runs/<int:run_id>/", views.run_detail, name="run_detail"),
    path("runs/<int:run_id>/accept/", views.run_accept, name="run_accept"),
    path("gaps/", views.gap_report, name="gap_report"),
    path("stats/", views.delivery_stats, name="delivery_stats"),
]
