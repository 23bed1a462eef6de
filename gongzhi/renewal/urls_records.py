"""Compound records and their Excel sheet, a project's funding, the street's board of the
year and its ledger (mounted by urls_staff at /renewal/manage/, namespace renewal_staff)."""

from django.urls import path

from gongzhi.renewal import views_board as b
from gongzhi.renewal import views_funding as f
from gongzhi.renewal import views_records as r

urlpatterns = [
    path("compounds/", r.records, name="records"),
    path("compounds/export.xlsx", r.records_export, name="records_export"),
    path("compounds/import/", r.records_import, name="records_import"),
    path("compounds/<str:code>/", r.record, name="record"),
    path("compounds/<str:code>/photos/<int:pk>/", r.record_photo, name="record_photo"),
    path("projects/<int:pk>/funding/", f.funding, name="funding"),
    path("projects/<int:pk>/funding/source/", f.funding_source, name="funding_source"),
    path("projects/<int:pk>/funding/commit/", f.funding_commit, name="funding_commit"),
    path("projects/<int:pk>/funding/payment/", f.funding_payment, name="funding_payment"),
    path("board/", b.board, name="board"),
    path("board/ledger.xlsx", b.board_export, name="board_export"),
]
