"""Every page of every demo case answers, for each kind of person who opens it.

The demo holds cases in every state, from every channel, with and without accounts behind
them: rendering all of them is how template slips (a lookup through a missing reporter)
are caught before a community worker meets them.
"""

from io import StringIO

import pytest
from django.core.management import call_command

from gongzhi.accounts.models import User
from gongzhi.cases.models import Case
from gongzhi.cases.selectors import cases_visible_to


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("setup_demo", verbosity=0, stdout=StringIO())
        yield
        call_command("flush", interactive=False, verbosity=0)


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff_hlj", "street", "dept_cg", "property_rail",
                                      "grid_hlj_1_1"])
def test_every_case_page_opens_for_whoever_may_see_it(demo, client, username):
    user = User.objects.get(username=username)
    client.force_login(user)
    visible = list(cases_visible_to(user).values_list("pk", flat=True))
    assert visible, username
    for pk in visible:
        response = client.get(f"/cases/{pk}/")
        assert response.status_code == 200, (username, pk)


@pytest.mark.django_db
def test_every_reporters_tracking_page_opens(demo, client):
    for pk, token in Case.objects.values_list("pk", "access_token"):
        response = client.get(f"/cases/t/{token}/")
        assert response.status_code == 200, pk


@pytest.mark.django_db
@pytest.mark.parametrize("username", ["staff_hlj", "street", "resident", "dept_cg"])
def test_home_ledger_wall_and_kpis_open(demo, client, username):
    client.force_login(User.objects.get(username=username))
    assert client.get("/").status_code == 200
    if username == "resident":
        assert client.get("/cases/mine/").status_code == 200
        return
    for url in ["/cases/", "/cases/?status=open&order=due", "/cases/export.xlsx"]:
        assert client.get(url).status_code == 200, url
    if username != "dept_cg":
        for url in ["/cases/wall/", "/cases/kpi/"]:
            assert client.get(url, follow=True).status_code == 200, url
