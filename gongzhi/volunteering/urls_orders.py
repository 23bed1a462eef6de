"""Ordering pages (点单、微心愿) and volunteers' order pages (待认领、我的任务), spliced into
the ``volunteering`` namespace at /volunteering/ by ``urls_resident`` (so no app_name here).
Notifications link to orders/<pk>/, so that path stays as it is."""

from django.urls import path

from gongzhi.volunteering import views_orders as views
from gongzhi.volunteering import views_orders_steps as steps

urlpatterns = [
    path("", views.home, name="home"),
    path("menu/", views.menu, name="menu"),
    path("menu/<int:item_pk>/order/", views.order_item, name="order_item"),
    path("wishes/new/", views.wish_new, name="wish_new"),
    path("orders/mine/", views.my_orders, name="my_orders"),
    path("orders/<int:pk>/", steps.order, name="order"),
    path("orders/<int:pk>/<str:step>/", steps.order_act, name="order_act"),
    path("board/", views.board, name="board"),
    path("tasks/", views.tasks, name="tasks"),
]
