"""KPI pages, included by the project under /cases/kpi/ (namespace ``cases_kpi``)."""

from django.urls import path

from gongzhi.cases import views_kpi

app_name = "cases_kpi"
urlpatterns = [
    path("", views_kpi.home, name="home"),
    path("<str:code>/", views_kpi.area, name="area"),
]
