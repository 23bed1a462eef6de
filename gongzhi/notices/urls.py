"""Notice pages, mounted at /notices/: the public list and notice pages, and the console."""

from django.urls import path

from gongzhi.notices import views

app_name = "notices"
urlpatterns = [
    path("", views.notice_list, name="list"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/object/", views.lodge_objection, name="object"),
    path("manage/", views.manage, name="manage"),
    path("new/", views.new, name="new"),
    path("<int:pk>/manage/", views.manage_detail, name="manage_detail"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/withdraw/", views.withdraw, name="withdraw"),
    path("<int:pk>/objections/<int:objection_pk>/answer/", views.answer, name="answer"),
]
