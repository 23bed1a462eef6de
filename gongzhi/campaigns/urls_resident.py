"""Residents' pages of the "最美" selections, mounted at /campaigns/ (namespace
``campaigns``). Notifications link to /campaigns/<id>/ and the results notice's subject
link points there too, so that path stays as it is."""

from django.urls import path

from gongzhi.campaigns import urls_conventions, urls_partners, urls_shops, urls_stars
from gongzhi.campaigns import views_resident as views

app_name = "campaigns"
urlpatterns = [
    path("", views.home, name="home"),
    path("<int:pk>/", views.selection, name="selection"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("nominations/<int:pk>/vote/", views.vote, name="vote"),
    path("photos/<int:pk>/", views.photo, name="photo"),
    path("honour/<str:code>/", views.honour, name="honour"),
]
for topic in (urls_stars, urls_shops, urls_partners, urls_conventions):
    urlpatterns += topic.resident_urlpatterns
