"""The audit-log page: scoped by Perm.VIEW_AUDIT, filters in the URL, keyset paging, masking."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.areas.actions import create_household
from gongzhi.core.models import AuditEvent
from gongzhi.core.selectors import audit_page

URL = reverse("core:audit")


def residents_seen(client, user) -> set[str]:
    client.force_login(user)
    response = client.get(URL, {"action": "areas.add_resident"})
    assert response.status_code == 200
    return {row.event.object_repr for row in response.context["page"].rows}


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["worker_a1", "head_b1", "resident", "property_member"])
def test_users_without_audit_permission_get_403(client, street, who):
    client.force_login(getattr(street, who))
    response = client.get(URL)
    assert response.status_code == 403
    page = response.content.decode()
    assert "您没有权限查看此页面" in page and "core.view_audit" not in page


@pytest.mark.django_db
def test_anonymous_is_sent_to_login(client, street):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.django_db
def test_community_staff_see_their_community_only(client, street):
    assert residents_seen(client, street.staff_a) == {"王秀英", "李建国", "张伟"}
    assert residents_seen(client, street.staff_b) == {"刘芳"}


@pytest.mark.django_db
def test_street_staff_see_both_communities(client, street):
    assert residents_seen(client, street.street_staff) == {"王秀英", "李建国", "张伟", "刘芳"}


@pytest.mark.django_db
def test_filters_stay_in_the_url_and_narrow_the_list(client, street):
    today = timezone.localdate()
    create_household(building=street.b2, unit="", room="302", floor=3, acting_user=street.staff_a)
    client.force_login(street.street_staff)

    by_actor = client.get(URL, {"actor": "staff_a"}).context["page"].rows
    assert [(r.event.action, r.actor_username) for r in by_actor] == [
        ("areas.create_household", "staff_a")
    ]
    assert client.get(URL, {"actor": "no-such-user"}).context["page"].rows == []

    types = {r.event.object_type for r in client.get(URL, {"object_type": "areas.household"})
             .context["page"].rows}
    assert types == {"areas.household"}

    prefix = {r.event.action for r in client.get(URL, {"action": "accounts."}).context["page"].rows}
    assert prefix and all(a.startswith("accounts.") for a in prefix)

    same_day = client.get(URL, {"date_from": today, "date_to": today}).context["page"].rows
    assert len(same_day) > 0
    tomorrow = client.get(URL, {"date_from": today + timedelta(days=1)}).context["page"].rows
    assert tomorrow == []
    yesterday = client.get(URL, {"date_to": today - timedelta(days=1)}).context["page"].rows
    assert yesterday == []

    # The form shows the filter back, and paging links keep it.
    response = client.get(URL, {"actor": "staff_a", "object_type": "areas.household"})
    page = response.content.decode()
    assert 'value="staff_a"' in page
    assert 'value="areas.household" selected' in page


@pytest.mark.django_db
def test_bad_filters_get_errors_next_to_the_field(client, street):
    client.force_login(street.street_staff)
    response = client.get(URL, {"date_from": "2025-13-40"})
    assert response.status_code == 200
    assert response.context["page"] is None
    assert "date_from" in response.context["form"].errors

    response = client.get(URL, {"date_from": "2025-05-02", "date_to": "2025-05-01"})
    assert "截止日期不能早于起始日期" in " ".join(response.context["form"].errors["date_to"])

    response = client.get(URL, {"object_type": "no.such"})
    assert "object_type" in response.context["form"].errors


@pytest.mark.django_db
def test_keyset_paging_walks_older_and_back(client, street):
    path = street.comm_a.path
    made = [
        AuditEvent.objects.create(action="test.page", object_type="core.notification",
                                  object_id=str(i), object_repr=f"row {i}", area_path=path)
        for i in range(7)
    ]
    ids = [e.id for e in reversed(made)]  # newest first
    from gongzhi.core.selectors import AuditFilters

    only = AuditFilters(action="test.page")
    first = audit_page(street.staff_a, only, limit=3)
    assert [r.event.id for r in first.rows] == ids[:3]
    assert first.newer_cursor is None and first.older_cursor == ids[2]
    second = audit_page(street.staff_a, only, before=first.older_cursor, limit=3)
    assert [r.event.id for r in second.rows] == ids[3:6]
    assert second.newer_cursor == ids[3]
    last = audit_page(street.staff_a, only, before=second.older_cursor, limit=3)
    assert [r.event.id for r in last.rows] == ids[6:]
    assert last.older_cursor is None
    back = audit_page(street.staff_a, only, after=second.newer_cursor, limit=3)
    assert [r.event.id for r in back.rows] == ids[:3]
    assert back.newer_cursor is None

    # Community B's staff never page into A's events.
    assert audit_page(street.staff_b, only, limit=3).rows == []


@pytest.mark.django_db
def test_page_links_keep_the_filters(client, street):
    for i in range(55):
        AuditEvent.objects.create(action="test.bulk", object_type="core.notification",
                                  object_id=str(i), object_repr=f"row {i}",
                                  area_path=street.comm_a.path)
    client.force_login(street.staff_a)
    response = client.get(URL, {"action": "test.bulk"})
    page = response.context["page"]
    assert len(page.rows) == 50
    assert f"?action=test.bulk&amp;before={page.older_cursor}" in response.content.decode()
    rest = client.get(URL, {"action": "test.bulk", "before": page.older_cursor})
    assert len(rest.context["page"].rows) == 5
    # A garbage cursor is ignored rather than failing.
    assert client.get(URL, {"before": "abc"}).status_code == 200


@pytest.mark.django_db
def test_before_and_after_are_readable_and_personal_data_masked(client, street):
    AuditEvent.objects.create(
        action="areas.update_resident", object_type="areas.resident", object_id="1",
        object_repr="王秀英", area_path=street.h1.area_path,
        before={"phone": "13812341234", "is_head": False},
        after={"phone": "13899998888", "is_head": True},
    )
    client.force_login(street.staff_a)  # may see personal data in community A
    page = client.get(URL, {"action": "areas.update_resident"}).content.decode()
    assert "<del>13812341234</del> → <ins>13899998888</ins>" in page
    assert "联系电话" in page and "户主" in page  # field names, not keys
    assert "<del>否</del> → <ins>是</ins>" in page

    client.force_login(street.street_staff)  # oversees, but not entitled to phone numbers
    page = client.get(URL, {"action": "areas.update_resident"}).content.decode()
    assert "138****1234" in page and "138****8888" in page
    assert "13812341234" not in page and "13899998888" not in page


@pytest.mark.django_db
def test_timestamps_read_in_shanghai_time_and_other_text_stays(client, street):
    AuditEvent.objects.create(
        action="areas.update_resident", object_type="areas.resident", object_id="1",
        object_repr="王秀英", area_path=street.h1.area_path,
        before={"note": "2026-06-17 见面"}, after={"note": "2026-06-17T15:59:59.5+00:00"},
    )
    client.force_login(street.staff_a)
    page = client.get(URL, {"action": "areas.update_resident"}).content.decode()
    assert "<del>2026-06-17 见面</del> → <ins>2026-06-17 23:59</ins>" in page


@pytest.mark.django_db
def test_staff_home_lists_recent_events_in_scope(client, street):
    client.force_login(street.staff_b)
    response = client.get(reverse("core:home"))
    reprs = {row.event.object_repr for row in response.context["recent"]}
    assert "刘芳" in reprs
    assert not reprs & {"王秀英", "李建国", "张伟"}

    client.force_login(street.worker_a1)  # staff without audit access: no event list
    response = client.get(reverse("core:home"))
    assert "recent" not in response.context
    assert "最近操作" not in response.content.decode()
