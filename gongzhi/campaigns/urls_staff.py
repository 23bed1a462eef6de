"""Staff pages for campaigns, mounted at /campaigns/manage/ (namespace ``campaigns_staff``):
the "最美" selections this user organises, a new one, the organiser's page of one selection
with its stage buttons, review, final list and staff nominations."""

from django.urls import path

from gongzhi.campaigns import urls_conventions, urls_partners, urls_shops, urls_stars
from gongzhi.campaigns import views_staff as views

app_name = "campaigns_staff"
urlpatterns = [
    path("", views.selection_list, name="list"),
    path("start/", views.start, name="start"),
    path("new/", views.create, name="create"),
    path("<int:pk>/", views.selection_page, name="selection"),
    path("<int:pk>/open-nominations/", views.open_nominations, name="open_nominations"),
    path("<int:pk>/open-voting/", views.open_voting, name="open_voting"),
    path("<int:pk>/close-voting/", views.close_voting, name="close_voting"),
    path("<int:pk>/confirm/", views.confirm, name="confirm"),
    path("<int:pk>/announce/", views.announce, name="announce"),
    path("<int:pk>/nominate/", views.nominate, name="nominate"),
    path("nominations/<int:pk>/review/", views.review, name="review"),
]
for topic in (urls_stars, urls_shops, urls_partners, urls_conventions):
    urlpatterns += topic.staff_urlpatterns
