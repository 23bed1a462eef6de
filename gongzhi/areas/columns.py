"""Columns that apps below areas add to the household table (campaigns: the 文明户 stars),
registered in their AppConfig.ready(); areas imports none of them."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class HouseholdColumn:
    label: str
    template: str  # rendered with ``value``: what ``values`` gave for the household
    values: Callable[[Iterable[int]], dict[int, Any]]  # household ids → values, one query


_columns: dict[str, HouseholdColumn] = {}


def register_household_column(name: str, label: str, template: str,
                              values: Callable[[Iterable[int]], dict[int, Any]]) -> None:
    _columns[name] = HouseholdColumn(label, template, values)


def household_columns() -> list[HouseholdColumn]:
    return list(_columns.values())
