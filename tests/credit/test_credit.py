"""Credit: subjects, records, measures, validity edges, 'whoever publishes, manages', shared expert
bans, the push to the credit platform, the eligibility check and its log, the public lists."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.clocks.services import clocks_for
from casework.errors import Conflict, DomainError, Forbidden
from casework.events.services import timeline
from casework.org.services import create_api_client
from casework.validators import uscc_with_check
from credit import selectors, services
from credit.models import CreditRecord, CreditSubject, EligibilityQuery, ExpertPoolMembership, Measure
from tests.conftest import make_user

D = dt.date
TODAY = dt.date.today()
CODE = uscc_with_check("91410300MA9K0001X")


@pytest.fixture
def firm(bob):
    return services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")


def sanction(actor, dept, subject, number="洛建罚〔2026〕1号", measures=(), **kw):
    args = dict(kind="penalty", decided_on=TODAY - dt.timedelta(days=3), facts="串通投标",
                legal_basis="《招标投标法》第五十三条", penalty="罚款并取消投标资格一年",
                valid_from=TODAY - dt.timedelta(days=3))
    args.update(kw)
    return services.record_sanction(actor=actor, department=dept, subject=subject, decision_number=number,
                                    measures=list(measures), **args)


def restriction(starts, ends, domains=("engineering",)):
    return services.MeasureInput("restriction", list(domains), starts, ends)


def test_subjects_are_validated_and_never_duplicated(bob):
    with pytest.raises(DomainError, match="校验位"):
        services.ensure_subject(actor=bob, type="enterprise", code=CODE[:-1] + "0", name="甲")
    first = services.ensure_subject(actor=bob, type="enterprise", code=CODE.lower(), name="甲")
    again = services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="甲")
    assert first.pk == again.pk and CreditSubject.objects.count() == 1
    with pytest.raises(DomainError, match="专家编号格式"):
        services.ensure_subject(actor=bob, type="expert", code=CODE, name="甲")
    with pytest.raises(Conflict, match="已登记的名称为“甲”") as exc:
        services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="乙")
    assert exc.value.field_errors == {"name": ["已登记为“甲”"]}
    expert = services.ensure_subject(actor=bob, type="expert", code="EXP-0001", name="张专家")
    assert expert.code == "EXP-0001"


def test_validity_edges_the_day_a_restriction_starts_and_ends(luoyang, bob, firm):
    start, end = D(2026, 12, 1), D(2027, 5, 31)
    sanction(bob, luoyang["housing"], firm, measures=[restriction(start, end)])

    def eligible(on, domain="engineering"):
        return selectors.eligibility([CODE], domain, on)[CODE].eligible

    assert eligible(start - dt.timedelta(days=1)) is True
    assert eligible(start) is False
    assert eligible(end) is False
    assert eligible(end + dt.timedelta(days=1)) is True
    assert eligible(start, domain="procurement") is True          # only the restricted domain


def test_market_ban_covers_every_domain_and_makes_the_black_list(luoyang, bob, firm):
    sanction(bob, luoyang["housing"], firm, serious=True,
             measures=[services.MeasureInput("market_ban", [], TODAY - dt.timedelta(days=1), None)])
    assert Measure.objects.filter(kind="market_ban").count() == 4
    answer = selectors.eligibility([CODE], "property_rights", TODAY)[CODE]
    assert not answer.eligible and answer.restrictions[0].kind == "market_ban"
    assert [r.subject.code for r in selectors.black_list()] == [CODE]
    assert [r.subject.code for r in selectors.black_list("甲建设")] == [CODE]


def test_only_the_issuer_edits_and_every_change_is_audited(luoyang, bob, erin, firm):
    rec = sanction(bob, luoyang["housing"], firm, measures=[restriction(TODAY, None)])
    for act in (lambda: services.repair_record(actor=erin, rec=rec, decision="已整改到位"),
                lambda: services.withdraw_record(actor=erin, rec=rec, reason="决定被撤销"),
                lambda: services.correct_record(actor=erin, rec=rec, reason="更正事实", facts="x"),
                lambda: sanction(erin, luoyang["housing"], firm, number="2")):
        with pytest.raises(Forbidden):
            act()
    services.correct_record(actor=bob, rec=rec, reason="更正违法事实表述", facts="与乙公司串通投标")
    assert timeline(rec).filter(action="credit.corrected").get().before == {"facts": "串通投标"}
    assert not selectors.eligibility([CODE], "engineering", TODAY)[CODE].eligible
    services.repair_record(actor=bob, rec=rec, decision="已完成信用修复，整改到位")
    rec.refresh_from_db()
    assert rec.status == "repaired" and rec.status_reason.startswith("已完成")
    assert selectors.eligibility([CODE], "engineering", TODAY)[CODE].eligible
    with pytest.raises(Conflict):
        services.withdraw_record(actor=bob, rec=rec, reason="再撤销一次")


def test_record_validation_and_duplicates(luoyang, bob, firm):
    with pytest.raises(DomainError) as exc:
        sanction(bob, luoyang["housing"], firm, facts="", decided_on=TODAY + dt.timedelta(days=1),
                 measures=[restriction(TODAY, TODAY - dt.timedelta(days=1), domains=[])])
    assert {"facts", "decided_on", "measures.0.domains", "measures.0.ends_on"} <= set(exc.value.field_errors)
    sanction(bob, luoyang["housing"], firm)
    with pytest.raises(Conflict, match="请勿重复录入"):
        sanction(bob, luoyang["housing"], firm)


def test_expert_in_both_pools_is_shared_within_two_working_days(luoyang, bob):
    finance_staff = make_user("fay", luoyang["finance"], "handler")
    expert = services.ensure_subject(actor=bob, type="expert", code="EXP-0002", name="李专家")
    ExpertPoolMembership.objects.create(subject=expert, pool="tendering", managing_department=luoyang["housing"])
    ExpertPoolMembership.objects.create(subject=expert, pool="procurement", managing_department=luoyang["finance"])
    rec = sanction(bob, luoyang["housing"], expert, kind="bad_conduct", number="评标违规1",
                   measures=[restriction(TODAY, None, domains=["engineering", "procurement"])])
    notice = rec.ban_notices.get()
    assert notice.to_department == luoyang["finance"]
    clock = clocks_for(notice).get()
    assert clock.rule_version.limit_display == "2个工作日" and clock.rule_version.clause == "洛阳 六(二)"
    with pytest.raises(Forbidden):
        services.acknowledge_ban(actor=bob, notice=notice, measure_taken="暂停评审资格")
    with pytest.raises(DomainError, match="采取的措施"):
        services.acknowledge_ban(actor=finance_staff, notice=notice, measure_taken="")
    services.acknowledge_ban(actor=finance_staff, notice=notice, measure_taken="暂停其政府采购评审专家资格一年")
    clock.refresh_from_db()
    notice.refresh_from_db()
    assert clock.state == "met" and notice.measure_taken == "暂停其政府采购评审专家资格一年"


def test_penalty_push_clock_met_when_delivered(luoyang, bob, firm, settings, django_capture_on_commit_callbacks):
    from casework.webhooks.models import WebhookDelivery

    settings.CREDIT_PLATFORM_URL, settings.CREDIT_PLATFORM_SECRET = "http://127.0.0.1:9/credit", "s3cret"
    with django_capture_on_commit_callbacks(execute=False):
        rec = sanction(bob, luoyang["housing"], firm)
    clock = clocks_for(rec).get()
    assert clock.rule_version.rule.key == "credit.penalty_publish" and clock.closed_at is None
    delivery = WebhookDelivery.objects.get(event="credit.penalty")
    assert delivery.payload["record"]["行政处罚决定书文号"] == rec.decision_number
    WebhookDelivery.objects.filter(pk=delivery.pk).update(delivered_at=delivery.created_at)
    assert services.settle_pushes() == 1
    clock.refresh_from_db()
    assert clock.state == "met"


def test_without_a_platform_staff_confirm_the_export(client, luoyang, bob, firm, settings):
    settings.CREDIT_PLATFORM_URL = ""
    rec = sanction(bob, luoyang["housing"], firm)
    client.force_login(bob)
    csv_text = client.get("/credit/export/penalties.csv").content.decode("utf-8-sig")
    assert "行政处罚决定书文号" in csv_text and rec.decision_number in csv_text and CODE in csv_text
    services.confirm_push(actor=bob, rec=rec, note="2026-11-21 通过导出文件报送省信用平台")
    assert clocks_for(rec).get().state == "met"


def test_eligibility_api_single_bulk_and_the_log(luoyang, bob, carol, dave, erin, firm):
    sanction(bob, luoyang["housing"], firm, measures=[restriction(TODAY, None)])
    _, token = create_api_client(name="trading-platform", department=luoyang["trading_centre"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    one = api.get(f"/api/v1/credit/eligibility/?code={CODE}&domain=engineering&project_code=LYGC-9").json()
    assert one["eligible"] is False and one["restrictions"][0]["decision_number"] == "洛建罚〔2026〕1号"
    unknown = uscc_with_check("91410300MA9K9999X")
    codes = [CODE, unknown, "NOSUCHCODE"] + [uscc_with_check(f"91410300MA{i:07d}") for i in range(997)]
    bulk = api.post("/api/v1/credit/eligibility/", {"subjects": [{"code": c} for c in codes], "domain": "engineering",
                                                    "project_code": "LYGC-9"}, format="json").json()
    results = {r["code"]: r for r in bulk["results"]}
    assert len(results) == 1000 and results[CODE]["eligible"] is False
    assert results[unknown]["eligible"] is True and results[unknown]["subject_known"] is False
    assert results["NOSUCHCODE"]["valid"] is False and results["NOSUCHCODE"]["eligible"] is None
    assert bulk["invalid"] == 1 and bulk["on"] == TODAY.isoformat()
    too_many = api.post("/api/v1/credit/eligibility/", {"subjects": [{"code": "A"}] * 1001, "domain": "engineering"},
                        format="json")
    assert too_many.status_code == 400 and "subjects" in too_many.json()["error"]["fields"]
    bad = api.get("/api/v1/credit/eligibility/?code=X&domain=lottery")
    assert bad.status_code == 400 and "domain" in bad.json()["error"]["fields"]
    assert EligibilityQuery.objects.filter(subject_code=CODE, project_code="LYGC-9").count() == 2
    subject = CreditSubject.objects.get(code=CODE)
    assert selectors.query_log_for(carol, subject).count() == 2      # the issuing department
    assert selectors.query_log_for(dave, subject).count() == 2       # its supervisors
    assert selectors.query_log_for(erin, subject).count() == 0       # nobody else


def test_public_lists_show_only_what_may_be_published(client, luoyang, bob, firm):
    other = services.ensure_subject(actor=bob, type="enterprise", code=uscc_with_check("91410300MA9K0002X"),
                                    name="洛阳乙工程有限公司")
    sanction(bob, luoyang["housing"], firm)
    sanction(bob, luoyang["housing"], other, number="内部2", publishable=False)
    services.add_to_red_list(actor=bob, department=luoyang["housing"], subject=other, reason="连续三年无不良记录",
                             basis="洛阳市住建局2026年度信用评价A级", valid_from=TODAY)
    page = client.get("/credit/penalties/?q=甲建设").content.decode()
    assert "洛阳甲建设有限公司" in page and "内部2" not in page
    assert "洛阳乙工程有限公司" in client.get("/credit/redlist/").content.decode()
    assert "洛阳甲建设有限公司" not in client.get(f"/credit/penalties/?q={other.code}").content.decode()
    assert CreditRecord.objects.count() == 2
