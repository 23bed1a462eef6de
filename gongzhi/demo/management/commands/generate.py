"""gongzhi generate --households N --seed S [--city-code CODE]: a synthetic city for benchmarks."""

import time
from contextlib import contextmanager

from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import IntegrityError, connection
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaNode, Household, Resident
from gongzhi.demo.actions import generate_city


@contextmanager
def _big_sqlite_cache():
    """SQLite's default 2 MB page cache makes index updates hit the disk at every row."""
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        previous = cursor.fetchone()[0]
        cursor.execute("PRAGMA cache_size = -262144")  # up to 256 MB, taken as needed
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous)}")


class Command(BaseCommand):
    help = ("按真实比例生成整座城市的合成数据（区、街道、社区、网格、小区、楼栋、住户、居民），"
            "用于压力测试")

    def add_arguments(self, parser):
        parser.add_argument("--households", type=int, required=True, help="住户总数")
        parser.add_argument("--seed", type=int, default=1, help="随机种子：同一种子生成相同数据")
        parser.add_argument("--city-code", help="城市编码（缺省 GEN<种子>），所有编码以它开头")
        parser.add_argument("--cases", type=int, default=0,
                            help="同时生成的诉求件数（两年，见 gongzhi generate-cases）")

    def handle(self, *args, households: int, seed: int, city_code: str | None, cases: int,
               **options):
        code = city_code or f"GEN{seed}"
        started = time.monotonic()
        last = [started]

        def progress(done: int, total: int) -> None:
            now = time.monotonic()
            if done < total and now - last[0] < 1:
                return
            last[0] = now
            rate = done / max(now - started, 1e-6)
            self.stdout.write(_("住户 %(done)s / %(total)s（%(pct)d%%），%(rate)s 户/秒") % {
                "done": f"{done:,}", "total": f"{total:,}", "pct": done * 100 // total,
                "rate": f"{rate:,.0f}"})
            self.stdout.flush()

        try:
            with _big_sqlite_cache():
                summary = generate_city(households=households, seed=seed, city_code=code,
                                        acting_user=None, progress=progress)
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        except IntegrityError as exc:
            raise CommandError(_("编码或路径与他人同时写入的数据冲突，未做任何修改，请重试：%(e)s")
                               % {"e": exc}) from exc
        seconds = max(time.monotonic() - started, 1e-6)
        rows = summary.areas + summary.households + summary.residents
        if connection.vendor == "postgresql":
            tables = ", ".join(connection.ops.quote_name(m._meta.db_table)
                               for m in (AreaNode, Household, Resident))
            with connection.cursor() as cursor:  # fresh statistics for the benchmarks' plans
                cursor.execute(f"ANALYZE {tables}")
        self.stdout.write(self.style.SUCCESS(_(
            "已生成“%(name)s”（编码 %(code)s）：区域 %(areas)s 个（楼栋 %(buildings)s 栋），"
            "住户 %(households)s 户，居民 %(residents)s 人；用时 %(seconds).1f 秒，"
            "%(rate)s 行/秒"
        ) % {
            "name": summary.city.name, "code": code, "areas": f"{summary.areas:,}",
            "buildings": f"{summary.buildings:,}", "households": f"{summary.households:,}",
            "residents": f"{summary.residents:,}", "seconds": seconds,
            "rate": f"{rows / seconds:,.0f}",
        }))
        if cases:
            call_command("generate_cases", city_code=code, cases=cases, seed=seed,
                         stdout=self.stdout, stderr=self.stderr)
