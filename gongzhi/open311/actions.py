"""State changes of Open311: the outside systems (clients) allowed to file requests, and
the requests they file."""

import hashlib
import secrets

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.accounts.models import User
from gongzhi.cases.actions import submit_case
from gongzhi.cases.models import Case, Source
from gongzhi.core import audit
from gongzhi.core.permissions import require_administrator
from gongzhi.open311.models import Client

KEY_PREFIX = "o311_"
NAME_MAX = Client._meta.get_field("name").max_length


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def create_client(*, name: str, acting_user: User | None) -> tuple[Client, str]:
    """A new client and its api_key; the key is returned once and only its hash is kept.

    Clients file cases for the whole jurisdiction, so only an administrator (or the
    operator, ``acting_user=None``) creates one.
    """
    if acting_user is not None:
        require_administrator(acting_user)
    name = (name or "").strip()
    if not name or len(name) > NAME_MAX:
        raise ValidationError({"name": _("客户端名称须为 1 至 %(max)d 个字符") % {"max": NAME_MAX}})
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    prefix = key[len(KEY_PREFIX):len(KEY_PREFIX) + 8]
    client = Client.objects.create(name=name, prefix=prefix, key_hash=hash_key(key))
    audit.record(actor=acting_user, action="open311.create_client", obj=client,
                 after={"name": name, "prefix": prefix})
    return client, key


@transaction.atomic
def revoke_client(*, client: Client, acting_user: User | None) -> Client:
    """Stop accepting the client's key; its past requests stay as they are."""
    if acting_user is not None:
        require_administrator(acting_user)
    client = Client.objects.select_for_update().get(pk=client.pk)
    if client.revoked_at is not None:
        raise ValidationError(_("该客户端已被吊销"))
    client.revoked_at = timezone.now()
    client.save(update_fields=["revoked_at"])
    audit.record(actor=acting_user, action="open311.revoke_client", obj=client,
                 before={"revoked_at": None}, after={"revoked_at": str(client.revoked_at)})
    return client


@transaction.atomic
def file_request(*, client: Client, acting_user: User | None = None, **case_fields) -> Case:
    """A service request from ``client``: the case (source open311) and who sent it.

    ``case_fields`` are ``submit_case``'s; the client is recorded in this action's audit
    event, next to the case's own ``cases.submit_case`` event, in the same transaction.
    """
    # Read again rather than lock: a client files many requests at once.
    if not Client.objects.filter(pk=client.pk, revoked_at__isnull=True).exists():
        raise PermissionDenied(_("该客户端已被吊销"))
    case = submit_case(source=Source.OPEN311, acting_user=acting_user, **case_fields)
    audit.record(actor=acting_user, action="open311.file_request", obj=case,
                 after={"client": client.pk, "client_name": client.name,
                        "prefix": client.prefix})
    return case
