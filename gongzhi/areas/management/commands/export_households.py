"""gongzhi export-households --community CODE [-o FILE] [--user USERNAME]"""

import re
from pathlib import Path

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.actions import export_households
from gongzhi.areas.management.commands.import_households import community_by_code, user_by_name


class Command(BaseCommand):
    help = "把社区住户导出为 .xlsx（与导入格式相同；无权查看者看到的电话、身份证号已脱敏）"

    def add_arguments(self, parser):
        parser.add_argument("--community", required=True, help="社区编码")
        parser.add_argument("-o", "--output", help="输出文件（缺省：households-编码-日期.xlsx）")
        parser.add_argument("--user", help="以该用户身份导出，按其权限脱敏（缺省为系统）")

    def handle(self, *args, community: str, output: str | None, user: str | None, **options):
        node = community_by_code(community)
        viewer = user_by_name(user)
        try:
            data, _count = export_households(node=node, acting_user=viewer)
        except PermissionDenied as exc:
            raise CommandError(_("用户“%(user)s”无权查看“%(community)s”的住户") % {
                "user": user, "community": node.name}) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        safe_code = re.sub(r"[^\w-]", "_", node.code)
        path = Path(output or f"households-{safe_code}-{timezone.localdate():%Y%m%d}.xlsx")
        try:
            path.write_bytes(data)
        except OSError as exc:
            raise CommandError(_("无法写入文件 %(path)s：%(error)s") % {
                "path": path, "error": exc.strerror}) from exc
        self.stdout.write(self.style.SUCCESS(_("已导出 %(community)s 的住户到 %(path)s") % {
            "community": node.name, "path": path}))
