from django.conf import settings
from django.conf.urls.static import static
from django.contrib import admin
from django.templatetags.static import static as static_url
from django.urls import include, path
from django.utils.functional import lazy
from django.views.generic import RedirectView

from gongzhi.api import api
from gongzhi.cases import views_resident as cases_resident_views

admin.site.site_header = "共治 · 管理后台"
admin.site.site_title = "共治"

urlpatterns = [
    path("", include("gongzhi.core.urls")),
    path("accounts/", include("gongzhi.accounts.urls")),
    path("areas/", include("gongzhi.areas.urls")),
    path("cases/kpi/", include("gongzhi.cases.urls_kpi")),
    path("cases/", include("gongzhi.cases.urls_resident")),
    path("cases/", include("gongzhi.cases.urls_staff")),
    path("deliberation/manage/", include("gongzhi.deliberation.urls_staff")),
    path("deliberation/", include("gongzhi.deliberation.urls_resident")),
    path("notices/", include("gongzhi.notices.urls")),
    path("volunteering/manage/", include("gongzhi.volunteering.urls_staff")),
    path("volunteering/", include("gongzhi.volunteering.urls_resident")),
    path("renewal/manage/", include("gongzhi.renewal.urls_staff")),
    path("renewal/", include("gongzhi.renewal.urls_resident")),
    path("campaigns/manage/", include("gongzhi.campaigns.urls_staff")),
    path("campaigns/", include("gongzhi.campaigns.urls_resident")),
    path("open311/v2/", include("gongzhi.open311.urls")),
    # Short link printed in building QR codes: residents scan it and report at the door.
    path("r/<str:building_code>/", cases_resident_views.report, name="report_landing_short"),
    path("api/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    # Browsers ask for /favicon.ico whatever the page links to; the icon is an SVG.
    path("favicon.ico",
         RedirectView.as_view(url=lazy(static_url, str)("gongzhi/favicon.svg"))),
]
urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
