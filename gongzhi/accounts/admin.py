"""Admin for users, role grants, organisations and API tokens.

Role grants, organisations, memberships, unlocking and token revocation go through the
actions. Grants and organisations have no edit action, so existing ones are read-only;
an API token never shows its hash.
"""

from django.contrib import admin, messages
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongzhi.accounts.actions import (
    add_member,
    create_organisation,
    grant_role,
    revoke_api_token,
    revoke_role,
    unlock_user,
)
from gongzhi.accounts.models import ApiToken, Membership, Organisation, RoleGrant, User
from gongzhi.core.admin import GongzhiAdmin, ReadOnlyAdmin
from gongzhi.core.permissions import Perm, is_administrator, scope_q

PROFILE_FIELDS = ("phone", "full_name", "resident", "failed_logins", "locked_until")
SUPERUSER_ONLY_FIELDS = ["is_superuser"]


# Access comes from role grants on the area tree, not from Django's groups.
admin.site.unregister(Group)


def _mark_saved(obj, saved) -> None:
    obj.pk, obj._state.adding = saved.pk, False


@admin.register(User)
class UserAdmin(GongzhiAdmin, DjangoUserAdmin):
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("共治"), {"fields": PROFILE_FIELDS}),
        (_("后台权限"), {"fields": ("is_active", "is_staff", "is_superuser")}),
        (_("时间"), {"fields": ("last_login", "date_joined")}),
    )
    filter_horizontal = ()
    add_fieldsets = (
        (None, {"classes": ("wide",),
                "fields": ("username", "phone", "full_name", "password1", "password2")}),
    )
    list_display = ["username", "full_name", "phone", "is_staff", "is_active", "failed_logins",
                    "locked_until"]
    list_filter = ["is_staff", "is_superuser", "is_active"]
    search_fields = ["username", "full_name", "phone"]
    autocomplete_fields = ["resident"]
    actions = ["unlock"]

    def get_readonly_fields(self, request, obj=None):
        # Counters change only by logging in or through the unlock action.
        fields = ["failed_logins", "locked_until", "last_login", "date_joined"]
        if not request.user.is_superuser:
            fields += SUPERUSER_ONLY_FIELDS  # no one raises themselves to superuser here
        return fields

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return super().has_change_permission(request, obj)

    @admin.action(description=_("解除登录锁定"))
    def unlock(self, request, queryset):
        done = 0
        stuck = Q(locked_until__isnull=False) | Q(failed_logins__gt=0)
        for user in queryset.filter(stuck):
            try:
                unlock_user(user=user, acting_user=request.user)
            except PermissionDenied:
                self.message_user(request, _("无权解锁用户 %(user)s") % {"user": user},
                                  messages.ERROR)
            else:
                done += 1
        text = ngettext("已解锁 %(count)d 个用户。", "已解锁 %(count)d 个用户。", done)
        self.message_user(request, text % {"count": done}, messages.SUCCESS)


@admin.register(RoleGrant)
class RoleGrantAdmin(GongzhiAdmin):
    fields = ["user", "role", "area"]
    list_display = ["user", "role", "area", "granted_at"]
    list_filter = ["role"]
    search_fields = ["user__username", "user__full_name", "area__code", "area__name"]
    list_select_related = ["user", "area"]
    autocomplete_fields = ["user", "area"]

    def has_change_permission(self, request, obj=None):
        return False  # a grant is added or revoked, never edited

    def get_queryset(self, request):
        return super().get_queryset(request).filter(
            scope_q(request.user, Perm.MANAGE_ROLES, "area__path")
        )

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        grant = grant_role(user=data["user"], role=data["role"], area=data["area"],
                           acting_user=request.user)
        _mark_saved(obj, grant)

    def delete_model(self, request, obj):
        revoke_role(grant=obj, acting_user=request.user)

    def delete_queryset(self, request, queryset):
        for grant in queryset.select_related("area"):
            revoke_role(grant=grant, acting_user=request.user)


class MembershipInline(admin.TabularInline):
    """Members are added through ``add_member``; existing rows are shown, not edited."""

    model = Membership
    fields = ["user", "title", "is_leader"]
    autocomplete_fields = ["user"]
    extra = 1
    can_delete = False

    def has_view_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_add_permission(self, request, obj=None):
        return is_administrator(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Organisation)
class OrganisationAdmin(GongzhiAdmin):
    fields = ["kind", "code", "name", "phone", "areas", "is_active"]
    list_display = ["name", "kind", "code", "phone", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "code"]
    autocomplete_fields = ["areas"]
    inlines = [MembershipInline]

    def get_readonly_fields(self, request, obj=None):
        # No action edits an organisation yet; new members can still be added below.
        return self.fields if obj is not None else ["is_active"]

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        if change:
            return
        data = form.cleaned_data
        org = create_organisation(
            kind=data["kind"], code=data["code"], name=data["name"], phone=data["phone"],
            areas=list(data["areas"]), acting_user=request.user,
        )
        _mark_saved(obj, org)

    def save_related(self, request, form, formsets, change):
        # The action already set the areas; members go through add_member one by one.
        for formset in formsets:
            for member in formset.save(commit=False):
                add_member(organisation=form.instance, user=member.user, title=member.title,
                           is_leader=member.is_leader, acting_user=request.user)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    fields = ["user", "name", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_display = ["name", "user", "prefix", "created_at", "last_used_at", "revoked_at"]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user"]
    actions = ["revoke"]

    @admin.action(description=_("吊销所选令牌"))
    def revoke(self, request, queryset):
        done = 0
        for token in queryset.filter(revoked_at__isnull=True).select_related("user"):
            try:
                revoke_api_token(token=token, acting_user=request.user)
            except PermissionDenied:
                self.message_user(request, _("无权吊销令牌 %(token)s") % {"token": token},
                                  messages.ERROR)
            else:
                done += 1
        text = ngettext("已吊销 %(count)d 个令牌。", "已吊销 %(count)d 个令牌。", done)
        self.message_user(request, text % {"count": done}, messages.SUCCESS)
