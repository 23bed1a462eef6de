"""Staff pages for projects (spliced into urls_staff, namespace ``renewal_staff``, under
/renewal/manage/): the list, a new project or batch, the project page and every step of it
as its own small POST, the item page and the needs survey."""

from django.urls import path

from gongzhi.renewal import views_staff as v
from gongzhi.renewal import views_staff_plan as p
from gongzhi.renewal import views_staff_survey as s
from gongzhi.renewal import views_staff_works as w

urlpatterns = [
    path("", v.home, name="home"),
    path("projects/new/", v.project_new, name="project_new"),
    path("batches/new/", v.batch_new, name="batch_new"),
    path("projects/<int:pk>/", v.project, name="project"),
    path("projects/<int:pk>/start-planning/", p.start_planning, name="start_planning"),
    path("projects/<int:pk>/items/add/", p.item_add, name="item_add"),
    path("projects/<int:pk>/vote/", p.vote, name="vote"),
    path("projects/<int:pk>/submit/", p.submit, name="submit"),
    path("projects/<int:pk>/decide/", p.decide, name="decide"),
    path("projects/<int:pk>/start-works/", p.start_works, name="start_works"),
    path("projects/<int:pk>/start-acceptance/", p.start_acceptance, name="start_acceptance"),
    path("projects/<int:pk>/complete-acceptance/", p.complete_acceptance,
         name="complete_acceptance"),
    path("projects/<int:pk>/management/", w.management, name="management"),
    path("projects/<int:pk>/members/appoint/", w.member_appoint, name="member_appoint"),
    path("members/<int:pk>/release/", w.member_release, name="member_release"),
    path("items/<int:pk>/", p.item, name="item"),
    path("items/<int:pk>/edit/", p.item_edit, name="item_edit"),
    path("items/<int:pk>/start/", w.item_start, name="item_start"),
    path("items/<int:pk>/progress/", w.item_progress, name="item_progress"),
    path("items/<int:pk>/finish/", w.item_finish, name="item_finish"),
    path("items/<int:pk>/sign-off/", w.item_sign_off, name="item_sign_off"),
    path("projects/<int:pk>/survey/", s.survey, name="survey"),
    path("projects/<int:pk>/survey/new/", s.survey_new, name="survey_new"),
    path("projects/<int:pk>/survey/open/", s.survey_open, name="survey_open"),
    path("projects/<int:pk>/survey/close/", s.survey_close, name="survey_close"),
    path("projects/<int:pk>/survey/entry/", s.survey_entry, name="survey_entry"),
]
