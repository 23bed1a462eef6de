"""Resident pages, mounted under /cases/ (the QR short link /r/<code>/ points at ``report``)."""

from django.urls import path

from gongzhi.cases import views_resident as views

app_name = "cases_resident"
urlpatterns = [
    path("report/<str:building_code>/", views.report, name="report"),
    path("mine/", views.mine, name="mine"),
    path("mine/<int:pk>/", views.mine_case, name="case"),
    path("t/<str:access_token>/", views.track, name="track"),
    path("rate/<int:pk>/", views.rate, name="rate"),
    path("support/<int:pk>/", views.support, name="support"),
    path("photos/<int:photo_id>/", views.photo, name="photo"),
]
