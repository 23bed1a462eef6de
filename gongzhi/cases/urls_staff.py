from django.urls import path

from gongzhi.cases import views_staff as views

app_name = "cases"
urlpatterns = [
    path("", views.ledger, name="ledger"),
    path("new/", views.new_case, name="new"),
    path("bulk/", views.bulk, name="bulk"),
    path("export.xlsx", views.export, name="export"),
    path("wall/", views.wall_home, name="wall_home"),
    path("wall/<str:code>/", views.wall, name="wallchart"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/<slug:action>/", views.act, name="act"),
]
