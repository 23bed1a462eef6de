"""gongzhi import-households FILE.xlsx --community CODE [--user USERNAME]"""

import unicodedata
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from gongzhi.areas.actions import import_households
from gongzhi.areas.excel import HouseholdImportError, RowError
from gongzhi.areas.models import AreaKind, AreaNode


def community_by_code(code: str) -> AreaNode:
    node = AreaNode.objects.filter(code=code, kind=AreaKind.COMMUNITY).first()
    if node is None:
        raise CommandError(_("没有编码为“%(code)s”的社区") % {"code": code})
    return node


def user_by_name(username: str | None):
    """The named user, or None (the system) when no name is given."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(_("没有用户名为“%(name)s”的用户") % {"name": username})
    return user


def _width(text: str) -> int:
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def _pad(text: str, width: int) -> str:
    return text + " " * (width - _width(text))


def error_table(errors: list[RowError]) -> str:
    """行 / 列 / 问题, aligned for a terminal that shows Chinese at double width."""
    lines = [(_("行"), _("列"), _("问题"))]
    lines += [(str(e.row) if e.row else "—", e.column or "—", e.message) for e in errors]
    row_w = max(_width(line[0]) for line in lines)
    col_w = max(_width(line[1]) for line in lines)
    return "\n".join(f"{_pad(r, row_w)}  {_pad(c, col_w)}  {m}" for r, c, m in lines)


class Command(BaseCommand):
    help = "从 .xlsx 文件导入社区住户：全部成功才写入，否则逐行列出问题且不做任何修改"

    def add_arguments(self, parser):
        parser.add_argument("file", help="住户表 .xlsx")
        parser.add_argument("--community", required=True, help="社区编码")
        parser.add_argument("--user", help="以该用户身份导入（缺省为系统）")

    def handle(self, *args, file: str, community: str, user: str | None, **options):
        node = community_by_code(community)
        acting_user = user_by_name(user)
        path = Path(file)
        if not path.is_file():
            raise CommandError(_("文件不存在：%(path)s") % {"path": file})
        try:
            summary = import_households(community=node, file=path, acting_user=acting_user)
        except HouseholdImportError as exc:
            self.stderr.write(error_table(exc.errors))
            raise CommandError(
                _("导入失败：共 %(n)d 处问题，未做任何修改") % {"n": len(exc.errors)},
                returncode=1,
            ) from exc
        except PermissionDenied as exc:
            raise CommandError(_("用户“%(user)s”无权在“%(community)s”导入住户") % {
                "user": user, "community": node.name}) from exc
        except ValidationError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        self.stdout.write(self.style.SUCCESS(_(
            "已导入“%(file)s”到%(community)s：共 %(rows)d 行，新增 %(created)d 户、更新 "
            "%(updated)d 户（其中 %(changed)d 户有变化），新建小区 %(compounds)d 个、楼栋 "
            "%(buildings)d 栋，新增户主 %(residents)d 人"
        ) % {
            "file": summary.file_name, "community": node.name, "rows": summary.rows,
            "created": summary.created, "updated": summary.updated, "changed": summary.changed,
            "compounds": summary.compounds_created, "buildings": summary.buildings_created,
            "residents": summary.residents_created,
        }))
