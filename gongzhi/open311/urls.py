"""Open311 GeoReport v2; the project mounts these at /open311/v2/.

Every resource ends in its format (``services.xml``, ``requests/12.json``); a service code
may itself hold dots, so the format is what follows the last one.
"""

from django.urls import re_path

from gongzhi.open311 import views

app_name = "open311"
FMT = r"\.(?P<fmt>[A-Za-z0-9]+)$"
urlpatterns = [
    re_path(r"^discovery" + FMT, views.discovery, name="discovery"),
    re_path(r"^services" + FMT, views.services, name="services"),
    re_path(r"^services/(?P<code>[^/]+)" + FMT, views.service_definition, name="service"),
    re_path(r"^requests" + FMT, views.requests, name="requests"),
    re_path(r"^requests/(?P<request_id>[^/]+)" + FMT, views.request_detail, name="request"),
]
