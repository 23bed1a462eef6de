"""Pages of 门前三包; included by urls_staff (namespace ``campaigns_staff``, under
/campaigns/manage/) and urls_resident (namespace ``campaigns``, under /campaigns/): the
grid worker's and the shop member's phone pages, and the staff console."""

from django.urls import path

from gongzhi.campaigns import views_shops as field
from gongzhi.campaigns import views_shops_staff as staff

staff_urlpatterns = [
    path("shops/", staff.register_list, name="shops_list"),
    path("shops/new/", staff.edit, name="shops_new"),
    path("shops/board/", staff.board, name="shops_board"),
    path("shops/street/", staff.street, name="shops_street"),
    path("shops/<int:pk>/", staff.shop_page, name="shops_shop"),
    path("shops/<int:pk>/edit/", staff.edit, name="shops_edit"),
    path("shops/<int:pk>/sign/", staff.sign, name="shops_sign"),
    path("shops/<int:pk>/case/", staff.open_case, name="shops_case"),
    path("shops/contracts/<int:pk>/", staff.contract, name="shops_contract"),
]
resident_urlpatterns = [
    path("shops/", field.field_home, name="shops_field"),
    path("shops/mine/", field.mine, name="shops_mine"),
    path("shops/<int:pk>/inspect/", field.inspect, name="shops_inspect"),
    path("shops/photos/<int:pk>/", field.photo, name="shops_photo"),
]
