"""Choice labels read from a table made once per field and language."""

from unittest import mock

from django.utils import translation

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.cases.models import Case, Status


def test_labels_follow_the_active_language():
    case = Case(status=Status.ARCHIVED, source="hotline")
    assert case.get_status_display() == "已归档" and case.get_source_display() == "热线电话"
    with translation.override("en"):
        assert case.get_status_display() == "Archived"
    assert AreaNode(kind=AreaKind.GRID_SMALL).get_kind_display() == "小网格"


def test_an_unknown_value_shows_as_it_is():
    assert Case(status="nonsense").get_status_display() == "nonsense"


def test_no_translation_lookups_once_the_table_is_made():
    case = Case(status=Status.IN_PROGRESS)
    case.get_status_display()
    with mock.patch("django.utils.translation._trans.gettext") as gettext:
        for _ in range(50):
            assert case.get_status_display() == "办理中"
    assert gettext.call_count == 0
