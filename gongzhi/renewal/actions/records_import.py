"""Compound records from a sheet (小区档案导入): every row is written or none is.

The rows come from ``renewal.excel.read_records`` (cells already typed); here each code is
resolved to a compound the user manages renovation for, the manager's name to an
organisation serving it, and every row goes through ``compounds.write_record`` — the same
checks as the record page. Any problem in any row: a ``RecordImportError`` listing them
all and nothing written; otherwise one audit event for the whole file.
"""

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q, QuerySet
from django.utils.translation import gettext as _

from gongzhi.accounts.models import Organisation, OrgKind
from gongzhi.areas.excel import RowError
from gongzhi.areas.models import AreaKind, AreaNode
from gongzhi.core import audit
from gongzhi.core.permissions import Perm, scope_paths
from gongzhi.core.tree import PATH_STEP, ancestor_paths, subtree_q
from gongzhi.renewal.actions._common import may_manage
from gongzhi.renewal.actions.compounds import write_record
from gongzhi.renewal.excel import HEADERS, RecordImportError, RecordRow
from gongzhi.renewal.models import CompoundRecord

MANAGER_KINDS = (OrgKind.PROPERTY, OrgKind.OWNERS_COMMITTEE, OrgKind.CO_BUILDING,
                 OrgKind.DEPARTMENT, OrgKind.SOCIAL)


def managers_serving(path: str) -> QuerySet[Organisation]:
    """Organisations that may manage the compound at ``path``: active, of a managing kind,
    serving it, an area above it or a part of it."""
    near = Q(areas__path__in=ancestor_paths(path)) | subtree_q(path, "areas__path")
    return (Organisation.objects.filter(near, kind__in=MANAGER_KINDS, is_active=True)
            .distinct().order_by("name"))


@dataclass
class RecordImportSummary:
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    changes: list[tuple[str, str, list[str]]] = field(default_factory=list)  # code, name, cols


def _serves(org: Organisation, path: str) -> bool:
    return any(path.startswith(a.path) or a.path.startswith(path) for a in org.areas.all())


class _Resolver:
    """Codes and manager names of the whole file, read in a few queries."""

    def __init__(self, rows: list[RecordRow], acting_user):
        self.acting_user = acting_user
        codes = {r.code for r in rows if r.code}
        self.nodes = {n.code: n for n in AreaNode.objects.filter(code__in=codes)}
        self.records = {r.compound_id: r for r in CompoundRecord.objects.filter(
            compound__in=[n for n in self.nodes.values() if n.kind == AreaKind.COMPOUND])}
        names = {r.fields["manager"] for r in rows if "manager" in r.fields}
        self.orgs: dict[str, list[Organisation]] = {}
        for org in (Organisation.objects.filter(name__in=names, kind__in=MANAGER_KINDS,
                                                is_active=True)
                    .prefetch_related(Prefetch("areas", AreaNode.objects.only("path")))):
            self.orgs.setdefault(org.name, []).append(org)

    def compound(self, row: RecordRow) -> AreaNode:
        node = self.nodes.get(row.code)
        if node is None or (self.acting_user is not None
                            and not may_manage(self.acting_user, node)):
            raise _row_error(row, "code", _("小区编码“%(code)s”不存在，或不在您管理的范围内")
                             % {"code": row.code},
                             f"compound code '{row.code}' is unknown or outside your areas")
        if node.kind != AreaKind.COMPOUND:
            raise _row_error(row, "code", _("“%(code)s”是%(kind)s，不是小区")
                             % {"code": row.code, "kind": node.get_kind_display()},
                             f"'{row.code}' is not a compound")
        return node

    def manager(self, row: RecordRow, compound: AreaNode) -> Organisation:
        name = row.fields["manager"]
        found = [o for o in self.orgs.get(name, []) if _serves(o, compound.path)]
        if len(found) == 1:
            return found[0]
        if found:
            raise _row_error(row, "manager", _("有多个管理单位叫“%(name)s”，请在小区档案页中选择")
                             % {"name": name}, f"several organisations are called '{name}'")
        raise _row_error(row, "manager", _("管理单位“%(name)s”未登记，或不服务该小区")
                         % {"name": name},
                         f"organisation '{name}' is not registered for this compound")


