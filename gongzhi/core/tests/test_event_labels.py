"""Every audit event a person sees is in words: its kind, its object and the fields of
before → after (issue 16). The source is read with ``ast`` (audit_source) for every kind the
code can write and every key it can put in before / after; each must have its label."""

import re
from datetime import timedelta
from decimal import Decimal

import pytest
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy

from gongzhi.accounts.actions import add_member, create_organisation
from gongzhi.accounts.models import OrgKind
from gongzhi.conftest import make_user
from gongzhi.core import events
from gongzhi.core.models import AuditEvent
from gongzhi.core.tests.audit_source import Source
from gongzhi.core.tests.test_i18n import CJK, elements

AUDIT = reverse("core:audit")
HOME = reverse("core:home")


@pytest.fixture(scope="module")
def source() -> Source:
    found = Source()
    found.writes  # noqa: B018  (read them all once: unresolved fills as they are read)
    return found


def _platform_models():
    return [m for m in apps.get_models() if m._meta.app_config.name.startswith("gongzhi.")]


def _fields(model) -> dict[str, models.Field]:
    return {f.name: f for f in model._meta.get_fields() if isinstance(f, models.Field)}


def _named_by_a_model(snapshots: list[frozenset[str]], key: str) -> bool:
    """A snapshot's key is a field of the snapshot's model: labelled if that field has a
    translatable verbose name (the model is the one holding every field of the list)."""
    for fields in snapshots:
        if key not in fields:
            continue
        for model in _platform_models():
            own = _fields(model)
            if fields <= own.keys() and isinstance(own[key].verbose_name, Promise):
                return True
    return False


# --- the source, read whole ----------------------------------------------------------------


def test_every_audit_write_is_understood(source):
    """A write the reader cannot follow would slip past the checks below: make it plain
    (keywords, literals, f"app.{param}" of a helper whose callers pass literals)."""
    assert source.unresolved == []
    assert source.other_writers() == []  # events are written by core.audit.record only
    assert len(source.writes) > 100
    written = {a for w in source.writes for a in w.actions}
    # Kinds built by helpers, followed to their callers' literals:
    assert {"cases.accept_case", "renewal.start_planning", "renewal.open_survey",
            "deliberation.submit_resolution", "volunteering.place_order",
            "accounts.lock", "accounts.login_failed"} <= written


def test_every_event_kind_the_code_writes_has_a_label(source):
    written = {a: w.where for w in source.writes for a in w.actions}
    missing = sorted(f"{a} ({where})" for a, where in written.items()
                     if not events.has_event_label(a))
    assert missing == []
    # Each kind is written by the app it names, and nothing registered is left unused.
    strays = sorted(f"{a} ({w.where})" for w in source.writes for a in w.actions
                    if a.partition(".")[0] != w.app)
    assert strays == []
    assert sorted(set(events.registered_events()) - set(written)) == []


def test_every_key_of_before_and_after_has_a_label(source):
    missing = set()
    for write in source.writes:
        for action in write.actions:
            app_label = action.partition(".")[0]
            for key in write.keys:
                if not (_named_by_a_model(write.snapshots, key)
                        or events.registered_field_label(app_label, key)):
                    missing.add(f"{app_label}: {key} ({action}, {write.where})")
    assert sorted(missing) == []


def test_every_object_kind_has_a_translatable_name():
    made_up = [m._meta.label_lower for m in _platform_models()
               if not (isinstance(m._meta.verbose_name, Promise)
                       and isinstance(m._meta.verbose_name_plural, Promise))]
    assert made_up == []


# --- in English too (fails until the lead merges the new msgids into the catalogue) -------


def _untranslated(labels) -> list[str]:
    out = []
    for label in labels:
        with translation.override("zh-hans"):
            chinese = str(label)
        with translation.override("en"):
            english = str(label)
        if english == chinese or CJK.search(english):
            out.append(chinese)
    return sorted(set(out))


def test_every_label_reads_in_english():
    labels = [*events.registered_events().values(),
              *(label for own in events.registered_fields().values() for label in own.values()),
              *(m._meta.verbose_name for m in _platform_models()),
              events.UNKNOWN_EVENT, events.UNKNOWN_FIELD, events.UNKNOWN_OBJECT]
    assert _untranslated(labels) == []


# --- the registry ------------------------------------------------------------------------


