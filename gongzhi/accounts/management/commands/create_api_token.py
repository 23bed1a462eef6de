"""gongzhi create-api-token USERNAME NAME — prints the new key once; only its hash is kept."""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.accounts.actions import create_api_token
from gongzhi.accounts.models import ApiToken, User

NAME_MAX = ApiToken._meta.get_field("name").max_length


class Command(BaseCommand):
    help = "为用户创建 API 令牌（只显示一次，库中只存其哈希）"

    def add_arguments(self, parser):
        parser.add_argument("username", help="用户名")
        parser.add_argument("name", help="令牌名称，如用途或调用方")

    def handle(self, *args, username: str, name: str, **options):
        user = User.objects.filter(username=username).first()
        if user is None:
            raise CommandError(_("用户“%(user)s”不存在") % {"user": username})
        if not user.is_active:
            raise CommandError(_("用户“%(user)s”已停用，不能创建令牌") % {"user": username})
        name = name.strip()
        if not name or len(name) > NAME_MAX:
            raise CommandError(_("令牌名称须为 1 至 %(max)d 个字符") % {"max": NAME_MAX})
        # The user creates their own token: the audit log names them as the actor.
        token, key = create_api_token(user=user, name=name, acting_user=user)
        notice = _("已为 %(user)s 创建令牌“%(name)s”（%(prefix)s…），密钥只显示这一次：")
        self.stderr.write(notice % {"user": username, "name": name, "prefix": token.prefix})
        self.stdout.write(key)
