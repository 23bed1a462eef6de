"""Pages of 网格合伙人; included by urls_staff (namespace ``campaigns_staff``, under
/campaigns/manage/) and urls_resident (namespace ``campaigns``, under /campaigns/)."""

from django.urls import path

from gongzhi.campaigns import views_partners as views

staff_urlpatterns: list = [
    path("partners/", views.staff_home, name="partners"),
    path("partners/new/", views.staff_new_post, name="partners_new_post"),
    path("partners/posts/<int:pk>/close/", views.staff_close_post, name="partners_close_post"),
    path("partners/applications/<int:pk>/decide/", views.staff_decide,
         name="partners_decide"),
    path("partners/<int:pk>/assign/", views.staff_assign, name="partners_assign"),
    path("partners/<int:pk>/end/", views.staff_end, name="partners_end"),
]
resident_urlpatterns: list = [
    path("partners/", views.home, name="partners"),
    path("partners/<int:pk>/apply/", views.apply, name="partners_apply"),
    path("partners/mine/", views.mine, name="partners_mine"),
    path("partners/mine/<int:pk>/end/", views.step_down, name="partners_step_down"),
    path("partners/patrols/<int:pk>/report/", views.report, name="partners_report"),
]
