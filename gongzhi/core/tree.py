"""Materialized paths for the area tree.

Each level is a fixed-width run of digits, so a subtree is the range
[path, next_sibling_path): one index range scan whatever the database collation.
"""

from django.db.models import Q

PATH_STEP = 6


def subtree_upper(path: str) -> str:
    """The first path after every descendant of ``path`` (its next sibling's path)."""
    head, last = path[:-PATH_STEP], int(path[-PATH_STEP:])
    return f"{head}{last + 1:0{PATH_STEP}d}"


def subtree_q(path: str, field: str = "path") -> Q:
    """Q for the node at ``path`` and everything below it."""
    return Q(**{f"{field}__gte": path, f"{field}__lt": subtree_upper(path)})


def ancestor_paths(path: str) -> list[str]:
    """Paths of every node from the root down to ``path`` itself."""
    return [path[:i] for i in range(PATH_STEP, len(path) + 1, PATH_STEP)]
