"""Login by phone or username, generic errors, lockout after repeated failures."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from gongzhi.accounts.models import User
from gongzhi.core.models import AuditEvent

PASSWORD = "pass-1234-word"
GENERIC = "手机号/用户名或密码不正确"
LOCKED = "账号已锁定"


def login(client, username, password=PASSWORD, **extra):
    return client.post(reverse("accounts:login"), {"username": username, "password": password,
                                                   **extra})


def logged_in_user_id(client):
    return client.session.get("_auth_user_id")


@pytest.mark.django_db
def test_login_by_phone(client, street):
    response = login(client, "13000000001")
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")
    assert logged_in_user_id(client) == str(street.staff_a.pk)


@pytest.mark.django_db
def test_login_by_username(client, street):
    response = login(client, "worker_a1")
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(street.worker_a1.pk)


@pytest.mark.django_db
def test_wrong_password_counts_and_shows_generic_error_next_to_password(client, street):
    response = login(client, "staff_a", "wrong-password")
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    form = response.context["form"]
    assert GENERIC in " ".join(form.errors["password"])
    assert "username" not in form.errors
    street.staff_a.refresh_from_db()
    assert street.staff_a.failed_logins == 1
    assert AuditEvent.objects.filter(action="accounts.login_failed",
                                     object_id=str(street.staff_a.pk)).count() == 1


@pytest.mark.django_db
def test_unknown_login_gets_the_same_generic_error(client, street):
    wrong = login(client, "staff_a", "wrong-password").context["form"].errors
    for _ in range(6):  # more than the limit: an unknown login never reads as "locked"
        unknown = login(client, "nobody-here", "wrong-password")
    assert unknown.status_code == 200
    assert unknown.context["form"].errors == wrong
    assert LOCKED not in unknown.content.decode()


@pytest.mark.django_db
def test_five_failures_lock_the_account(client, street, settings):
    assert settings.GONGZHI_LOGIN_MAX_FAILURES == 5
    for attempt in range(4):
        response = login(client, "13000000001", "wrong-password")
        assert LOCKED not in response.content.decode(), attempt
    response = login(client, "13000000001", "wrong-password")
    assert LOCKED in " ".join(response.context["form"].errors["username"])

    user = User.objects.get(pk=street.staff_a.pk)
    assert user.locked_until is not None and user.locked_until > timezone.now()
    lock_events = AuditEvent.objects.filter(action="accounts.lock", object_id=str(user.pk))
    assert lock_events.count() == 1

    # The right password is refused while locked, with the lock and its length said clearly.
    response = login(client, "staff_a", PASSWORD)
    assert response.status_code == 200
    assert logged_in_user_id(client) is None
    errors = " ".join(response.context["form"].errors["username"])
    assert LOCKED in errors
    assert f"{settings.GONGZHI_LOGIN_LOCK_MINUTES} 分钟" in errors
    assert "password" not in response.context["form"].errors


@pytest.mark.django_db
def test_lock_message_counts_down(client, street):
    User.objects.filter(pk=street.staff_a.pk).update(
        locked_until=timezone.now() + timedelta(minutes=3, seconds=10)
    )
    response = login(client, "staff_a")
    assert "请 4 分钟后再试" in " ".join(response.context["form"].errors["username"])


@pytest.mark.django_db
def test_lock_expires_after_the_period(client, street):
    for _ in range(5):
        login(client, "staff_a", "wrong-password")
    user = User.objects.get(pk=street.staff_a.pk)
    assert user.locked_until is not None
    User.objects.filter(pk=user.pk).update(locked_until=timezone.now() - timedelta(seconds=1))

    response = login(client, "staff_a")
    assert response.status_code == 302
    assert logged_in_user_id(client) == str(user.pk)


@pytest.mark.django_db
def test_successful_login_clears_the_failure_count(client, street):
    login(client, "staff_a", "wrong-password")
    login(client, "staff_a", "wrong-password")
    assert login(client, "staff_a").status_code == 302
    street.staff_a.refresh_from_db()
    assert street.staff_a.failed_logins == 0


@pytest.mark.django_db
def test_empty_fields_get_errors_next_to_each_field(client, street):
    response = login(client, "", "")
    errors = response.context["form"].errors
    assert set(errors) == {"username", "password"}
    assert logged_in_user_id(client) is None


@pytest.mark.django_db
def test_next_is_honoured_when_it_stays_on_the_site(client, street):
    response = login(client, "staff_a", next="/inbox/?page=2")
    assert response["Location"] == "/inbox/?page=2"


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target", ["https://evil.example/", "//evil.example/x", "javascript:alert(1)"]
)
def test_next_to_another_site_is_ignored(client, street, target):
    response = login(client, "staff_a", next=target)
    assert response.status_code == 302
    assert response["Location"] == reverse("core:home")


@pytest.mark.django_db
def test_login_page_carries_next_from_the_query(client, street):
    response = client.get(reverse("accounts:login") + "?next=/audit/")
    assert response.status_code == 200
    assert 'name="next" value="/audit/"' in response.content.decode()