def test_a_field_reads_as_the_models_verbose_name_else_as_the_app_registered_it():
    from gongzhi.volunteering.models import Coupon, Redemption

    # Coupon.points has a verbose name of its own; Redemption.points only Django's made-up
    # "points", so the app's label is used; a key no model has: the app's label.
    assert events.field_label("points", action="volunteering.save_coupon", model=Coupon) \
        == str(Coupon._meta.get_field("points").verbose_name)
    assert events.field_label("points", action="volunteering.redeem_reward",
                              model=Redemption) == "积分"
    assert events.field_label("handed_over", action="volunteering.x", model=Redemption) \
        == "已发放"
    # The same key means what its own app says: points of a contest are a score.
    assert events.field_label("points", action="deliberation.score_entry") == "分数"
    assert events.field_label("no_such_key", action="volunteering.x") is None
    assert events.event_label("volunteering.buy_coupon") == "积分兑换友邻券"
    assert events.event_label("test.nothing") == "其他操作"
    assert events.object_label("volunteering.couponcode") == "友邻券券码"
    assert events.object_label("no.such") == "其他对象"


def test_registering_checks_codes_apps_and_translatable_labels():
    with pytest.raises(ImproperlyConfigured):
        events.register_event_labels({"buy_coupon": gettext_lazy("积分兑换友邻券")})
    with pytest.raises(ImproperlyConfigured):
        events.register_event_labels({"nosuchapp.do": gettext_lazy("积分兑换友邻券")})
    with pytest.raises(ImproperlyConfigured):
        events.register_event_labels({"volunteering.buy_coupon": "积分兑换友邻券"})
    with pytest.raises(ImproperlyConfigured):
        events.register_field_labels("nosuchapp", {"points": gettext_lazy("积分")})
    assert events.event_label("volunteering.buy_coupon") == "积分兑换友邻券"


# --- the pages ---------------------------------------------------------------------------


def _volunteering_and_renewal(n):
    """Points earned and spent on a reward and a coupon, the coupon taken at the shop, and
    a renovation project started: events of many kinds in community A."""
    from gongzhi.renewal import actions as ra
    from gongzhi.renewal.models import Category, Management
    from gongzhi.volunteering.actions.ledger import award_points
    from gongzhi.volunteering.actions.rewards import (
        buy_coupon,
        hand_over_redemption,
        redeem_coupon_code,
        redeem_reward,
        save_coupon,
        save_reward,
    )

    holder = n.resident
    award_points(holder=holder, points=300, reason="activity", source_key="gift:labels")
    reward = save_reward(acting_user=n.staff_a, name="环保袋", points=50, stock=3,
                         area=n.comm_a, description="到社区服务站领取")
    hand_over_redemption(redemption=redeem_reward(reward=reward, acting_user=holder),
                         acting_user=n.staff_a)
    shop = create_organisation(kind=OrgKind.MERCHANT, code="SH-L", name="老街理发店",
                               areas=[n.comm_a], acting_user=None)
    clerk = make_user("clerk-labels")
    add_member(organisation=shop, user=clerk, acting_user=None)
    coupon = save_coupon(acting_user=n.staff_a, merchant=shop, title="理发八折", points=30,
                         stock=5, area=n.comm_a,
                         valid_until=timezone.localdate() + timedelta(days=30))
    code = buy_coupon(coupon=coupon, acting_user=holder)
    redeem_coupon_code(code=code.code, acting_user=clerk)

    ra.save_compound_record(compound=n.compound, built_year=1992, floor_area="3600.50",
                            management=Management.NONE, problems="雨污混流",
                            acting_user=n.staff_a)
    batch = ra.create_batch(year=timezone.localdate().year, name="第一批", area=n.street,
                            acting_user=n.street_staff)
    project = ra.create_project(name="铁路小区改造", compounds=[n.compound], batch=batch,
                                acting_user=n.staff_a)
    project = ra.start_planning(project=project, acting_user=n.staff_a)
    ra.add_item(project=project, category=Category.BASIC, name="雨污分流", quantity="1200",
                unit="米", budget=Decimal("360000.00"), acting_user=n.staff_a)


APP_LABELS = "|".join(c.label for c in apps.get_app_configs() if c.name.startswith("gongzhi."))
CODE = re.compile(rf"\b(?:{APP_LABELS})\.[a-z_]+\b")  # volunteering.buy_coupon, accounts.


def _visible_text(response) -> str:
    """The page's text, without attribute values (option values are codes on purpose)."""
    html = response.content.decode()
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]*>", " ", html)


