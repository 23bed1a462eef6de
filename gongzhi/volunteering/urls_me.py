"""A volunteer's own pages and the shop's till, spliced into namespace ``volunteering``
(no app_name here: ``urls_resident`` mounts it)."""

from django.urls import path

from gongzhi.volunteering import views_activities as va
from gongzhi.volunteering import views_me as vm

urlpatterns = [
    path("me/", vm.me, name="me"),
    path("me/transfer/", vm.transfer, name="transfer"),
    path("me/record/", vm.service_record, name="service_record"),
    path("register/", vm.register, name="register"),
    path("rewards/", vm.rewards_page, name="rewards"),
    path("rewards/<int:pk>/redeem/", vm.reward_redeem, name="reward_redeem"),
    path("coupons/", vm.coupons, name="coupons"),
    path("coupons/<int:pk>/buy/", vm.coupon_buy, name="coupon_buy"),
    path("shop/", vm.coupon_redeem, name="coupon_redeem"),
    path("activities/", va.activities, name="activities"),
    path("activities/<int:pk>/", va.activity, name="activity"),
    path("activities/<int:pk>/signup/", va.activity_signup, name="activity_signup"),
    path("activities/<int:pk>/cancel/", va.activity_cancel, name="activity_cancel"),
    path("activities/checkin/<str:token>/", va.checkin, name="checkin"),
    path("shifts/", va.shifts, name="shifts"),
    path("shifts/<int:pk>/signup/", va.shift_signup, name="shift_signup"),
    path("shifts/signups/<int:pk>/cancel/", va.shift_cancel, name="shift_cancel"),
    path("shifts/signups/<int:pk>/swap/", va.shift_swap, name="shift_swap"),
    path("shifts/swaps/<int:pk>/answer/", va.swap_answer, name="swap_answer"),
]
