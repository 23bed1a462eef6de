"""Staff pages for polls, consultations and resolutions (spliced into urls_staff, namespace
``deliberation_staff``, under /deliberation/manage/)."""

from django.urls import path

from gongzhi.deliberation import views_staff_resolutions as r
from gongzhi.deliberation import views_staff_votes as v

urlpatterns = [
    path("polls/", v.polls, name="polls"),
    path("polls/new/", v.poll_new, name="poll_new"),
    path("polls/<int:pk>/", v.poll, name="poll"),
    path("polls/<int:pk>/open/", v.poll_open, name="poll_open"),
    path("polls/<int:pk>/close/", v.poll_close, name="poll_close"),
    path("polls/<int:pk>/ballot/", v.poll_ballot, name="poll_ballot"),
    path("consultations/", v.consultations, name="consultations"),
    path("consultations/new/", v.consultation_new, name="consultation_new"),
    path("consultations/<int:pk>/", v.consultation, name="consultation"),
    path("consultations/<int:pk>/answer/", v.consultation_answer, name="consultation_answer"),
    path("consultations/<int:pk>/close/", v.consultation_close, name="consultation_close"),
    path("consultations/<int:pk>/consent/", v.consent_record, name="consent_record"),
    path("resolutions/", r.resolutions, name="resolutions"),
    path("resolutions/new/", r.resolution_new, name="resolution_new"),
    path("resolutions/<int:pk>/", r.resolution, name="resolution"),
    path("resolutions/<int:pk>/<str:step>/", r.resolution_act, name="resolution_act"),
]
