"""The login form: phone number or username, with a clear message for locked accounts."""

import math

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import AuthenticationForm, UsernameField
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from gongzhi.accounts.backends import find_login_user, is_locked


class LoginForm(AuthenticationForm):
    username = UsernameField(
        label=_("手机号或用户名"),
        max_length=150,
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    password = forms.CharField(
        label=_("密码"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    error_messages = {
        # The same words for an unknown login and a wrong password: no hint that one exists.
        "invalid_login": _("手机号/用户名或密码不正确，请重新输入。"),
        "inactive": _("手机号/用户名或密码不正确，请重新输入。"),
    }

    def clean(self):
        login = self.cleaned_data.get("username")
        password = self.cleaned_data.get("password")
        if login is None or not password:
            return self.cleaned_data
        self.user_cache = authenticate(self.request, username=login, password=password)
        if self.user_cache is not None:
            self.confirm_login_allowed(self.user_cache)
            return self.cleaned_data
        # Only a real, locked account gets the lock message (it may have just been locked).
        user = find_login_user(login)
        if user is not None and is_locked(user):
            self.add_error("username", self.locked_message(user.locked_until))
        else:
            self.add_error("password", self.error_messages["invalid_login"])
        return self.cleaned_data

    def confirm_login_allowed(self, user) -> None:
        if not user.is_active:
            raise forms.ValidationError(self.error_messages["inactive"], code="inactive")

    @staticmethod
    def locked_message(locked_until) -> str:
        minutes = max(1, math.ceil((locked_until - timezone.now()).total_seconds() / 60))
        return ngettext(
            "连续登录失败次数过多，账号已锁定，请 %(minutes)d 分钟后再试。",
            "连续登录失败次数过多，账号已锁定，请 %(minutes)d 分钟后再试。",
            minutes,
        ) % {"minutes": minutes}
