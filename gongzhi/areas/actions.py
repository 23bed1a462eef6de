"""State changes of the area tree, households and residents."""

import re
from collections import defaultdict
from dataclasses import asdict
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from gongzhi.areas import geo
from gongzhi.areas.excel import (
    EXPORT_HEADERS,
    MAX_ROWS,
    HouseholdImportError,
    HouseholdSheet,
    ImportSummary,
    ParsedRow,
    RowError,
    households_workbook,
    read_households,
)
from gongzhi.areas.models import GRID_KINDS, AreaKind, AreaNode, Household, Resident, Tenure
from gongzhi.areas.selectors import households_in
from gongzhi.core import audit
from gongzhi.core.permissions import Perm, can, require
from gongzhi.core.tree import PATH_STEP, subtree_q

ALLOWED_CHILDREN: dict[str | None, set[str]] = {
    None: {AreaKind.CITY},
    AreaKind.CITY: {AreaKind.DISTRICT},
    AreaKind.DISTRICT: {AreaKind.STREET},
    AreaKind.STREET: {AreaKind.COMMUNITY},
    AreaKind.COMMUNITY: {AreaKind.GRID_LARGE, AreaKind.GRID_SMALL, AreaKind.COMPOUND},
    AreaKind.GRID_LARGE: {AreaKind.GRID_SMALL, AreaKind.COMPOUND},
    AreaKind.GRID_SMALL: {AreaKind.COMPOUND},
    AreaKind.COMPOUND: {AreaKind.BUILDING},
    AreaKind.BUILDING: set(),
}
AREA_FIELDS = ["kind", "code", "name", "parent", "path", "built_year", "floors", "address"]
HOUSEHOLD_FIELDS = ["building", "unit", "room", "floor", "floor_area", "tenure", "member_count"]


def _require(acting_user, perm: Perm, obj) -> None:
    # acting_user None: the system itself (demo loader, generator, migrations).
    if acting_user is not None:
        require(acting_user, perm, obj)


def child_path(parent_path: str, seq: int) -> str:
    if seq >= 10**PATH_STEP:
        raise ValidationError(_("下级区域数量超过上限"))
    return f"{parent_path}{seq:0{PATH_STEP}d}"


def next_child_path(parent: AreaNode | None) -> str:
    """The path for a new child of ``parent``; the caller holds the parent's row lock."""
    prefix = parent.path if parent else ""
    siblings = AreaNode.objects.filter(parent=parent).order_by("-path")
    last = siblings.values_list("path", flat=True).first()
    seq = int(last[-PATH_STEP:]) + 1 if last else 1
    return child_path(prefix, seq)


def _apply_boundary(node: AreaNode, boundary: dict | None) -> None:
    if boundary is None:
        node.boundary = None
        node.min_lng = node.min_lat = node.max_lng = node.max_lat = None
        return
    try:
        node.boundary = geo.validate(boundary)
        node.min_lng, node.min_lat, node.max_lng, node.max_lat = geo.bbox(node.boundary)
    except (geo.GeometryError, TypeError, IndexError, KeyError) as exc:
        raise ValidationError({"boundary": _("边界不是有效的 GeoJSON 多边形：%s") % exc}) from exc


@transaction.atomic
def create_area(
    *, kind: str, code: str, name: str, parent: AreaNode | None, acting_user,
    boundary: dict | None = None, **attrs,
) -> AreaNode:
    """Add a node under ``parent`` (None for a city)."""
    if parent is not None:
        parent = AreaNode.objects.select_for_update().get(pk=parent.pk)
        _require(acting_user, Perm.MANAGE_AREAS, parent)
    elif acting_user is not None and not acting_user.is_superuser:
        raise PermissionDenied("only an administrator creates a city")
    parent_kind = parent.kind if parent else None
    if kind not in ALLOWED_CHILDREN[parent_kind]:
        raise ValidationError({"kind": _("%(parent)s下不能直接设立%(kind)s") % {
            "parent": parent.get_kind_display() if parent else _("顶层"),
            "kind": AreaKind(kind).label,
        }})
    node = AreaNode(kind=kind, code=code, name=name, parent=parent, **attrs)
    node.path = next_child_path(parent)
    node.depth = len(node.path) // PATH_STEP
    _apply_boundary(node, boundary)
    node.full_clean()
    node.save()
    audit.record(
        actor=acting_user, action="areas.create_area", obj=node,
        after=audit.snapshot(node, AREA_FIELDS),
    )
    return node