def _check_table(response, rows) -> None:
    text = _visible_text(response)
    assert CODE.findall(text) == []  # no volunteering.buy_coupon, renewal.add_item …
    keys = {k for row in rows for k in (*(row.event.before or {}), *(row.event.after or {}))}
    names = [label.rstrip("：") for label in elements(response, "span", class_="field-name")]
    assert names and not set(names) & keys  # no points：300, reward：1 …
    assert str(events.UNKNOWN_FIELD) not in names
    kinds = [row.action_label for row in rows]
    assert str(events.UNKNOWN_EVENT) not in kinds
    types = [row.type_label for row in rows]
    assert str(events.UNKNOWN_OBJECT) not in types
    assert not [t for t in types if re.search("[A-Za-z]", t)]  # no "coupon code #1"


@pytest.mark.django_db
def test_staff_home_and_audit_log_read_in_words(client, street):
    _volunteering_and_renewal(street)
    client.force_login(street.staff_a)

    home = client.get(HOME)
    recent = home.context["recent"]
    shown = {row.event.action for row in recent}
    assert {"volunteering.buy_coupon", "volunteering.redeem_coupon_code",
            "renewal.add_item"} <= shown
    _check_table(home, recent)
    page = home.content.decode()
    assert "积分兑换友邻券" in page and "核销友邻券" in page and "添加改造内容" in page

    audit = client.get(AUDIT)
    rows = audit.context["page"].rows
    assert {"volunteering.redeem_reward", "volunteering.hand_over_redemption",
            "renewal.start_planning", "renewal.save_compound_record"} <= {
        row.event.action for row in rows}
    _check_table(audit, rows)
    by_action = {row.event.action: row for row in rows}
    redeemed = by_action["volunteering.redeem_reward"]
    assert redeemed.action_label == "积分兑换礼品" and redeemed.type_label == "礼品兑换"
    assert {c.label for c in redeemed.changes} == {"积分礼品", "积分"}
    assert by_action["volunteering.buy_coupon"].type_label == "友邻券券码"
    # A field with choices shows its choice's words, not the stored value.
    stage = next(c for c in by_action["renewal.start_planning"].changes if c.label == "阶段")
    assert (stage.before, stage.after) == ("储备", "谋划")


@pytest.mark.django_db
def test_the_filters_offer_kinds_and_objects_by_name(client, street):
    _volunteering_and_renewal(street)
    client.force_login(street.staff_a)
    response = client.get(AUDIT, {"action": "volunteering."})
    rows = response.context["page"].rows
    assert rows and all(r.event.action.startswith("volunteering.") for r in rows)
    page = response.content.decode()
    assert '<option value="volunteering.buy_coupon">积分兑换友邻券</option>' in page
    assert '<option value="volunteering." selected>全部（志愿服务）</option>' in page
    assert '<optgroup label="志愿服务">' in page
    assert '<option value="volunteering.couponcode">友邻券券码</option>' in page
    assert CODE.findall(_visible_text(response)) == []
    # A kind no code writes any more still filters, shown by the fallback's words.
    response = client.get(AUDIT, {"action": "volunteering.old_kind"})
    assert response.context["page"].rows == []
    assert '<option value="volunteering.old_kind" selected>其他操作</option>' in (
        response.content.decode())


@pytest.mark.django_db
def test_the_english_audit_log_names_kinds_in_english(client, street):
    _volunteering_and_renewal(street)
    client.force_login(street.staff_a)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = client.get(AUDIT, {"action": "volunteering."})
    kinds = [row.action_label for row in response.context["page"].rows]
    assert kinds and not [k for k in kinds if CJK.search(k)]


def _events(path: str, count: int) -> None:
    kinds = sorted(events.registered_events())
    AuditEvent.objects.bulk_create(
        AuditEvent(action=kinds[i % len(kinds)], object_type="volunteering.redemption",
                   object_id=str(i), object_repr=f"row {i}", area_path=path,
                   before={"points": i}, after={"points": i + 1, "reward": 1})
        for i in range(count))


@pytest.mark.django_db
def test_labels_cost_no_queries(client, street):
    client.force_login(street.staff_a)
    _events(street.comm_a.path, 10)
    with CaptureQueriesContext(connection) as few:
        assert client.get(AUDIT).status_code == 200
    _events(street.comm_a.path, 40)
    with CaptureQueriesContext(connection) as many:
        assert client.get(AUDIT).status_code == 200
    assert len(many) == len(few)
