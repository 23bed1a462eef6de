"""gongzhi load-categories: load or update the default problem categories (by code).

Safe to run again: categories already up to date are left alone, and categories an
administrator added or deactivated stay as they are.
"""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.cases.catalogue import load_default_categories


class Command(BaseCommand):
    help = "载入或更新默认问题分类（按编码匹配，可重复运行）"

    def handle(self, *args, **options):
        try:
            created, updated = load_default_categories(acting_user=None)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            _("问题分类已载入：新增 %(created)d 个，更新 %(updated)d 个")
            % {"created": created, "updated": updated}
            + f" / categories loaded: {created} created, {updated} updated"
        )
