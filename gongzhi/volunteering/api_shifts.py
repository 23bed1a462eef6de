"""Duty shifts (值守排班) in the volunteering API, for volunteers: the open shifts of their
community, their own, signing up for one and giving a place up.

Every change is one of ``gongzhi.volunteering.actions.rosters``; refusals answer as in
``gongzhi.volunteering.api``: 403 (not your community), 409 (full, or done already),
422 (started, paused …). A shift or signup the caller cannot name answers 404.
"""

from datetime import datetime

from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Reply

from gongzhi.core.api import AUTH_ERRORS, ApiError
from gongzhi.volunteering import selectors
from gongzhi.volunteering.actions import rosters
from gongzhi.volunteering.api import ID, STEP_ERRORS, run_action
from gongzhi.volunteering.api_schemas import AreaRef, area_ref, tenths
from gongzhi.volunteering.models import Shift, ShiftSignup, SignupStatus, Volunteer
from gongzhi.volunteering.views_activities import open_shifts

router = Router()

MAX_ROWS = 50  # a working list, as on the phone page


class OpenShiftOut(Schema):
    id: int = Field(description="报名时填写 / the shift to sign up for")
    title: str = Field(description="值守岗位 / duty")
    area: AreaRef
    place: str
    starts_at: datetime
    ends_at: datetime
    hours: str = Field(description="记录时长（小时）/ hours credited")
    slots: int = Field(description="每班人数 / places")
    signed_count: int = Field(description="已报名人数 / places taken")


class OpenShiftList(Schema):
    items: list[OpenShiftOut]


class ShiftSignupOut(Schema):
    id: int = Field(description="报名 ID，取消时填写 / the signup, to cancel it")
    status: str = Field(description="signed 已报名 / cancelled 已取消")
    status_label: str
    shift: OpenShiftOut


class ShiftSignupList(Schema):
    items: list[ShiftSignupOut]


def _signed(shift: Shift) -> int:
    return shift.signups.filter(status=SignupStatus.SIGNED).count()


def shift_body(shift: Shift, signed: int | None = None) -> dict:
    template = shift.template
    return {"id": shift.pk, "title": template.title, "area": area_ref(template.area),
            "place": template.place, "starts_at": shift.starts_at, "ends_at": shift.ends_at,
            "hours": tenths(template.hours), "slots": shift.slots,
            "signed_count": _signed(shift) if signed is None else signed}


def signup_body(signup: ShiftSignup) -> dict:
    return {"id": signup.pk, "status": signup.status,
            "status_label": str(SignupStatus(signup.status).label),
            "shift": shift_body(signup.shift)}


def _fresh_signup(pk: int) -> ShiftSignup:
    return ShiftSignup.objects.select_related("shift__template__area").get(pk=pk)


@router.get("/shifts", response={200: OpenShiftList, **AUTH_ERRORS},
            summary="可报名的值守班次 / upcoming shifts of my community with places free")
def shift_list(request: HttpRequest):
    volunteer = Volunteer.objects.filter(user_id=request.auth.pk).first()
    if volunteer is None:
        return {"items": []}
    rows = open_shifts(volunteer).select_related("template__area")[:MAX_ROWS]
    return {"items": [shift_body(s, s.signed_count) for s in rows]}


@router.get("/shifts/mine", response={200: ShiftSignupList, **AUTH_ERRORS},
            summary="我报名的值守班次 / my upcoming shifts")
def my_shifts(request: HttpRequest):
    rows = (selectors.my_shift_signups(request.auth)
            .filter(shift__ends_at__gt=timezone.now())
            .select_related("shift__template__area")[:MAX_ROWS])
    return {"items": [signup_body(s) for s in rows]}


@router.post("/shifts/{id}/signup", response={201: ShiftSignupOut, **STEP_ERRORS},
             summary="值守报名 / take a place on a shift")
def shift_signup(request: HttpRequest, id: int = ID):
    """409 ``already_signed_up`` when the caller has a place, ``full`` when none is left."""
    user = request.auth
    shift = Shift.objects.filter(pk=id).select_related("template").first()
    if shift is None:
        raise ApiError(404, _("没有找到该班次"), "shift not found", "not_found")
    done: list[ShiftSignup] = []

    def conflict() -> tuple[str, str] | None:
        now_shift = Shift.objects.select_related("template").get(pk=id)
        if timezone.now() >= now_shift.starts_at or not now_shift.template.is_active:
            return None  # refused for the shift's state, not for the places
        if now_shift.signups.filter(volunteer__user=user, status=SignupStatus.SIGNED).exists():
            return "already_signed_up", "you have signed up for this shift already"
        if _signed(now_shift) >= now_shift.slots:
            return "full", "this shift has no places left"
        return None

    refused = run_action(
        lambda: done.append(rosters.sign_up_shift(shift=shift, acting_user=user)), conflict)
    return refused or Reply(201, signup_body(_fresh_signup(done[0].pk)))


@router.post("/shifts/signups/{id}/cancel", response={200: ShiftSignupOut, **STEP_ERRORS},
             summary="取消值守报名 / give my place on a shift up")
def shift_cancel(request: HttpRequest, id: int = ID):
    """409 ``already_cancelled`` when the place was given up before."""
    user = request.auth
    signup = ShiftSignup.objects.filter(pk=id, volunteer__user=user).first()
    if signup is None:
        raise ApiError(404, _("没有找到该班次"), "shift signup not found", "not_found")

    def conflict() -> tuple[str, str] | None:
        if _fresh_signup(id).status == SignupStatus.CANCELLED:
            return "already_cancelled", "this place was given up already"
        return None

    refused = run_action(
        lambda: rosters.cancel_shift_signup(signup=signup, acting_user=user), conflict)
    return refused or signup_body(_fresh_signup(id))
