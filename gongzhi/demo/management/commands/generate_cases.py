"""gongzhi generate-cases --city-code CODE --cases N [--seed S] [--until ISO] [--months M]

Adds N synthetic cases to a city made by ``gongzhi generate`` (run it again to add more,
with another seed). The same seed and --until give the same cases.
"""

import time
from datetime import datetime

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.demo.city_cases import generate_cases

MAX_CASES = 50_000_000


def until_arg(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CommandError(_("--until 须为 ISO 时间，如 2026-12-01T08:00+08:00")) from None
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


class Command(BaseCommand):
    help = "为合成城市生成诉求件（按真实比例，两年，COPY 批量写入），用于压力测试"

    def add_arguments(self, parser):
        parser.add_argument("--city-code", required=True, help="gongzhi generate 生成的城市编码")
        parser.add_argument("--cases", type=int, required=True, help="诉求件数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子")
        parser.add_argument("--until", type=until_arg, default=None,
                            help="最晚上报时间（缺省为当前整点）")
        parser.add_argument("--months", type=int, default=24, help="跨越的月数（缺省 24）")

    def handle(self, *args, city_code: str, cases: int, seed: int, until: datetime | None,
               months: int, **options):
        if not 1 <= cases <= MAX_CASES:
            raise CommandError(_("诉求件数须在 1 到 %(max)d 之间") % {"max": MAX_CASES})
        if not 1 <= months <= 120:
            raise CommandError(_("月数须在 1 到 120 之间"))
        city = AreaNode.objects.filter(code=city_code, kind=AreaKind.CITY).first()
        if city is None:
            raise CommandError(_("没有编码为“%(code)s”的城市，请先运行 gongzhi generate") % {
                "code": city_code})
        until = until or timezone.now().replace(minute=0, second=0, microsecond=0)
        started = time.monotonic()

        def progress(done: int, total: int) -> None:
            rate = done / max(time.monotonic() - started, 1e-6)
            self.stdout.write(_("诉求件 %(done)s / %(total)s，%(rate)s 件/秒") % {
                "done": f"{done:,}", "total": f"{total:,}", "rate": f"{rate:,.0f}"})
            self.stdout.flush()

        try:
            summary = generate_cases(city=city, cases=cases, seed=seed, until=until,
                                     months=months, acting_user=None, progress=progress)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        seconds = max(time.monotonic() - started, 1e-6)
        states = "，".join(f"{k} {v:,}" for k, v in sorted(summary.by_status.items()))
        self.stdout.write(self.style.SUCCESS(_(
            "已生成诉求件 %(cases)s 件、办理记录 %(events)s 条；用时 %(seconds).1f 秒（%(states)s）"
        ) % {"cases": f"{summary.cases:,}", "events": f"{summary.events:,}",
             "seconds": seconds, "states": states}))
