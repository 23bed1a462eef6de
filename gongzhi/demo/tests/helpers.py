"""Digests of loaded data, computed from the database, to compare two loads."""

import hashlib
import json

from gongzhi.areas.models import AreaNode, Household, Resident
from gongzhi.core.tree import subtree_q


def digest(root: AreaNode) -> str:
    """SHA-256 over every node, household and resident below ``root`` (ids left out)."""
    h = hashlib.sha256()
    nodes = AreaNode.objects.filter(subtree_q(root.path)).order_by("path").values_list(
        "kind", "code", "name", "path", "depth", "boundary", "built_year", "floors", "address")
    households = Household.objects.filter(subtree_q(root.path, "area_path")).order_by(
        "area_path", "unit", "room").values_list(
        "area_path", "unit", "room", "floor", "floor_area", "tenure", "member_count")
    residents = Resident.objects.filter(subtree_q(root.path, "household__area_path")).order_by(
        "household__area_path", "household__unit", "household__room", "-is_head", "id"
    ).values_list("household__area_path", "household__unit", "household__room", "name",
                  "phone", "id_number", "is_head", "tags")
    for rows in (nodes, households, residents):
        for row in rows:
            h.update(json.dumps(row, default=str, ensure_ascii=False).encode())
    return h.hexdigest()
