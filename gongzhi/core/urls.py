from django.urls import path

from gongzhi.core import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("inbox/", views.inbox, name="inbox"),
    path("inbox/read/", views.inbox_read, name="inbox_read"),
    path("audit/", views.audit, name="audit"),
    path("text-size/", views.text_size, name="text_size"),
]
