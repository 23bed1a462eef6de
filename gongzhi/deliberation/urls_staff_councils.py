"""Staff pages for councils, meetings, topics and proposal contests (spliced into
``urls_staff``, namespace ``deliberation_staff``, at /deliberation/manage/)."""

from django.urls import path

from gongzhi.deliberation import views_staff_contests as contests
from gongzhi.deliberation import views_staff_councils as views

urlpatterns = [
    path("", views.home, name="home"),
    path("councils/new/", views.council_new, name="council_new"),
    path("councils/<int:pk>/", views.council, name="council"),
    path("councils/<int:pk>/edit/", views.council_edit, name="council_edit"),
    path("councils/<int:pk>/members/", views.member_add, name="member_add"),
    path("councils/<int:pk>/members/<int:member_pk>/remove/", views.member_remove,
         name="member_remove"),
    path("meetings/new/", views.meeting_new, name="meeting_new"),
    path("meetings/<int:pk>/", views.meeting, name="meeting"),
    path("meetings/<int:pk>/qr.svg", views.meeting_qr, name="meeting_qr"),
    path("meetings/<int:pk>/agenda/", views.meeting_agenda, name="meeting_agenda"),
    path("meetings/<int:pk>/attendance/", views.meeting_attendance, name="meeting_attendance"),
    path("meetings/<int:pk>/minutes/", views.meeting_minutes, name="meeting_minutes"),
    path("meetings/<int:pk>/cancel/", views.meeting_cancel, name="meeting_cancel"),
    path("topics/new/", views.topic_new, name="topic_new"),
    path("topics/<int:pk>/", views.topic, name="topic"),
    path("topics/<int:pk>/decide/", views.topic_decide, name="topic_decide"),
    path("cases/<int:case_pk>/raise/", views.raise_from_case, name="raise_from_case"),
    path("contests/new/", contests.contest_new, name="contest_new"),
    path("contests/<int:pk>/", contests.contest, name="contest"),
    path("contests/<int:pk>/enter/", contests.contest_enter, name="contest_enter"),
    path("contests/<int:pk>/start/", contests.contest_start, name="contest_start"),
    path("contests/<int:pk>/entries/<int:entry_pk>/score/", contests.contest_score,
         name="contest_score"),
    path("contests/<int:pk>/close/", contests.contest_close, name="contest_close"),
]
