"""gongzhi open311-key NAME — a new Open311 client; its api_key is printed once.

``--revoke PREFIX`` stops a client's key (the prefix is shown when the key is created).
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.open311.actions import create_client, revoke_client
from gongzhi.open311.models import Client


class Command(BaseCommand):
    help = "创建 Open311 客户端并显示其 api_key（只显示一次，库中只存其哈希）"

    def add_arguments(self, parser):
        parser.add_argument("name", nargs="?", help="客户端名称，如调用方系统的名字")
        parser.add_argument("--revoke", metavar="PREFIX", help="吊销该前缀的客户端")

    def handle(self, *args, name: str | None, revoke: str | None, **options):
        if revoke:
            self._revoke(revoke.strip())
            return
        if not name:
            raise CommandError(_("请给出客户端名称"))
        try:
            client, key = create_client(name=name, acting_user=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        notice = _("已创建 Open311 客户端“%(name)s”（%(prefix)s…），api_key 只显示这一次：")
        self.stderr.write(notice % {"name": client.name, "prefix": client.prefix})
        self.stdout.write(key)

    def _revoke(self, prefix: str) -> None:
        clients = list(Client.objects.filter(prefix=prefix, revoked_at__isnull=True)[:2])
        if len(clients) != 1:
            raise CommandError(_("没有唯一的、未吊销的前缀为 %(prefix)s 的客户端")
                               % {"prefix": prefix})
        revoke_client(client=clients[0], acting_user=None)
        self.stdout.write(_("已吊销 %(client)s") % {"client": clients[0]})
