"""JSON API of the caller's own account: who am I and where do my roles reach."""

from django.db.models import Prefetch
from django.http import HttpRequest
from ninja import Router, Schema

from gongzhi.accounts.models import Membership
from gongzhi.areas.api import AreaRef
from gongzhi.areas.models import AreaNode
from gongzhi.core.api import AUTH_ERRORS
from gongzhi.core.permissions import Role

router = Router()


class OrganisationRef(Schema):
    code: str
    name: str
    kind: str


class RoleOut(Schema):
    role: str
    role_label: str
    area: AreaRef
    organisation: OrganisationRef | None = None


class MeOut(Schema):
    username: str
    name: str
    is_superuser: bool
    roles: list[RoleOut]


def _area(node) -> dict:
    return {"code": node.code, "name": node.name, "kind": node.kind}


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="当前用户 / the caller")
def me(request: HttpRequest):
    user = request.auth
    roles = [
        {"role": g.role, "role_label": str(g.get_role_display()), "area": _area(g.area)}
        for g in user.role_grants.select_related("area").order_by("area__path", "role")
    ]
    # Membership of an organisation acts as the org_member role on each area it serves.
    memberships = (
        Membership.objects.filter(user=user, organisation__is_active=True)
        .select_related("organisation")
        .prefetch_related(Prefetch("organisation__areas", AreaNode.objects.order_by("path")))
    )
    for membership in memberships:
        org = membership.organisation
        ref = {"code": org.code, "name": org.name, "kind": org.kind}
        roles += [
            {"role": Role.ORG_MEMBER.value, "role_label": str(Role.ORG_MEMBER.label),
             "area": _area(area), "organisation": ref}
            for area in org.areas.all()
        ]
    return {"username": user.get_username(), "name": user.display_name,
            "is_superuser": user.is_superuser, "roles": roles}
