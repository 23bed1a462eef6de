"""Resident deliberation pages, mounted at /deliberation/. The actions' notifications link
to these paths, so they stay as they are."""

from django.urls import path

from gongzhi.deliberation import views_public as public
from gongzhi.deliberation import views_resident as views

app_name = "deliberation"
urlpatterns = [
    path("", views.home, name="home"),
    path("topics/new/", views.propose, name="propose"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/support/", views.support, name="support"),
    path("polls/<int:pk>/", views.poll, name="poll"),
    path("polls/<int:pk>/vote/", views.vote, name="vote"),
    path("polls/<int:pk>/result/", views.result, name="result"),
    path("consultations/<int:pk>/", views.consultation, name="consultation"),
    path("consultations/<int:pk>/answer/", views.answer, name="answer"),
    path("councils/<int:pk>/", public.council, name="council"),
    path("meetings/<int:pk>/", public.meeting, name="meeting"),
    path("checkin/<str:token>/", public.checkin, name="checkin"),
    path("resolutions/<int:pk>/", public.resolution, name="resolution"),
    path("contests/<int:pk>/", public.contest, name="contest"),
    path("contests/<int:pk>/enter/", public.enter_contest, name="enter_contest"),
]
