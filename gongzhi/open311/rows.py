"""Cases read as plain values for the Open311 lists: a thousand model instances (with their
area and category) cost more to build than the request costs to answer.

A ``RequestRow`` answers what the serializers ask of a case and nothing more.
"""

from dataclasses import dataclass
from datetime import datetime

from django.db.models import OuterRef, QuerySet, Subquery

from gongzhi.cases.models import OPEN_STATUSES, Case, CasePhoto, Category, reference_for

_STATUS = Case._meta.get_field("status")
VALUES = ("pk", "status", "priority", "category_id", "description", "address", "lat", "lng",
          "assignee_org_id", "assignee_org__name", "created_at", "updated_at", "resolved_at",
          "resolution_due", "expected_resolution", "result", "rejection_reason",
          "reporter_name", "reporter_phone", "merged_into_id", "area__code", "area__kind",
          "area__path", "area__name", "area__parent__path", "area__parent__kind",
          "area__parent__name", "first_photo_id")


@dataclass(frozen=True, slots=True)
class Area:
    code: str
    kind: str
    path: str
    name: str
    parent: "Area | None" = None


@dataclass(frozen=True, slots=True)
class Org:
    name: str


@dataclass(frozen=True, slots=True)
class RequestRow:
    pk: int
    status: str
    priority: str
    category_id: int | None
    category: Category | None
    description: str
    address: str
    lat: float | None
    lng: float | None
    assignee_org_id: int | None
    assignee_org: Org | None
    created_at: datetime
    updated_at: datetime
    resolved_at: datetime | None
    resolution_due: datetime | None
    expected_resolution: datetime | None
    result: str
    rejection_reason: str
    reporter_name: str
    reporter_phone: str
    merged_into_id: int | None
    area: Area
    first_photo_id: int | None
    status_label: str

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def reference(self) -> str:
        return reference_for(self.created_at, self.pk)

    def get_status_display(self) -> str:
        return self.status_label


def request_rows(cases: QuerySet[Case]) -> list[RequestRow]:
    """The cases (filtered and ordered by the caller) as rows, in two queries."""
    first_photo = CasePhoto.objects.filter(case=OuterRef("pk")).order_by("id").values("id")[:1]
    values = cases.annotate(first_photo_id=Subquery(first_photo)).values_list(*VALUES)
    categories = {c.pk: c for c in Category.objects.select_related("parent")}
    labels = {value: str(label) for value, label in _STATUS.flatchoices}  # translated once
    rows = []
    for v in values:
        d = dict(zip(VALUES, v, strict=True))
        rows.append(RequestRow(
            pk=d["pk"], status=d["status"], priority=d["priority"],
            category_id=d["category_id"], category=categories.get(d["category_id"]),
            description=d["description"], address=d["address"], lat=d["lat"], lng=d["lng"],
            assignee_org_id=d["assignee_org_id"],
            assignee_org=Org(d["assignee_org__name"]) if d["assignee_org_id"] else None,
            created_at=d["created_at"], updated_at=d["updated_at"],
            resolved_at=d["resolved_at"], resolution_due=d["resolution_due"],
            expected_resolution=d["expected_resolution"],
            result=d["result"], rejection_reason=d["rejection_reason"],
            reporter_name=d["reporter_name"], reporter_phone=d["reporter_phone"],
            merged_into_id=d["merged_into_id"],
            area=Area(d["area__code"], d["area__kind"], d["area__path"], d["area__name"],
                      Area("", d["area__parent__kind"], d["area__parent__path"],
                           d["area__parent__name"]) if d["area__parent__path"] else None),
            first_photo_id=d["first_photo_id"], status_label=labels.get(d["status"], d["status"])))
    return rows
