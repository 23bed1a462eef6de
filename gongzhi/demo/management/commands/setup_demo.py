"""gongzhi setup-demo: migrate, load the demo street (once), print the logins."""

import time
import unicodedata

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.demo.actions import load_demo
from gongzhi.demo.campaigns import load_demo_campaign_parts, load_demo_campaigns
from gongzhi.demo.cases import load_demo_cases
from gongzhi.demo.deliberation import load_demo_deliberation
from gongzhi.demo.renewal import load_demo_renewal
from gongzhi.demo.selectors import LoginRow, demo_logins
from gongzhi.demo.volunteering import load_demo_volunteering


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def login_table(rows: list[LoginRow]) -> str:
    """Columns padded for a terminal that shows Chinese at double width."""
    lines = [(_("角色"), _("用户名"), _("手机号"), _("密码"), _("可以看到"))]
    lines += [(r.role, r.username, r.phone, r.password, r.sees) for r in rows]
    widths = [max(_width(line[i]) for line in lines) for i in range(4)]
    out = []
    for line in lines:
        cells = [cell + " " * (w - _width(cell)) for cell, w in zip(line, widths, strict=False)]
        out.append("  ".join([*cells, line[4]]).rstrip())
    return "\n".join(out)


class Command(BaseCommand):
    help = "迁移数据库并载入演示街道（已载入则不重复），然后列出各角色的登录账号"

    def handle(self, *args, **options):
        verbosity = options["verbosity"]
        call_command("migrate", interactive=False, verbosity=0)
        started = time.monotonic()
        try:
            summary = load_demo(acting_user=None)
            cases = load_demo_cases(acting_user=None)  # once: skipped when cases are there
            councils = load_demo_deliberation()
            volunteers = load_demo_volunteering()
            projects = load_demo_renewal()
            selections = load_demo_campaigns()
            parts = load_demo_campaign_parts()
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        if summary.created:
            self.stdout.write(self.style.SUCCESS(_(
                "已载入演示街道：区域 %(areas)d 个（楼栋 %(buildings)d 栋），住户 %(households)d "
                "户，居民 %(residents)d 人，账号 %(users)d 个，用时 %(seconds).1f 秒"
            ) % {**summary.__dict__, "seconds": time.monotonic() - started}))
        elif verbosity:
            self.stdout.write(_("演示街道已存在，未做任何修改。"))
        if cases:
            self.stdout.write(self.style.SUCCESS(_("已载入演示诉求件 %(n)d 件") % {"n": cases}))
        if councils:
            self.stdout.write(self.style.SUCCESS(_(
                "已载入演示议事协商：议事会 %(n)d 个，含会议纪要、加装电梯征询及其决议公示，"
                "以及一项进行中的表决") % {"n": councils}))
        if volunteers:
            self.stdout.write(self.style.SUCCESS(_(
                "已载入演示志愿服务：志愿者 %(n)d 名，含服务菜单、各状态订单、活动、"
                "值守排班和积分超市") % {"n": volunteers}))
        if projects:
            self.stdout.write(self.style.SUCCESS(_(
                "已载入演示老旧小区改造：改造项目 %(n)d 个，含每个小区的档案、需求调查、"
                "方案表决、分项施工和资金、居民监督与验收、长效管理") % {"n": projects}))
        if selections:
            self.stdout.write(self.style.SUCCESS(_(
                "已载入演示文明创建：最美评选 %(n)d 项，含已公布结果的去年评选、正在投票的"
                "今年评选和街道正在推荐的最美商户") % {"n": selections}))
        if any(parts.values()):
            self.stdout.write(self.style.SUCCESS(_(
                "已载入演示文明创建：十星级文明户评定 %(households)d 份，门前三包商户 %(shops)d 家"
                "（含责任书、三个月检查和红黑榜），网格合伙人 %(partners)d 名，居民公约 "
                "%(conventions)d 份及其签署") % parts))
        self.stdout.write("")
        self.stdout.write(login_table(demo_logins()))
