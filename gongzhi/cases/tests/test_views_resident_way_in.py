"""A resident's way in (issue 16, point 3): /cases/ takes a resident to their own cases
instead of refusing them, and the residents' menu leads to reporting and to "my cases"
from the case pages."""

import re

from django.urls import reverse

from gongzhi.accounts.actions import grant_role
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role

LEDGER = reverse("cases:ledger")
MINE = reverse("cases_resident:mine")
NAV = re.compile(r'<nav class="resident-nav"[^>]*>(.*?)</nav>', re.S)


def menu(response) -> dict[str, str]:
    """Label → URL of the residents' menu on the page."""
    found = NAV.findall(response.content.decode())
    assert len(found) == 1, "no residents' menu on the page"
    return {label.strip(): url for url, label in re.findall(r'<a href="([^"]+)"[^>]*>([^<]+)',
                                                           found[0])}


def test_the_ledger_takes_a_resident_to_their_own_cases(client, ledger):
    case = ledger.new_case("in_progress", title="楼道灯坏了")
    client.force_login(ledger.resident)
    for url in (LEDGER, LEDGER + "?status=open&order=due"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"] == MINE
    response = client.get(LEDGER, follow=True)
    assert response.redirect_chain == [(MINE, 302)]
    assert response.status_code == 200 and "楼道灯坏了" in response.content.decode()
    assert reverse("cases_resident:case", kwargs={"pk": case.pk}) in response.content.decode()


def test_anonymous_visitors_still_log_in_first(client, ledger):
    response = client.get(LEDGER)
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('accounts:login')}?next={LEDGER}"


def test_others_without_the_ledger_still_get_403(client, ledger):
    client.force_login(make_user("nobody"))
    assert client.get(LEDGER).status_code == 403
    # A resident's role without a resident record: no cases of their own to go to.
    stranger = make_user("stranger")
    grant_role(user=stranger, role=Role.RESIDENT, area=ledger.b1, acting_user=None)
    client.force_login(stranger)
    assert client.get(LEDGER).status_code == 403


def test_a_resident_who_works_on_cases_gets_the_ledger(client, ledger):
    grant_role(user=ledger.resident, role=Role.GRID_WORKER, area=ledger.grid_a1,
               acting_user=None)
    client.force_login(ledger.resident)
    response = client.get(LEDGER)
    assert response.status_code == 200 and 'class="console-nav"' in response.content.decode()


def test_staff_pages_of_the_ledger_still_refuse_residents(client, ledger):
    client.force_login(ledger.resident)
    for url in (reverse("cases:new"), reverse("cases:export")):
        assert client.get(url).status_code == 403, url


def test_case_pages_carry_the_residents_menu(client, ledger):
    case = ledger.new_case("resolved", title="门口路面坑洼")
    report = reverse("cases_resident:report", kwargs={"building_code": ledger.b1.code})
    client.force_login(ledger.resident)
    for url in (MINE, reverse("cases_resident:case", kwargs={"pk": case.pk}), report,
                reverse("cases_resident:track", kwargs={"access_token": case.access_token})):
        response = client.get(url)
        assert response.status_code == 200, url
        entries = menu(response)
        assert entries["我要报事"] == report, url
        assert entries["我的诉求"] == MINE, url
        assert entries["议事表决"] == reverse("deliberation:home"), url
        assert entries["志愿服务"] == reverse("volunteering:home"), url
        assert entries["通知"] == reverse("core:inbox"), url


def test_report_entry_follows_the_residents_own_building(client, ledger):
    """A resident of building 3 (德鑫社区) reports at building 3, not at somebody else's."""
    liu = make_user("liu", resident=ledger.r4)
    client.force_login(liu)
    report = menu(client.get(MINE))["我要报事"]
    assert report == reverse("cases_resident:report", kwargs={"building_code": ledger.b3.code})
    page = client.get(report)
    assert page.status_code == 200 and "德鑫小区" in page.content.decode()
