"""Campaigns' section of the resident home page and its one entry in the residents' menu:
文明创建, which leads to the hub of the parts a resident takes part in (最美评选, 居民公约,
网格合伙人, their household's 文明户 stars)."""

from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest
from django.urls import reverse

from gongzhi.accounts.models import User
from gongzhi.areas.selectors import resident_at_home
from gongzhi.campaigns.models import (
    AssessmentStatus,
    ConventionSignature,
    Stage,
    StarAssessment,
)
from gongzhi.campaigns.selectors import selections_near
from gongzhi.campaigns.selectors_conventions import conventions_near
from gongzhi.campaigns.selectors_partners import partner_entry_posts


def something_near(user) -> bool:
    """A selection, a published convention, a partner post open near home or applied to,
    or confirmed stars of my household (one query)."""
    resident = resident_at_home(user)
    household = resident.household_id if resident is not None else None
    checks = {
        "selections": Exists(selections_near(user).values("pk")),
        "conventions": Exists(conventions_near(user).values("pk")),
        "posts": Exists(partner_entry_posts(user).values("pk")),
        "stars": Exists(StarAssessment.objects.filter(household_id=household,
                                                      status=AssessmentStatus.CONFIRMED)),
    }
    found = (User.objects.filter(pk=user.pk).annotate(**checks)
             .values_list(*checks).first())
    return any(found or ())


def nav_url(request: HttpRequest) -> str | None:
    """文明创建 in the residents' menu, for those with something of it near them."""
    if not getattr(request.user, "is_authenticated", False):
        return None
    return reverse("campaigns:home") if something_near(request.user) else None


def unsigned_conventions(user, household_id: int | None):
    """Published conventions near me that my household has not signed yet."""
    signed = ConventionSignature.objects.filter(convention=OuterRef("pk"),
                                                household_id=household_id)
    return conventions_near(user).exclude(Exists(signed))


def resident_panel(request: HttpRequest) -> dict[str, Any] | None:
    """Selections open now near my home: where I may nominate or vote."""
    resident_at_home(request.user)
    open_now = list(selections_near(request.user)
                    .filter(stage__in=[Stage.NOMINATING, Stage.VOTING])[:5])
    if not open_now:
        return None
    return {"selections": open_now}
