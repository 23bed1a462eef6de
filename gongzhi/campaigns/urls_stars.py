"""Pages of 十星级文明户; included by urls_staff (namespace ``campaigns_staff``, under
/campaigns/manage/) and urls_resident (namespace ``campaigns``, under /campaigns/)."""

from django.urls import path

from gongzhi.campaigns import views_stars as views

staff_urlpatterns = [
    path("stars/", views.buildings, name="stars_buildings"),
    path("stars/building/<str:code>/", views.building, name="stars_building"),
    path("stars/household/<int:pk>/", views.assess, name="stars_assess"),
    path("stars/drafts/", views.drafts, name="stars_drafts"),
    path("stars/drafts/confirm/", views.confirm_all, name="stars_confirm_all"),
    path("stars/<int:pk>/confirm/", views.confirm, name="stars_confirm"),
    path("stars/<int:pk>/plaque/", views.plaque, name="stars_plaque"),
    path("stars/building/<str:code>/table/", views.table, name="stars_table"),
    path("stars/building/<str:code>/plaques/", views.plaques, name="stars_plaques"),
    path("stars/summary/", views.summary, name="stars_summary"),
    path("stars/criteria/", views.criteria, name="stars_criteria"),
]
resident_urlpatterns = [
    path("stars/", views.mine, name="stars_mine"),
]