@transaction.atomic
def set_boundary(*, node: AreaNode, boundary: dict | None, acting_user) -> AreaNode:
    _require(acting_user, Perm.MANAGE_AREAS, node)
    before = {"bbox": [node.min_lng, node.min_lat, node.max_lng, node.max_lat]}
    _apply_boundary(node, boundary)
    node.save(update_fields=["boundary", "min_lng", "min_lat", "max_lng", "max_lat"])
    audit.record(
        actor=acting_user, action="areas.set_boundary", obj=node, before=before,
        after={"bbox": [node.min_lng, node.min_lat, node.max_lng, node.max_lat]},
    )
    return node


@transaction.atomic
def create_household(
    *, building: AreaNode, room: str, acting_user, unit: str = "", floor: int | None = None,
    floor_area: Decimal | None = None, tenure: str = "owner", member_count: int = 1,
) -> Household:
    _require(acting_user, Perm.MANAGE_HOUSEHOLDS, building)
    if building.kind != AreaKind.BUILDING:
        raise ValidationError({"building": _("住户只能登记在楼栋下")})
    household = Household(
        building=building, area_path=building.path, unit=unit, room=room, floor=floor,
        floor_area=floor_area, tenure=tenure, member_count=member_count,
    )
    household.full_clean()
    household.save()
    audit.record(
        actor=acting_user, action="areas.create_household", obj=household,
        after=audit.snapshot(household, HOUSEHOLD_FIELDS),
    )
    return household


@transaction.atomic
def add_resident(
    *, household: Household, name: str, acting_user, phone: str = "", id_number: str = "",
    is_head: bool = False, tags: list[str] | None = None,
) -> Resident:
    _require(acting_user, Perm.MANAGE_HOUSEHOLDS, household)
    resident = Resident(
        household=household, name=name, phone=phone, id_number=id_number,
        is_head=is_head, tags=tags or [],
    )
    resident.full_clean()
    resident.save()
    # The audit log keeps who was added, never the phone or ID number in clear.
    audit.record(
        actor=acting_user, action="areas.add_resident", obj=resident,
        area_path=household.area_path,
        after={"household": household.pk, "name": name, "is_head": is_head, "tags": tags or []},
    )
    return resident


# --- Import of households from .xlsx: all rows or none, one audit event per file ---------

IMPORTED_HOUSEHOLD_FIELDS = ["floor", "floor_area", "member_count", "tenure"]
IMPORTED_HEAD_FIELDS = ["name", "phone", "id_number"]


def import_households(*, community: AreaNode, file, acting_user) -> ImportSummary:
    """Create or update the households of ``community`` from an .xlsx file (path or file).

    Every bad row is reported in one ``HouseholdImportError`` and nothing is written;
    otherwise all rows are written in one transaction with one audit event.
    """
    _require(acting_user, Perm.MANAGE_HOUSEHOLDS, community)
    if community.kind != AreaKind.COMMUNITY:
        raise ValidationError(_("只能按社区导入住户"))
    sheet = read_households(file)
    try:
        with transaction.atomic():
            return _apply_import(community, sheet, acting_user)
    except IntegrityError as exc:
        # Someone added the same room while this file was being imported.
        raise HouseholdImportError([RowError(
            0, "", _("导入期间住户数据被他人修改，请重新导入"),
            "households changed while the file was being imported; import it again",
        )]) from exc


def _building_key(name: str) -> str:
    """'1', '1栋', '1号楼' and '1幢' name the same building."""
    match = re.fullmatch(r"(\d+)(栋|号楼|幢|号|楼|座)?", name)
    return f"{match.group(1)}#" if match else name


