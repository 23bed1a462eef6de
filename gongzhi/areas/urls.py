from django.urls import path

from gongzhi.areas import views

app_name = "areas"
urlpatterns = [
    path("", views.browser, name="browser"),
    path("<str:code>/", views.node, name="node"),
    path("<str:code>/import/", views.import_households, name="import"),
    path("<str:code>/export.xlsx", views.export_households, name="export"),
    path("<str:code>/qr/", views.qr_sheet, name="qr_sheet"),
    path("<str:code>/qr.png", views.qr_png, name="qr_png"),
    path("<str:code>/qr.svg", views.qr_svg, name="qr_svg"),
]
