"""Categories and cases as Open311 services and service requests (plain values for formats).

Requests are public: the reporter's name, phone and account are never part of them, and
phone or ID numbers typed into free text are masked.
"""

import re
from collections.abc import Callable
from datetime import datetime
from functools import lru_cache

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from gongzhi.areas.models import AreaKind
from gongzhi.cases.actions import limits, resolution_workdays
from gongzhi.cases.models import Case, Category, Priority, Status
from gongzhi.core.masking import mask_id_number, mask_name, mask_phone
from gongzhi.open311.rows import RequestRow

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CaseLike = Case | RequestRow  # a case, or one read as values for a list
_ID_NUMBER = re.compile(r"(?<![0-9Xx])\d{17}[0-9Xx](?![0-9Xx])")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def w3(moment: datetime | None) -> str | None:
    """The w3 datetime the spec requires, with its offset (times show in Asia/Shanghai)."""
    if moment is None:
        return None
    return moment.astimezone(timezone.get_default_timezone()).isoformat(timespec="seconds")


def public_text(text: str, case: CaseLike | None = None) -> str:
    """``text`` with ID and mobile numbers masked, and the reporter's own name and phone."""
    if not text:
        return ""
    if case is not None:
        if case.reporter_phone and len(case.reporter_phone.strip()) >= 5:
            text = text.replace(case.reporter_phone.strip(), mask_phone(case.reporter_phone))
        if case.reporter_name and len(case.reporter_name.strip()) >= 2:
            text = text.replace(case.reporter_name.strip(), mask_name(case.reporter_name))
    text = _ID_NUMBER.sub(lambda m: mask_id_number(m.group()), text)
    return _MOBILE.sub(lambda m: mask_phone(m.group()), text)


def _limits(category: Category, priority: str = Priority.NORMAL) -> dict[str, int]:
    # The ledger's own limits, the ones its deadlines (and expected_datetime) count.
    hours, days = limits(category, priority)
    return {"hours": hours, "days": days}


def service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": category.name,
        "description": _("%(hours)d 小时内响应，%(days)d 个工作日内办结") % _limits(category),
        "metadata": False,
        "type": "realtime",
        "keywords": ", ".join(category.keywords.split()),
        "group": category.parent.name if category.parent_id else "",
    }


def service_definition(category: Category) -> dict:
    # No extra attributes: every category files with the standard fields alone.
    return {"service_code": category.code, "attributes": []}


@lru_cache(maxsize=8)
def _notices(language: str | None) -> tuple[str, str]:
    """The two notice texts, translated once per language (a list has a thousand)."""
    return (_("受理编号 %(ref)s；%(hours)d 小时内响应，%(days)d 个工作日内办结。"),
            _("受理编号 %(ref)s；社区将尽快受理并分类，预计 %(days)d 个工作日内办结。"))


def service_notice(case: CaseLike) -> str:
    """What happens next; its working days are those ``expected_datetime`` counts."""
    if not case.is_open:
        return ""
    classified, unclassified = _notices(get_language())
    values = {"ref": case.reference}
    if case.category_id:
        return classified % (values | _limits(case.category, case.priority))
    return unclassified % (values | {"days": resolution_workdays(None, case.priority)})


def expected_datetime(case: CaseLike) -> datetime | None:
    """The resolution deadline once the case is accepted; before, the time promised when it
    was reported (the same limit counted from the report), while it is still open: a report
    rejected or merged before acceptance expects nothing (and has no service notice)."""
    if case.resolution_due is not None:
        return case.resolution_due
    return case.expected_resolution if case.is_open else None


def status_notes(case: CaseLike) -> str:
    if case.status == Status.REJECTED and case.rejection_reason:
        return _("不予受理：%(reason)s") % {"reason": public_text(case.rejection_reason, case)}
    if case.status == Status.MERGED and case.merged_into_id:
        return _("已合并到诉求件 %(id)s") % {"id": case.merged_into_id}
    if case.status in (Status.RESOLVED, Status.ARCHIVED) and case.result:
        return public_text(case.result, case)
    return str(case.get_status_display())


def photo_url(photo_id: int) -> str:
    """The case app's photo page: it shows the photo only to those who may see the case
    (photos may show faces and doors), never the raw file under MEDIA_URL."""
    return reverse("cases_resident:photo", kwargs={"photo_id": photo_id})


def service_request(case: CaseLike, *, address: str, absolute: Callable[[str], str],
                    photo_id: int | None = None) -> dict:
    """One case as the spec's ``request``; ``address`` is the place when none was typed."""
    closed = not case.is_open
    return {
        "service_request_id": str(case.pk),
        "status": "closed" if closed else "open",
        "status_notes": status_notes(case),
        "service_name": case.category.name if case.category_id else None,
        "service_code": case.category.code if case.category_id else None,
        "description": public_text(case.description, case),
        "agency_responsible": case.assignee_org.name if case.assignee_org_id else None,
        "service_notice": service_notice(case) or None,
        "requested_datetime": w3(case.created_at),
        # For a closed request the spec wants the moment it was closed.
        "updated_datetime": w3((case.resolved_at if closed else None) or case.updated_at),
        "expected_datetime": w3(expected_datetime(case)),
        "address": public_text(case.address, case) or address,
        "address_id": case.area.code if case.area.kind == AreaKind.BUILDING else None,
        "zipcode": None,
        "lat": case.lat,
        "long": case.lng,
        "media_url": absolute(photo_url(photo_id)) if photo_id else None,
    }


def created(case: Case) -> dict:
    """The POST answer: the id at once (type realtime), what happens next, no account."""
    return {
        "service_request_id": str(case.pk),
        "service_notice": service_notice(case),
        "account_id": None,
    }


def discovery(*, url: str, changeset: str, contact: str, key_service: str) -> dict:
    return {
        "changeset": changeset,
        "contact": contact,
        "key_service": key_service,
        "endpoints": [{
            "specification": SPECIFICATION,
            "url": url,
            "changeset": changeset,
            "type": "production",
            "formats": ["text/xml", "application/json"],
        }],
    }