def _within(node: AreaNode, grid: AreaNode) -> bool:
    while node.pk is None:  # a node the file adds hangs below an existing one
        node = node.parent
    return node.path.startswith(grid.path)


class _Tree:
    """The community's grids, compounds and buildings, plus the ones the file adds."""

    def __init__(self, community: AreaNode, labels: dict[str, str], errors: list[RowError]):
        self.community, self.labels, self.errors = community, labels, errors
        kinds = [*GRID_KINDS, AreaKind.COMPOUND, AreaKind.BUILDING]
        nodes = list(AreaNode.objects.filter(subtree_q(community.path), kind__in=kinds))
        by_pk = {node.pk: node for node in nodes}
        self.grids = [node for node in nodes if node.kind in GRID_KINDS]
        self.compounds: dict[str, list[AreaNode]] = defaultdict(list)
        self.buildings: dict[str, list[AreaNode]] = defaultdict(list)
        self.children: dict[int, dict[str, list[AreaNode]]] = defaultdict(
            lambda: defaultdict(list))
        self.new_compounds: list[AreaNode] = []
        self.new_buildings: list[AreaNode] = []
        for node in nodes:
            if node.kind == AreaKind.COMPOUND:
                self.compounds[node.name].append(node)
            elif node.kind == AreaKind.BUILDING:
                key = _building_key(node.name)
                self.buildings[key].append(node)
                if node.parent_id in by_pk:
                    self.children[id(by_pk[node.parent_id])][key].append(node)

    def _fail(self, row: ParsedRow, key: str, message: str, message_en: str) -> None:
        column = self.labels.get(key, EXPORT_HEADERS[key])
        self.errors.append(RowError(row.row, column, message, message_en))

    def building_for(self, row: ParsedRow) -> AreaNode | None:
        """The row's building (new and unsaved if the file adds it); None after an error."""
        grids = None
        if row.grid:
            grids = [g for g in self.grids if g.code == row.grid]
            grids = grids or [g for g in self.grids if g.name == row.grid]
            if not grids:
                return self._fail(row, "grid", _("网格“%(name)s”不在本社区") % {"name": row.grid},
                                  f"grid '{row.grid}' is not in this community")
        key = _building_key(row.building)
        if not row.compound:
            found = [b for b in self.buildings.get(key, [])
                     if grids is None or any(_within(b, g) for g in grids)]
            if len(found) == 1:
                return found[0]
            names = {"name": row.building}
            if found:
                return self._fail(
                    row, "building", _("本社区有多个楼栋叫“%(name)s”，请填写小区以区分") % names,
                    f"several buildings are called '{row.building}'; fill in the compound")
            return self._fail(
                row, "building",
                _("楼栋“%(name)s”在本社区不存在；新建楼栋请同时填写小区") % names,
                f"building '{row.building}' does not exist; fill in the compound to add it")
        compound = self._compound(row, grids)
        if compound is None:
            return None
        found = self.children[id(compound)].get(key, [])
        if len(found) > 1:
            return self._fail(
                row, "building", _("小区“%(compound)s”里有多个楼栋叫“%(name)s”") % {
                    "compound": row.compound, "name": row.building},
                f"compound '{row.compound}' has several buildings called '{row.building}'")
        if found:
            return found[0]
        building = AreaNode(kind=AreaKind.BUILDING, name=row.building, parent=compound)
        self.new_buildings.append(building)
        self.children[id(compound)][key].append(building)
        self.buildings[key].append(building)
        return building

    def _compound(self, row: ParsedRow, grids: list[AreaNode] | None) -> AreaNode | None:
        known = self.compounds.get(row.compound, [])
        found = known if grids is None else [
            c for c in known if any(_within(c, g) for g in grids)]
        names = {"name": row.compound, "grid": row.grid}
        if len(found) > 1:
            return self._fail(row, "compound",
                              _("本社区有多个小区叫“%(name)s”，请填写网格以区分") % names,
                              f"several compounds are called '{row.compound}'; fill in the grid")
        if found:
            return found[0]
        if known:
            return self._fail(row, "grid", _("小区“%(name)s”不在网格“%(grid)s”下") % names,
                              f"compound '{row.compound}' is not in grid '{row.grid}'")
        if grids and len(grids) > 1:
            return self._fail(row, "grid", _("有多个网格叫“%(grid)s”，请改填网格编码") % names,
                              f"several grids are called '{row.grid}'; use the grid code")
        parent = grids[0] if grids else self.community
        compound = AreaNode(kind=AreaKind.COMPOUND, name=row.compound, parent=parent)
        self.new_compounds.append(compound)
        self.compounds[row.compound].append(compound)
        return compound


