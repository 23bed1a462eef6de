"""Staff pages for volunteering, mounted at /volunteering/manage/ (namespace
``volunteering_staff``): today's work, orders, volunteers and rankings (views_staff),
activities and rosters (views_staff_activities), the menu, rewards, coupons and the
time-bank counter (views_staff_catalogue)."""

from django.urls import path

from gongzhi.volunteering import views_staff as v
from gongzhi.volunteering import views_staff_activities as a
from gongzhi.volunteering import views_staff_catalogue as c

app_name = "volunteering_staff"
urlpatterns = [
    path("", v.home, name="home"),
    path("orders/", v.orders, name="orders"),
    path("orders/<int:pk>/", v.order, name="order"),
    path("orders/<int:pk>/dispatch/", v.order_dispatch, name="order_dispatch"),
    path("orders/<int:pk>/board/", v.order_board, name="order_board"),
    path("orders/<int:pk>/cancel/", v.order_cancel, name="order_cancel"),
    path("volunteers/", v.volunteers, name="volunteers"),
    path("volunteers/<int:pk>/", v.volunteer, name="volunteer"),
    path("volunteers/<int:pk>/status/", v.volunteer_status, name="volunteer_status"),
    path("rankings/", v.rankings, name="rankings"),
    path("activities/", a.activities, name="activities"),
    path("activities/new/", a.activity_new, name="activity_new"),
    path("activities/<int:pk>/", a.activity, name="activity"),
    path("activities/<int:pk>/qr.svg", a.activity_qr, name="activity_qr"),
    path("activities/<int:pk>/attendance/", a.activity_attendance, name="activity_attendance"),
    path("activities/<int:pk>/cancel/", a.activity_cancel, name="activity_cancel"),
    path("rosters/", a.rosters, name="rosters"),
    path("rosters/new/", a.template_new, name="template_new"),
    path("rosters/<int:pk>/retire/", a.template_retire, name="template_retire"),
    path("rosters/generate/", a.rosters_generate, name="rosters_generate"),
    path("rosters/uncovered/", a.uncovered, name="uncovered"),
    path("rosters/shifts/<int:pk>/confirm/", a.shift_confirm, name="shift_confirm"),
    path("menu/", c.menu_list, name="menu"),
    path("menu/new/", c.item_new, name="item_new"),
    path("menu/<int:pk>/", c.item, name="item"),
    path("menu/<int:pk>/retire/", c.item_retire, name="item_retire"),
    path("rewards/", c.rewards_list, name="rewards"),
    path("rewards/<int:pk>/restock/", c.reward_restock, name="reward_restock"),
    path("rewards/<int:pk>/shelf/", c.reward_shelf, name="reward_shelf"),
    path("rewards/redemptions/<int:pk>/hand-over/", c.hand_over, name="hand_over"),
    path("coupons/", c.coupons, name="coupons"),
    path("coupons/<int:pk>/shelf/", c.coupon_shelf, name="coupon_shelf"),
    path("counter/", c.counter, name="counter"),
]
