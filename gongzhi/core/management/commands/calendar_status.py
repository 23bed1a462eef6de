"""gongzhi calendar-status [--year YYYY]: are the official holidays of the coming years known?

Deadlines count working days on the official calendar. The State Council announces each
year's holidays late in the year before; until the chinese-calendar package (or an
administrator's overrides) carries them, deadlines in that year count Monday–Friday.
"""

import chinese_calendar
from django.core.management.base import BaseCommand, CommandError
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from gongzhi.core.models import WorkdayOverride
from gongzhi.core.workdays import official_year_known

YEARS_SHOWN = 3


def unknown_year_warning(year: int) -> str:
    return _(
        "%(year)d 年法定节假日尚未收录：请升级 chinesecalendar 或由管理员录入调整日"
    ) % {"year": year} + f" / {year} holidays unknown: upgrade chinesecalendar or enter overrides"


class Command(BaseCommand):
    help = "显示今明后三年的法定节假日是否已收录，以及各年的工作日调整"

    def add_arguments(self, parser):
        parser.add_argument(
            "--year", type=int, help="只查看这一年（如 2027） / show this year only"
        )

    def handle(self, *args, year: int | None = None, **options):
        if year is not None and not 1900 <= year <= 2999:
            message = _("年份无效：%(year)s") % {"year": year}
            raise CommandError(f"{message} / invalid year: {year}")
        this_year = timezone.localdate().year
        years = [year] if year is not None else list(range(this_year, this_year + YEARS_SHOWN))
        # Only the years whose holidays should be announced by now deserve a warning.
        watched = set(years) if year is not None else {this_year, this_year + 1}
        self.stdout.write(
            _("chinesecalendar 版本：%(version)s") % {"version": chinese_calendar.__version__}
        )
        warnings = []
        for each in years:
            known = official_year_known(each)
            counts = WorkdayOverride.objects.filter(day__year=each).aggregate(
                workdays=Count("pk", filter=Q(is_workday=True)),
                rest=Count("pk", filter=Q(is_workday=False)),
            )
            status = _("已收录") + " / known" if known else _("未收录") + " / unknown"
            self.stdout.write(
                _("%(year)d 年：法定节假日%(status)s；调整日 %(total)d 天"
                  "（工作日 %(workdays)d，休息日 %(rest)d）") % {
                    "year": each, "status": status,
                    "total": counts["workdays"] + counts["rest"], **counts,
                }
                + f" / overrides: {counts['workdays'] + counts['rest']}"
            )
            if not known and each in watched:
                warnings.append(unknown_year_warning(each))
        for warning in warnings:
            self.stderr.write(self.style.WARNING(warning))