def _apply_import(community: AreaNode, sheet: HouseholdSheet, acting_user) -> ImportSummary:
    # The row lock serialises imports into one community (new paths and codes).
    community = AreaNode.objects.select_for_update().get(pk=community.pk)
    errors = list(sheet.errors)
    tree = _Tree(community, sheet.labels, errors)
    resolved: list[tuple[ParsedRow, AreaNode]] = []
    seen: dict[tuple[int, str, str], int] = {}
    for row in sheet.rows:
        building = tree.building_for(row)
        if building is None:
            continue
        key = (id(building), row.unit, row.room)
        if key in seen:
            errors.append(RowError(
                row.row, sheet.labels["room"],
                _("与第 %(row)d 行是同一户（楼栋、单元、房号都相同）") % {"row": seen[key]},
                f"same building, unit and room as row {seen[key]}"))
            continue
        seen[key] = row.row
        resolved.append((row, building))
    building_ids = {b.pk for _row, b in resolved if b.pk}
    existing = {(h.building_id, h.unit, h.room): h
                for h in Household.objects.filter(building_id__in=building_ids)}
    heads: dict[int, Resident] = {}
    for head in Resident.objects.filter(household__building_id__in=building_ids,
                                        is_head=True).order_by("id"):
        heads.setdefault(head.household_id, head)
    for row, building in resolved:
        household = existing.get((building.pk, row.unit, row.room))
        if not row.head_name and "head_name" not in row.invalid and (
                row.phone or row.id_number) and (
                household is None or household.pk not in heads):
            column = sheet.labels.get("head_name", EXPORT_HEADERS["head_name"])
            errors.append(RowError(row.row, column, _("填写了联系电话或身份证号，但没有户主姓名"),
                                   "a phone or ID number is given but no head of household"))
    if errors:
        raise HouseholdImportError(errors)

    summary = ImportSummary(file_name=sheet.file_name, rows=len(resolved),
                            compounds_created=len(tree.new_compounds),
                            buildings_created=len(tree.new_buildings))
    for nodes in (tree.new_compounds, tree.new_buildings):
        _place_new_nodes(nodes)
        AreaNode.objects.bulk_create(nodes, batch_size=500)
    _save_households(resolved, existing, heads, summary)
    counts = {k: v for k, v in asdict(summary).items() if k != "file_name"}
    audit.record(actor=acting_user, action="areas.import_households", obj=community,
                 after={"file": sheet.file_name, **counts})
    return summary


def _place_new_nodes(nodes: list[AreaNode]) -> None:
    """Paths after each parent's last child (parents locked, as in create_area), and codes."""
    if not nodes:
        return
    parent_ids = {node.parent.pk for node in nodes}
    list(AreaNode.objects.select_for_update().filter(pk__in=parent_ids).values_list("pk"))
    last = dict(AreaNode.objects.filter(parent_id__in=parent_ids).order_by()
                .values("parent_id").annotate(last=Max("path")).values_list("parent_id", "last"))
    next_seq: dict[int, int] = {}
    for node in nodes:
        parent = node.parent
        node.parent = parent  # sets parent_id now that a new compound has been saved
        seq = next_seq.get(parent.pk) or (int(last[parent.pk][-PATH_STEP:]) + 1
                                          if parent.pk in last else 1)
        next_seq[parent.pk] = seq + 1
        node.path = child_path(parent.path, seq)
        node.depth = len(node.path) // PATH_STEP
    _assign_codes(nodes)


