import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from gongzhi.areas.actions import export_households
from gongzhi.core.models import AuditEvent


def test_export_is_audited_with_masking_noted(street):
    _data, count = export_households(node=street.comm_a, acting_user=street.street_staff)
    event = AuditEvent.objects.get(action="areas.export_households")
    assert (count, event.actor, event.area_path) == (3, street.street_staff, street.comm_a.path)
    assert event.after == {"households": 3, "masked": True}
    export_households(node=street.grid_a1, acting_user=street.worker_a1)
    assert AuditEvent.objects.filter(action="areas.export_households").first().after == {
        "households": 2, "masked": False}


def test_export_outside_scope_is_refused_and_not_recorded(street):
    with pytest.raises(PermissionDenied):
        export_households(node=street.comm_b, acting_user=street.staff_a)
    assert not AuditEvent.objects.filter(action="areas.export_households").exists()


def test_download_page_goes_through_the_action(client, street):
    client.force_login(street.staff_a)
    response = client.get(reverse("areas:export", kwargs={"code": street.comm_a.code}))
    assert response.status_code == 200
    assert AuditEvent.objects.filter(action="areas.export_households", actor=street.staff_a,
                                     object_id=str(street.comm_a.pk)).count() == 1
