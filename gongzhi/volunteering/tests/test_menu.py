"""The service menu (服务项目库): staff of the area keep it; a team must serve the item's
area; hours are 0.5 to 24 with one decimal; bad input changes nothing."""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from gongzhi.core.models import AuditEvent
from gongzhi.volunteering.actions.menu import parse_hours, retire_service_item, save_service_item
from gongzhi.volunteering.models import ServiceItem


def save(n, **kw):
    fields = {"acting_user": n.staff_a, "library": "daily", "name": "上门维修水电",
              "usual_hours": "1.5", "area": n.comm_a, "team": n.team,
              "description": "水管、电路小修"} | kw
    return save_service_item(**fields)


def test_staff_add_an_item_and_change_it(vol):
    item = save(vol)
    item.refresh_from_db()
    assert (item.library, item.name, item.team, item.usual_hours, item.area_path,
            item.is_active) == ("daily", "上门维修水电", vol.team, Decimal("1.5"),
                                vol.comm_a.path, True)
    changed = save(vol, item=item, name="水电维修", usual_hours="2", area=vol.grid_a1)
    assert changed.pk == item.pk and ServiceItem.objects.count() == 1
    item.refresh_from_db()
    assert (item.name, item.usual_hours, item.area_path) == ("水电维修", Decimal("2"),
                                                             vol.grid_a1.path)
    events = AuditEvent.objects.filter(action="volunteering.save_service_item").order_by("id")
    assert events.count() == 2
    assert events[1].before["name"] == "上门维修水电" and events[1].after["name"] == "水电维修"


def test_street_staff_add_a_street_wide_item_offered_by_a_community_team(vol):
    item = save(vol, acting_user=vol.street_staff, area=vol.street, library="legal",
                name="法律咨询")
    assert item.area_path == vol.street.path and item.team == vol.team


def test_an_item_without_a_team_is_allowed(vol):
    assert save(vol, team=None).team is None


@pytest.mark.parametrize("who", ["staff_b", "resident", "u1", "worker_a1"])
def test_others_may_not_keep_the_menu_of_community_a(vol, who):
    with pytest.raises(PermissionDenied):
        save(vol, acting_user=getattr(vol, who))
    assert not ServiceItem.objects.exists()


def test_staff_b_may_not_move_an_item_of_community_a_into_their_own_area(vol):
    item = save(vol)
    with pytest.raises(PermissionDenied):
        save(vol, acting_user=vol.staff_b, item=item, area=vol.comm_b, team=None)
    item.refresh_from_db()
    assert item.area_path == vol.comm_a.path


@pytest.mark.parametrize(("team", "message"), [
    ("team_b", "该志愿服务队不在此区域服务"),  # serves community B only
    ("property_co", "请选择志愿服务队"),  # a property company is not a volunteer team
])
def test_the_team_must_be_a_volunteer_team_serving_the_area(vol, team, message):
    with pytest.raises(ValidationError) as err:
        save(vol, team=getattr(vol, team))
    assert message in err.value.message_dict["team"][0]
    assert not ServiceItem.objects.exists()


def test_a_team_serving_the_community_may_offer_an_item_for_one_building(vol):
    assert save(vol, area=vol.b1).area_path == vol.b1.path


@pytest.mark.parametrize(("field", "value", "message"), [
    ("usual_hours", "0", "一般用时须在 0.5 到 24 小时之间"),
    ("usual_hours", "0.4", "一般用时须在 0.5 到 24 小时之间"),
    ("usual_hours", "24.5", "一般用时须在 0.5 到 24 小时之间"),
    ("usual_hours", "-1", "一般用时须在 0.5 到 24 小时之间"),
    ("usual_hours", "1.25", "时长最多保留一位小数"),
    ("usual_hours", "两小时", "请填写有效的时长（小时）"),
    ("usual_hours", "NaN", "请填写有效的时长（小时）"),
    ("usual_hours", "", "请填写有效的时长（小时）"),
    ("name", "   ", "请填写服务项目名称"),
    ("name", "修" * 101, "不能超过 100 个字"),
    ("library", "nonsense", "请选择项目库"),
])
def test_bad_input_is_refused_in_chinese_and_nothing_is_saved(vol, field, value, message):
    with pytest.raises(ValidationError) as err:
        save(vol, **{field: value})
    assert err.value.message_dict[field] == [message]
    assert not ServiceItem.objects.exists()
    assert not AuditEvent.objects.filter(action="volunteering.save_service_item").exists()


def test_a_bad_change_leaves_the_item_as_it_was(vol):
    item = save(vol)
    with pytest.raises(ValidationError):
        save(vol, item=item, name="新名称", usual_hours="30")
    item.refresh_from_db()
    assert (item.name, item.usual_hours) == ("上门维修水电", Decimal("1.5"))


@pytest.mark.parametrize("hours", ["0.5", "24", "1", "3.5", "7.3", 2, 2.5])
def test_good_hours_are_kept(vol, hours):
    assert save(vol, usual_hours=hours).usual_hours == Decimal(str(hours))


def test_retire_takes_the_item_off_the_menu_once(vol):
    item = save(vol)
    with pytest.raises(PermissionDenied):
        retire_service_item(item=item, acting_user=vol.staff_b)
    item.refresh_from_db()
    assert item.is_active
    retire_service_item(item=item, acting_user=vol.staff_a)
    item.refresh_from_db()
    assert not item.is_active
    with pytest.raises(ValidationError) as err:
        retire_service_item(item=item, acting_user=vol.staff_a)
    assert "该服务项目已下架" in err.value.messages
    assert AuditEvent.objects.filter(action="volunteering.retire_service_item").count() == 1


@settings(max_examples=200, deadline=None)
@given(st.decimals(min_value=Decimal("-30"), max_value=Decimal("30"), places=2,
                   allow_nan=False, allow_infinity=False))
def test_parse_hours_takes_exactly_half_hour_to_a_day_with_one_decimal(value):
    good = Decimal("0.5") <= value <= 24 and value == value.quantize(Decimal("0.1"))
    try:
        hours = parse_hours(value, "h", Decimal("0.5"), "range")
    except ValidationError:
        assert not good
    else:
        assert good and hours == value