def _assign_codes(nodes: list[AreaNode]) -> None:
    """'<parent code>-X3' for a compound, '-B3' for a building; suffixed if taken."""
    letter = {AreaKind.COMPOUND: "X", AreaKind.BUILDING: "B"}
    attempts = {id(node): 1 for node in nodes}
    used: set[str] = set()
    pending = nodes
    while pending:
        for node in pending:
            base = f"{node.parent.code}-{letter[node.kind]}{int(node.path[-PATH_STEP:])}"
            if len(base) > 56:
                base = f"N{node.path}"
            tries = attempts[id(node)]
            node.code = (base if tries == 1 else f"{base}-{tries}")[:64]
        taken = set(AreaNode.objects.filter(code__in=[n.code for n in pending])
                    .values_list("code", flat=True))
        retry = []
        for node in pending:
            if node.code in taken or node.code in used:
                attempts[id(node)] += 1
                retry.append(node)
            else:
                used.add(node.code)
        pending = retry


def _save_households(resolved, existing, heads, summary: ImportSummary) -> None:
    new: list[tuple[Household, ParsedRow]] = []
    changed: list[Household] = []
    new_heads: list[Resident] = []
    changed_heads: list[Resident] = []
    for row, building in resolved:
        household = existing.get((building.pk, row.unit, row.room))
        if household is None:
            household = Household(
                building=building, area_path=building.path, unit=row.unit, room=row.room,
                floor=row.floor, floor_area=row.floor_area, tenure=row.tenure or Tenure.OWNER,
                member_count=1 if row.member_count is None else row.member_count,
            )
            new.append((household, row))
            continue
        summary.updated += 1
        values = {"floor": row.floor, "floor_area": row.floor_area,
                  "member_count": row.member_count, "tenure": row.tenure}
        differs = _set_given(household, values)
        if differs:
            changed.append(household)
        head = heads.get(household.pk)
        if head is None and row.head_name:
            new_heads.append(Resident(household=household, name=row.head_name, phone=row.phone,
                                      id_number=row.id_number, is_head=True))
            differs = True
        elif head is not None and _set_given(
                head, {"name": row.head_name, "phone": row.phone, "id_number": row.id_number}):
            changed_heads.append(head)
            differs = True
        summary.changed += differs
    Household.objects.bulk_create([h for h, _row in new], batch_size=1000)
    new_heads += [Resident(household=h, name=row.head_name, phone=row.phone,
                           id_number=row.id_number, is_head=True)
                  for h, row in new if row.head_name]
    Resident.objects.bulk_create(new_heads, batch_size=1000)
    Household.objects.bulk_update(changed, IMPORTED_HOUSEHOLD_FIELDS, batch_size=500)
    Resident.objects.bulk_update(changed_heads, IMPORTED_HEAD_FIELDS, batch_size=500)
    summary.created = len(new)
    summary.residents_created = len(new_heads)
    summary.residents_updated = len(changed_heads)


def _set_given(obj, values: dict) -> bool:
    """Copy the values the row gave (None / '' keep what is stored); True if any differed."""
    differs = False
    for name, value in values.items():
        if value not in (None, "") and getattr(obj, name) != value:
            setattr(obj, name, value)
            differs = True
    return differs


def export_households(*, node: AreaNode, acting_user) -> tuple[bytes, int]:
    """The households under ``node`` as .xlsx for ``acting_user`` (None: the system).

    Masking follows the viewer inside the workbook. An export of personal data is an
    access an auditor asks about, so it writes an audit event like a change does.
    """
    _require(acting_user, Perm.VIEW_HOUSEHOLDS, node)
    households = households_in(acting_user, node)
    count = households.count()
    if count > MAX_ROWS:
        raise ValidationError(
            _("住户超过 %(n)d 户，无法一次导出，请进入下级区域分别导出。") % {"n": MAX_ROWS}
        )
    title = _("%(name)s住户信息表") % {"name": node.name}
    data = households_workbook(households, title=title, viewer=acting_user)
    masked = acting_user is not None and not can(acting_user, Perm.VIEW_PERSONAL_DATA, node)
    audit.record(actor=acting_user, action="areas.export_households", obj=node,
                 after={"households": count, "masked": masked})
    return data, count
