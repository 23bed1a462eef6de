"""Login by phone number or username, with lockout after repeated failures."""

from django.contrib.auth.backends import ModelBackend
from django.db.models import Q
from django.utils import timezone

from gongzhi.accounts.models import User


def find_login_user(login: str) -> User | None:
    login = (login or "").strip()
    if not login:
        return None
    return User.objects.filter(Q(username=login) | Q(phone=login)).first()


def is_locked(user: User) -> bool:
    return bool(user.locked_until and user.locked_until > timezone.now())


class PhoneOrUsernameBackend(ModelBackend):
    def authenticate(self, request, username=None, password=None, **kwargs):
        from gongzhi.accounts import actions

        user = find_login_user(username)
        if user is None:
            User().set_password(password or "")  # same work as a real check: no timing leak
            return None
        if is_locked(user):
            return None
        if user.check_password(password or "") and self.user_can_authenticate(user):
            if user.failed_logins:
                actions.clear_login_failures(user=user)
            return user
        actions.record_login_failure(user=user)
        return None
