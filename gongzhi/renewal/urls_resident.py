"""Residents' pages for renewal, mounted at /renewal/ (namespace ``renewal``).
Notifications link to /renewal/projects/<id>/ and /renewal/projects/<id>/survey/, so
those paths stay as they are."""

from django.urls import path

from gongzhi.renewal import views_resident as views

app_name = "renewal"
urlpatterns = [
    path("", views.home, name="home"),
    path("projects/<int:pk>/", views.project, name="project"),
    path("projects/<int:pk>/survey/", views.survey, name="survey"),
    path("projects/<int:pk>/inspect/", views.inspect, name="inspect"),
    path("items/<int:pk>/signoff/", views.signoff, name="signoff"),
    path("photos/<int:pk>/", views.photo, name="photo"),
]
