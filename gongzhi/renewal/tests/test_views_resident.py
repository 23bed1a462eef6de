"""Residents' renewal pages, reading: my compound's projects on the home page and the panel,
one project with its items, money, dates, vote, notices and where to report a problem,
photos served only to those who may see the project, and 404 for everyone else."""

import io
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from gongzhi.accounts.actions import grant_role
from gongzhi.areas.actions import add_resident
from gongzhi.areas.models import AreaNode
from gongzhi.conftest import make_user
from gongzhi.core.permissions import Role
from gongzhi.renewal import actions as ra
from gongzhi.renewal.models import Photo, SourceKind
from gongzhi.renewal.panels import resident_panel
from gongzhi.renewal.tests.conftest import finish_all

pytestmark = pytest.mark.django_db


# --- shared with the other resident and API tests ---------------------------------------------


@pytest.fixture(autouse=True)
def _uploads(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "uploads"


def png_bytes(colour: str = "blue") -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (20, 20), colour).save(buf, "PNG")
    return buf.getvalue()


def upload(colour: str = "blue") -> SimpleUploadedFile:
    return SimpleUploadedFile(f"{colour}.png", png_bytes(colour), content_type="image/png")


def outsider(n):
    """A resident of 德鑫小区 in community B (household h4): no business with 铁路小区."""
    user = make_user("outsider", resident=n.r4)
    grant_role(user=user, role=Role.RESIDENT, area=n.b3, acting_user=None)
    return user


def housemate(n):
    """The second member of the ``resident`` login's household (h2), with an account."""
    resident = add_resident(household=n.h2, name="李小红", acting_user=None)
    user = make_user("housemate", full_name="李小红", resident=resident)
    grant_role(user=user, role=Role.RESIDENT, area=n.b1, acting_user=None)
    return user


def open_survey(n):
    survey = ra.create_survey(project=n.project, title="铁路小区改造需求调查",
                              closes_at=timezone.now() + timedelta(days=10),
                              options=[("basic", "雨污分流"), ("improvement", "增设停车位"),
                                       ("enhancement", "加装电梯")],
                              acting_user=n.staff_a)
    return ra.open_survey(survey=survey, acting_user=n.staff_a)


def progress_photo(n):
    """Works under way on 雨污分流, with a progress note and a photo."""
    item = n.items[0]
    ra.start_item(item=item, acting_user=n.staff_a)
    log = ra.log_progress(item=item, note="3栋管道已开挖", progress=40,
                          photos=[png_bytes()], acting_user=n.staff_a)
    return log.photos.get()


def page(client, user, url):
    """The response and its text (empty for a file, whose stream is read)."""
    client.force_login(user)
    response = client.get(url)
    if response.streaming:
        # Read, not closed: response.close() would also end the request and with it the
        # test's database connection (on PostgreSQL), as the cases' photo tests know.
        response.body = b"".join(response.streaming_content)
        return response, ""
    return response, response.content.decode()


def project_url(n) -> str:
    return reverse("renewal:project", args=[n.project.pk])


# --- home and panel ---------------------------------------------------------------------------


def test_home_lists_my_compounds_project_and_my_role(client, renewal):
    response, html = page(client, renewal.resident, reverse("renewal:home"))
    assert response.status_code == 200
    assert "铁路小区老旧小区改造" in html and project_url(renewal) in html
    assert "居民代表" in html  # the resident login is the project's representative


def test_home_of_a_resident_elsewhere_lists_nothing(client, renewal):
    response, html = page(client, outsider(renewal), reverse("renewal:home"))
    assert response.status_code == 200
    assert "铁路小区老旧小区改造" not in html
    assert "目前没有改造项目" in html


def test_a_compound_right_under_its_community_is_found_too(client, street):
    """德鑫小区 hangs under its community without a grid: its residents see its project."""
    compound = AreaNode.objects.get(code="CB-X1")
    ra.save_compound_record(compound=compound, built_year=1990, acting_user=street.staff_b)
    project = ra.create_project(name="德鑫小区改造", compounds=[compound],
                                acting_user=street.staff_b)
    _response, html = page(client, outsider(street), reverse("renewal:home"))
    assert "德鑫小区改造" in html and reverse("renewal:project", args=[project.pk]) in html


def test_the_panel_asks_for_the_survey_until_my_household_answers(renewal):
    survey = open_survey(renewal)
    request = RequestFactory().get("/")
    request.user = renewal.resident
    panel = resident_panel(request)
    assert panel["surveys"] == 1 and panel["awaiting"] == 1
    html = render_to_string("renewal/resident/panel.html", {"panel": panel})
    assert "需求调查待填写" in html and reverse("renewal:home") in html
    ra.answer_survey(survey=survey, choices=[survey.options.first()],
                     acting_user=renewal.resident)
    assert resident_panel(request)["surveys"] == 0
    request.user = outsider(renewal)
    assert resident_panel(request) is None


def test_the_home_page_shows_the_renewal_panel(client, renewal):
    open_survey(renewal)
    response, html = page(client, renewal.resident, "/")
    assert reverse("renewal:home") in html and "需求调查待填写" in html


# --- the project page -------------------------------------------------------------------------


