"""The default categories: a sound two-level tree, loaded idempotently with one audit event."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from gongzhi.cases.catalogue import load_default_categories
from gongzhi.cases.default_categories import DEFAULT_CATEGORIES, flatten
from gongzhi.cases.models import Category
from gongzhi.cases.suggest import suggest_categories
from gongzhi.core.models import AuditEvent

SPECS = flatten()


def loads() -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(action="cases.load_categories").order_by("pk"))


def test_the_tree_is_sound():
    codes = [s.code for s, _g, _o in SPECS]
    assert len(codes) == len(set(codes))
    assert all(len(c) <= 32 for c in codes)
    assert all(not child.children for g in DEFAULT_CATEGORIES for child in g.children)
    for spec, _group, _order in SPECS:
        limits = spec.limits
        assert 0 < limits.urgent_response_hours < limits.response_hours
        assert 0 < limits.urgent_resolution_workdays <= limits.resolution_workdays
        assert len(spec.keywords) <= 300
    names = {s.name for s, _g, _o in SPECS}
    assert {"垃圾清运", "路灯照明", "供暖", "邻里纠纷", "电梯故障", "独居老人帮扶", "其他"} <= names


def test_limits_follow_12345_practice():
    by_name = {s.name: s.limits for s, _g, _o in SPECS}
    for utility in ("供水", "供电", "燃气", "供暖"):  # within 24 h
        assert by_name[utility].resolution_workdays == 1
    assert by_name["环境卫生"].resolution_workdays == 7  # general: 7 days
    assert by_name["违法建设"].resolution_workdays == 15  # complex: 15 days
    assert all(limits.response_hours <= 2 for limits in by_name.values())  # accepted in 2 h


def test_command_loads_everything_once(db, capsys):
    call_command("load_categories")
    assert Category.objects.count() == len(SPECS)
    assert f"新增 {len(SPECS)} 个" in capsys.readouterr().out
    water = Category.objects.get(code="public_works.water")
    assert water.parent.name == "市政设施" and water.resolution_workdays == 1 and water.is_active
    assert not Category.objects.filter(parent__parent__isnull=False).exists()  # two levels
    assert len(loads()) == 1 and loads()[0].actor is None

    call_command("load_categories")
    assert "新增 0 个，更新 0 个" in capsys.readouterr().out
    assert Category.objects.count() == len(SPECS)
    assert len(loads()) == 2  # one audit event per run


def test_reload_restores_changed_defaults_but_keeps_administrators_choices(db):
    assert load_default_categories(acting_user=None) == (len(SPECS), 0)
    water = Category.objects.get(code="public_works.water")
    Category.objects.filter(pk=water.pk).update(name="自来水", resolution_workdays=9,
                                                is_active=False, parent=None)
    own = Category.objects.create(code="local.dogs", name="犬只管理")
    Category.objects.get(code="other").delete()
    assert load_default_categories(acting_user=None) == (1, 1)
    water.refresh_from_db()
    assert (water.name, water.resolution_workdays, water.parent.code) == ("供水", 1,
                                                                         "public_works")
    assert not water.is_active  # retired by an administrator: stays retired
    assert Category.objects.filter(pk=own.pk).exists()
    assert loads()[-1].after == {"created": ["other"], "updated": ["public_works.water"]}


def test_only_administrators_load(street):
    with pytest.raises(PermissionDenied):
        load_default_categories(acting_user=street.staff_a)
    assert not Category.objects.exists() and not loads()
    assert load_default_categories(acting_user=street.admin)[0] == len(SPECS)
    assert loads()[0].actor == street.admin


def test_a_conflicting_existing_tree_changes_nothing(db):
    # Someone made "other" a group; the defaults would put a category under another group.
    load_default_categories(acting_user=None)
    water = Category.objects.get(code="public_works.water")
    Category.objects.create(code="local.well", name="井水", parent=water)
    Category.objects.filter(pk=water.pk).update(parent=None, name="水")
    Category.objects.filter(code="environment").update(name="环境")  # fixed before the conflict
    Category.objects.get(code="other").delete()
    with pytest.raises(ValidationError):
        load_default_categories(acting_user=None)
    water.refresh_from_db()
    assert water.parent_id is None and water.name == "水" and len(loads()) == 1
    assert Category.objects.get(code="environment").name == "环境"  # all or nothing
    assert not Category.objects.filter(code="other").exists()


def test_command_reports_a_conflict_clearly(db):
    load_default_categories(acting_user=None)
    water = Category.objects.get(code="public_works.water")
    Category.objects.create(code="local.well", name="井水", parent=water)
    Category.objects.filter(pk=water.pk).update(parent=None)
    with pytest.raises(CommandError, match="已有下级分类"):
        call_command("load_categories")


def test_default_keywords_make_useful_suggestions(db):
    load_default_categories(acting_user=None)
    cases = {
        "三号楼电梯又坏了，有人被困在里面": "电梯故障",
        "家里暖气不热，屋里才十几度": "供暖",
        "楼道堆满杂物，堵住了消防通道": "消防通道",
        "小区门口的路灯不亮，晚上很黑": "路灯照明",
        "垃圾桶满了好几天没人清运": "垃圾清运",
        "有人在楼顶私搭乱建": "违法建设",
        "楼下路面塌陷，有个大坑洼": "道路破损",
        "楼上天天装修噪音扰民": "邻里纠纷",
    }
    for text, expected in cases.items():
        got = suggest_categories(text)
        assert got and got[0][0].name == expected, (text, [(c.name, s) for c, s in got])
