"""Open311 clients: the open311-key command, hashed keys, revocation, who may do it."""

import hashlib
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command, get_commands

from gongzhi.cli import main
from gongzhi.core.models import AuditEvent
from gongzhi.open311.actions import create_client, revoke_client
from gongzhi.open311.models import Client
from gongzhi.open311.selectors import client_for_key


def test_command_prints_a_key_once_and_keeps_only_its_hash(db):
    out, err = io.StringIO(), io.StringIO()
    call_command("open311_key", "区12345热线", stdout=out, stderr=err)
    key = out.getvalue().strip()
    client = Client.objects.get()
    assert client.name == "区12345热线"
    assert client.key_hash == hashlib.sha256(key.encode()).hexdigest()
    assert key not in client.key_hash and client.prefix in key
    assert client.prefix in err.getvalue() and key not in err.getvalue()
    assert client_for_key(key) == client
    event = AuditEvent.objects.get(action="open311.create_client")
    assert key not in str(event.after)


def test_command_answers_to_its_dashed_name(monkeypatch):
    seen = []
    monkeypatch.setattr("django.core.management.execute_from_command_line", seen.append)
    main(["gongzhi", "open311-key", "热线"])
    assert seen == [["gongzhi", "open311_key", "热线"]]
    assert get_commands()["open311_key"] == "gongzhi.open311"


def test_command_revokes_by_prefix(db):
    client, key = create_client(name="测试", acting_user=None)
    call_command("open311_key", revoke=client.prefix, stdout=io.StringIO())
    client.refresh_from_db()
    assert client.revoked_at is not None
    assert client_for_key(key) is None
    with pytest.raises(CommandError):
        call_command("open311_key", revoke=client.prefix, stdout=io.StringIO())


@pytest.mark.parametrize("name", ["", "   ", "x" * 101])
def test_command_refuses_a_bad_name(db, name):
    with pytest.raises(CommandError):
        call_command("open311_key", name, stdout=io.StringIO(), stderr=io.StringIO())
    assert not Client.objects.exists()


def test_command_needs_a_name(db):
    with pytest.raises(CommandError):
        call_command("open311_key", stdout=io.StringIO())


def test_only_administrators_manage_clients(street):
    with pytest.raises(PermissionDenied):
        create_client(name="私自接入", acting_user=street.staff_a)
    client, _key = create_client(name="正式接入", acting_user=street.admin)
    with pytest.raises(PermissionDenied):
        revoke_client(client=client, acting_user=street.street_staff)
    revoke_client(client=client, acting_user=street.admin)
    with pytest.raises(ValidationError):
        revoke_client(client=client, acting_user=street.admin)
    actions = list(AuditEvent.objects.filter(object_type="open311.client").order_by("id")
                   .values_list("action", "actor"))
    assert actions == [("open311.create_client", street.admin.pk),
                       ("open311.revoke_client", street.admin.pk)]


def test_keys_differ_and_unknown_keys_match_nothing(db):
    _a, key_a = create_client(name="甲", acting_user=None)
    _b, key_b = create_client(name="乙", acting_user=None)
    assert key_a != key_b
    assert client_for_key("") is None
    assert client_for_key(key_a + "x") is None