class _RowFailed(Exception):
    def __init__(self, errors: list[RowError]):
        self.errors = errors


def _row_error(row: RecordRow, key: str, message: str, message_en: str) -> _RowFailed:
    return _RowFailed([RowError(row.row, HEADERS[key], message, message_en)])


def _changed(record: CompoundRecord | None, fields: dict) -> list[str]:
    if record is None:
        return list(fields)
    out = []
    for name, value in fields.items():
        old = getattr(record, name)
        if name == "manager":
            same = record.manager_id == value.pk
        elif isinstance(value, str):
            same = (old or "") == value.strip()
        else:
            same = old == value
        if not same:
            out.append(name)
    return out


def _write(row: RecordRow, resolver: _Resolver, summary: RecordImportSummary) -> AreaNode:
    compound = resolver.compound(row)
    fields = dict(row.fields)
    if "manager" in fields:
        fields["manager"] = resolver.manager(row, compound)
    record = resolver.records.get(compound.pk)
    changed = _changed(record, fields)
    if not changed:
        summary.unchanged += 1
        return compound
    try:
        write_record(compound, fields)
    except ValidationError as exc:
        messages = getattr(exc, "message_dict", {"code": exc.messages})
        raise _RowFailed([RowError(row.row, HEADERS.get(key, HEADERS["code"]), message, "")
                          for key, texts in messages.items() for message in texts]) from exc
    if record is None:
        summary.created += 1
    else:
        summary.updated += 1
    summary.changes.append((compound.code, compound.name, [HEADERS[k] for k in changed]))
    return compound


def _common_area(nodes: list[AreaNode]) -> AreaNode:
    paths = [n.path for n in nodes]
    prefix = paths[0]
    for path in paths[1:]:
        while not path.startswith(prefix):
            prefix = prefix[:-PATH_STEP]
    return next(n for n in nodes if n.path == prefix) if prefix in paths \
        else AreaNode.objects.get(path=prefix)


def import_compound_records(*, rows: list[RecordRow], acting_user, file_name: str = "",
                            dry_run: bool = False) -> RecordImportSummary:
    """Write every row's record, or raise ``RecordImportError`` with every row's problem.

    ``dry_run`` checks everything the same way and writes nothing (the preview)."""
    if acting_user is not None and not (acting_user.is_superuser
                                        or scope_paths(acting_user, Perm.MANAGE_RENEWAL)):
        raise PermissionDenied(_("您无权管理老旧小区改造"))
    rows = list(rows)
    if not rows:
        raise RecordImportError([RowError(0, "", _("表格中没有数据行"), "the sheet has no rows")])
    try:
        with transaction.atomic():
            summary = _apply(rows, acting_user, file_name)
            if dry_run:
                transaction.set_rollback(True)
            return summary
    except IntegrityError as exc:
        raise RecordImportError([RowError(0, "", _("导入期间小区档案被他人修改，请重新导入"),
                                          "records changed during the import; try again")]
                                ) from exc


def _apply(rows: list[RecordRow], acting_user, file_name: str) -> RecordImportSummary:
    resolver = _Resolver(rows, acting_user)
    summary = RecordImportSummary(rows=len(rows))
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    compounds: list[AreaNode] = []
    for row in rows:
        if row.errors:
            errors += row.errors
            continue
        if row.code in seen:
            errors.append(RowError(row.row, HEADERS["code"], _(
                "小区编码“%(code)s”与第 %(n)d 行重复") % {"code": row.code, "n": seen[row.code]},
                f"compound code '{row.code}' repeats row {seen[row.code]}"))
            continue
        seen[row.code] = row.row
        try:
            compounds.append(_write(row, resolver, summary))
        except _RowFailed as failed:
            errors += failed.errors
    if errors:
        raise RecordImportError(errors)
    audit.record(actor=acting_user, action="renewal.import_compound_records",
                 obj=_common_area(compounds),
                 after={"file": file_name, "rows": summary.rows, "created": summary.created,
                        "updated": summary.updated, "unchanged": summary.unchanged,
                        "compounds": [code for code, _n, _c in summary.changes][:500]})
    return summary
