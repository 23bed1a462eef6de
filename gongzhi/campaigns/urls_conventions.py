"""Pages of conventions (居民公约); included by urls_staff (namespace ``campaigns_staff``,
under /campaigns/manage/) and urls_resident (namespace ``campaigns``, under /campaigns/).
The notice of a published convention links to /campaigns/conventions/<id>/."""

from django.urls import path

from gongzhi.campaigns import views_conventions as views

staff_urlpatterns: list = [
    path("conventions/", views.staff_list, name="conventions_list"),
    path("conventions/new/", views.staff_edit, name="conventions_create"),
    path("conventions/chase/", views.staff_chase, name="conventions_chase"),
    path("conventions/communities/", views.staff_communities, name="conventions_communities"),
    path("conventions/<int:pk>/", views.staff_page, name="conventions_page"),
    path("conventions/<int:pk>/edit/", views.staff_edit, name="conventions_edit"),
    path("conventions/<int:pk>/consult/", views.staff_consult, name="conventions_consult"),
    path("conventions/<int:pk>/publish/", views.staff_publish, name="conventions_publish"),
    path("conventions/<int:pk>/rates.xlsx", views.staff_export, name="conventions_export"),
    path("conventions/<int:pk>/buildings/<int:building_pk>/", views.staff_building,
         name="conventions_building"),
    path("conventions/<int:pk>/buildings/<int:building_pk>/sign/", views.staff_paper,
         name="conventions_paper"),
]
resident_urlpatterns: list = [
    path("conventions/", views.resident_list, name="conventions_home"),
    path("conventions/<int:pk>/", views.resident_detail, name="conventions_detail"),
    path("conventions/<int:pk>/sign/", views.resident_sign, name="conventions_sign"),
]