def test_the_project_shows_items_by_category_with_money_and_dates(client, in_works):
    n = in_works
    ra.update_item(item=n.items[0], planned_start=timezone.localdate(),
                   planned_end=timezone.localdate() + timedelta(days=60), acting_user=n.staff_a)
    progress_photo(n)
    response, html = page(client, n.resident, project_url(n))
    assert response.status_code == 200
    for text in ("基础类（1 项，预算 360,000.00 元）", "雨污分流", "1200米", "施工中", "40%",
                 "增设停车位", "完善类", "适老化扶手", "提升类", "衡阳建工"):
        assert text in html, text
    assert 'aria-current="step">实施' in html
    # Raised 400,000 central + 50,000 residents: the residents' share is 1/9.
    assert "450,000.00 元" in html and "50,000.00 元（占 11.1%）" in html
    assert "中央补助资金" in html and "居民出资" in html
    assert "计划 " in html and "开工" in html
    assert "3栋管道已开挖" in html
    assert "已支出中居民出资" not in html  # nothing paid yet
    ra.commit_funds(item=n.items[0], source=n.residents_money, amount="20000",
                    acting_user=n.staff_a)
    ra.record_payment(item=n.items[0], source=n.residents_money, amount="10000",
                      acting_user=n.staff_a)
    _response, html = page(client, n.resident, project_url(n))
    assert "10,000.00 元（占 100.0%）" in html


def test_the_project_links_the_vote_the_resolution_and_its_notice(client, in_works):
    n = in_works
    _response, html = page(client, n.resident, project_url(n))
    assert reverse("deliberation:poll", args=[n.project.poll_id]) in html
    assert reverse("deliberation:result", args=[n.project.poll_id]) in html
    assert "居民已通过改造方案" in html
    assert reverse("deliberation:resolution", args=[n.project.resolution_id]) in html
    assert reverse("notices:detail", args=[n.project.resolution.notice_id]) in html


def test_the_funding_notice_is_linked_once_the_works_are_accepted(client, in_works):
    n = in_works
    finish_all(n)
    ra.start_acceptance(project=n.project, acting_user=n.staff_a)
    for item in n.project.items.all():
        ra.sign_off_item(item=item, accepted=True, acting_user=n.resident)
        ra.sign_off_item(item=item, accepted=True, acting_user=n.staff_a)
    project = ra.complete_acceptance(project=n.project, acting_user=n.staff_a)
    _response, html = page(client, n.resident, project_url(n))
    assert reverse("notices:detail", args=[project.funding_notice_id]) in html
    assert "资金公开" in html and 'aria-current="step">长效管理' in html


def test_the_project_says_where_to_report_a_problem(client, renewal):
    _response, html = page(client, renewal.resident, project_url(renewal))
    assert reverse("report_landing_short", args=["CA-G1-X1-B1"]) in html


def test_a_resident_of_another_compound_gets_404(client, in_works):
    n = in_works
    user = outsider(n)
    for url in (project_url(n), reverse("renewal:survey", args=[n.project.pk]),
                reverse("renewal:inspect", args=[n.project.pk]),
                reverse("renewal:signoff", args=[n.items[0].pk])):
        response, _html = page(client, user, url)
        assert response.status_code == 404, url


def test_staff_of_the_community_see_the_project_and_others_do_not(client, renewal):
    response, _html = page(client, renewal.staff_a, project_url(renewal))
    assert response.status_code == 200
    response, _html = page(client, renewal.staff_b, project_url(renewal))
    assert response.status_code == 404


def test_the_pages_need_a_login(client, renewal):
    response = client.get(project_url(renewal))
    assert response.status_code == 302 and "/accounts/" in response["Location"]


# --- photos -----------------------------------------------------------------------------------


def test_a_progress_photo_is_served_to_the_projects_resident_only(client, in_works):
    n = in_works
    photo = progress_photo(n)
    url = reverse("renewal:photo", args=[photo.pk])
    _response, html = page(client, n.resident, project_url(n))
    assert url in html
    response, _html = page(client, n.resident, url)
    assert response.status_code == 200 and response["Content-Type"] == "image/png"
    assert response.body == png_bytes()
    response, _html = page(client, outsider(n), url)
    assert response.status_code == 404
    client.logout()
    assert client.get(url).status_code == 302


def test_a_compound_record_photo_is_for_staff_and_the_compounds_residents(client, renewal):
    n = renewal
    ra.save_compound_record(compound=n.compound, photos=[upload("red")], acting_user=n.staff_a)
    photo = Photo.objects.get(record=n.record)
    url = reverse("renewal:photo", args=[photo.pk])
    assert page(client, n.staff_a, url)[0].status_code == 200
    assert page(client, n.resident, url)[0].status_code == 200
    assert page(client, n.staff_b, url)[0].status_code == 404
    assert page(client, outsider(n), url)[0].status_code == 404


def test_a_missing_photo_is_404(client, renewal):
    assert page(client, renewal.resident, reverse("renewal:photo", args=[999]))[0] \
        .status_code == 404


def test_funding_without_sources_says_so(client, renewal):
    _response, html = page(client, renewal.resident, project_url(renewal))
    assert "资金来源还在落实中" in html
    ra.set_source(project=renewal.project, kind=SourceKind.LOCAL, amount="100000",
                  acting_user=renewal.staff_a)
    _response, html = page(client, renewal.resident, project_url(renewal))
    assert "市县（区）财政资金" in html and "0.00 元（占 0.0%）" in html
