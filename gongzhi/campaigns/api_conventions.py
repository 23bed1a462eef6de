"""API of the 居民公约, mounted under /api/campaigns/: the conventions near me (published)
or that I run, one convention with my household's signature, signing (for my household, or
a paper signature recorded by a building head / grid worker) and the staff's signing rate
per building.

A convention is seen by the residents of its area once published, and by the staff who run
it; anything else answers 404. Signing answers 403 (not a resident of the area, not your
household to record), 409 ``already_signed`` (the household signed before, also when two
arrive at once) or 422 (not published, a household outside the convention's area).
"""

from typing import Literal

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Body, Path, Query, Router
from ninja import Status as Reply

from gongzhi.areas.models import Household
from gongzhi.areas.selectors import resident_at_home
from gongzhi.campaigns import actions
from gongzhi.campaigns import selectors_conventions as sc
from gongzhi.campaigns.actions._common import is_organiser, lives_in
from gongzhi.campaigns.api_schemas_conventions import (
    ConventionOut,
    ConventionPage,
    RatesOut,
    SignatureOut,
    SignIn,
    rate_body,
    signature_body,
    summary,
)
from gongzhi.campaigns.models import Convention, ConventionSignature, ConventionStage
from gongzhi.core.api import AUTH_ERRORS, ERRORS, ApiError, ErrorOut, run_action, validation_body

router = Router()

ID = Path(..., ge=1, le=2**63 - 1, description="ID")
LIMIT = Query(20, ge=1, le=100, description="每页条数 / page size (1–100)")
OFFSET = Query(0, ge=0, le=10**6, description="跳过条数 / rows to skip")
NO_BODY = Body(None)
SIGN_ERRORS = {**ERRORS, 403: ErrorOut, 409: ErrorOut}


def _convention(user, pk: int) -> Convention:
    convention = sc.visible_convention(user, pk)
    if convention is None:
        raise ApiError(404, _("未找到该公约"), "convention not found", "not_found")
    return convention


def _home(user) -> Household | None:
    resident = resident_at_home(user)
    return resident.household if resident is not None else None


def convention_out(user, convention: Convention) -> dict:
    organising = is_organiser(user, convention.area_path)
    home = _home(user) if lives_in(user, convention.area_path) else None
    signature = sc.signature_of(convention, home)
    return {
        **summary(convention, organising),
        "articles": sc.articles(convention.text), "consultation": convention.consultation_id,
        "counts": sc.consultation_counts(convention) if organising else None,
        "my_household": str(home) if home is not None else None,
        "my_signature": signature_body(signature) if signature else None,
        "may_sign": (home is not None and signature is None
                     and convention.stage == ConventionStage.PUBLISHED),
    }


@router.get("/conventions", response={200: ConventionPage, **AUTH_ERRORS, 422: ErrorOut},
            summary="我所在区域已公布的和我组织的居民公约 / conventions near me and those I run")
def convention_list(request: HttpRequest,
                    stage: Literal["draft", "consulting", "published"] | None = Query(
                        None, description="阶段 / stage"),
                    limit: int = LIMIT, offset: int = OFFSET):
    """Residents see the published conventions of their compound and community, building
    heads and grid workers those over their buildings; staff also the drafts and those in
    consultation of the areas they run."""
    user = request.auth
    rows = (sc.conventions_near(user) | sc.managed_conventions(user)
            | sc.field_conventions(user)).select_related("area")
    if stage:
        rows = rows.filter(stage=stage)
    rows = rows.distinct().order_by("-created_at", "-id")
    page = rows[offset:offset + limit]
    return {"items": [summary(c, is_organiser(user, c.area_path)) for c in page],
            "count": rows.count(), "limit": limit, "offset": offset}


@router.get("/conventions/{id}", response={200: ConventionOut, **ERRORS},
            summary="公约详情和我家的签署情况 / a convention and my household's signature")
def convention_detail(request: HttpRequest, id: int = ID):
    """``counts`` (the consultation's answers) only for the staff who run it."""
    return convention_out(request.auth, _convention(request.auth, id))


@router.post("/conventions/{id}/sign", response={201: SignatureOut, **SIGN_ERRORS},
             summary="签署公约（为我家，或登记纸质签署）/ sign for my household, or record a "
                     "paper signature")
def sign(request: HttpRequest, id: int = ID, body: SignIn | None = NO_BODY):
    """201 with the signature. Without ``household`` I sign for my own household; a building
    head or grid worker gives the household whose paper signature they record. 409
    ``already_signed`` when the household has signed; 422 when the convention is not
    published or the household is outside its area; 403 when it is not mine to sign."""
    user = request.auth
    convention = _convention(user, id)
    household = None
    if body is not None and body.household is not None:
        household = Household.objects.filter(pk=body.household).first()
        if household is None:
            return Reply(422, validation_body(ValidationError(
                {"household": _("未找到该住户")})))
    target = household or _home(user)

    def conflict() -> tuple[str, str] | None:
        if target is not None and ConventionSignature.objects.filter(
                convention=convention, household=target).exists():
            return "already_signed", "this household has signed the convention already"
        return None

    done: list[ConventionSignature] = []
    refused = run_action(lambda: done.append(actions.sign_convention(
        convention=convention, household=household, acting_user=user)), conflict)
    if refused:
        return refused
    signature = ConventionSignature.objects.select_related(
        "household__building", "signed_by__resident").get(pk=done[0].pk)
    return Reply(201, signature_body(signature))


@router.get("/conventions/{id}/rates", response={200: RatesOut, **ERRORS, 403: ErrorOut},
            summary="各楼栋签署率（工作人员）/ the signing rate per building (staff)")
def rates(request: HttpRequest, id: int = ID,
          sort: Literal["building", "rate"] = Query("building", description=(
              "building 按楼栋 / rate 按签署率从低到高 / lowest rate first"))):
    """Every building of the convention's area with households on record, lowest rate
    first when ``sort=rate``. 403 for residents who may read the convention."""
    user = request.auth
    convention = _convention(user, id)
    if not is_organiser(user, convention.area_path):
        raise ApiError(403, _("只有组织者可以查看签署率"), "only the organisers see the rates",
                       "forbidden")
    result = sc.building_rates(convention, by_rate=sort == "rate")
    return {"convention": convention.pk,
            "buildings": [rate_body(r, r.building, r.building.parent.name
                                    if r.building.parent else "") for r in result.rows],
            "total": rate_body(result.total, convention.area)}

