"""Every code is checked: GB 32100 (USCC), GB 11643 (resident ID), the expert-number format. A malformed
code is never answered "eligible": 400 over REST naming the field and the expected check character, "invalid"
on the page, one invalid row in a bulk check while the valid rows are answered. The public lists mask natural
persons' ID numbers and never show expert numbers."""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from casework.errors import Conflict, DomainError
from casework.org.services import create_api_client
from casework.validators import uscc_with_check
from credit import codes, services
from credit.models import CreditSubject, EligibilityQuery, ExpertPoolMembership
from credit.publication import mask_resident_id

TODAY = dt.date.today()
USCC = uscc_with_check("91410300MA9K0001X")          # ends in Q
WRONG_CHECK = USCC[:-1] + "0"
PERSON = "11010519491231002X"                        # GB 11643 example, check character X
# (code, what the message must say)
BAD = [
    (WRONG_CHECK, "应为 Q"),                             # one wrong character: the check fails
    ("91410300MA9K0O01XQ", "不允许的字符：O"),           # a letter GB 32100 does not use
    ("hello", "应为18位"),
    ("110105194912310021", "按居民身份证号码第18位应为 X"),  # an ID number with a wrong check digit
    ("EXP-12", "专家编号格式有误"),
    ("EXPERT-0001", "专家编号格式有误"),
]


@pytest.fixture
def api(luoyang):
    _, token = create_api_client(name="trading-platform", department=luoyang["trading_centre"])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_the_check_functions():
    assert codes.code_problem(USCC) is None and codes.code_problem(PERSON) is None
    assert codes.code_problem("EXP-0001") is None
    assert codes.code_problem(PERSON, "enterprise")  # an ID number is not a USCC
    assert "应为 X" in codes.code_problem("110105194912310021", "individual")
    assert "应为18位" in codes.code_problem("12345", "individual")
    assert mask_resident_id(PERSON) == "1101**********002X"


@pytest.mark.parametrize("code,says", BAD)
def test_a_bad_code_is_a_400_naming_the_field_over_rest(api, code, says):
    response = api.get("/api/v1/credit/eligibility/", {"code": code, "domain": "engineering"})
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "invalid_code" and says in error["fields"]["code"][0]
    assert "eligible" not in response.json()
    assert not EligibilityQuery.objects.exists()


@pytest.mark.parametrize("code,says", BAD)
def test_a_bad_code_is_invalid_on_the_page_never_eligible(client, bob, code, says):
    client.force_login(bob)
    response = client.get("/credit/", {"code": code, "domain": "engineering"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "代码无效" in page and says in page
    assert "可以参与" not in page


def test_bulk_answers_the_valid_rows_and_marks_each_invalid_one(api, client, luoyang, bob):
    firm = services.ensure_subject(actor=bob, type="enterprise", code=USCC, name="洛阳甲建设有限公司")
    rec = services.record_sanction(actor=bob, department=luoyang["housing"], subject=firm, kind="penalty",
                             decision_number="洛建罚〔2026〕1号", decided_on=TODAY, facts="串通投标",
                             legal_basis="《招标投标法》第五十三条", penalty="罚款", valid_from=TODAY,
                             measures=[services.MeasureInput("restriction", ["engineering"], TODAY, None)])
    clean = uscc_with_check("91410300MA9K0002X")
    subjects = [{"code": c} for c in [USCC, clean, PERSON] + [b for b, _ in BAD]]
    body = api.post("/api/v1/credit/eligibility/", {"subjects": subjects, "domain": "engineering"},
                    format="json").json()
    rows = {r["code"]: r for r in body["results"]}
    assert rows[USCC]["eligible"] is False and rows[USCC]["valid"] is True
    assert rows[clean]["eligible"] is True and rows[PERSON]["eligible"] is True
    for code, says in BAD:
        row = rows[code.upper()]
        assert row["valid"] is False and row["eligible"] is None and says in row["error"]
    assert body["invalid"] == len(BAD) and body["on"] == TODAY.isoformat()
    assert set(EligibilityQuery.objects.values_list("subject_code", flat=True)) == {USCC, clean, PERSON}
    assert set(EligibilityQuery.objects.values_list("on_date", flat=True)) == {TODAY}
    api.get("/api/v1/credit/eligibility/", {"code": USCC, "domain": "engineering", "on": "2027-03-01"})
    client.force_login(bob)                          # the query log says the date each check was made for
    page = client.get(f"/credit/records/{rec.pk}/").content.decode()
    log = page[page.index('id="query-log"'):]
    assert "核查日期" in log and "2027-03-01" in log and TODAY.isoformat() in log


def test_the_single_answer_says_the_date_used(api):
    body = api.get("/api/v1/credit/eligibility/", {"code": USCC, "domain": "engineering"}).json()
    assert body["on"] == TODAY.isoformat() and body["eligible"] is True and body["valid"] is True
    body = api.get("/api/v1/credit/eligibility/", {"code": USCC, "domain": "engineering", "on": "2027-01-04"}).json()
    assert body["on"] == "2027-01-04"
    assert EligibilityQuery.objects.filter(on_date=dt.date(2027, 1, 4)).count() == 1


def test_individuals_are_checked_and_a_different_name_is_a_conflict(bob):
    with pytest.raises(DomainError, match="居民身份证号码应为18位"):
        services.ensure_subject(actor=bob, type="individual", code="12345", name="张三")
    with pytest.raises(DomainError, match="应为 X"):
        services.ensure_subject(actor=bob, type="individual", code="110105194912310021", name="张三")
    person = services.ensure_subject(actor=bob, type="individual", code=PERSON.lower(), name="张三")
    assert person.code == PERSON
    with pytest.raises(Conflict, match="已登记的名称为“张三”"):
        services.ensure_subject(actor=bob, type="individual", code=PERSON, name="张山")
    assert CreditSubject.objects.get().name == "张三"


def test_the_form_shows_the_name_conflict(client, bob):
    services.ensure_subject(actor=bob, type="enterprise", code=USCC, name="洛阳甲建设有限公司")
    client.force_login(bob)
    response = client.post("/credit/new/", {
        "subject_type": "enterprise", "subject_code": USCC, "subject_name": "洛阳乙建设有限公司", "kind": "penalty",
        "decision_number": "洛建罚〔2026〕5号", "decided_on": TODAY.isoformat(), "facts": "串通投标",
        "legal_basis": "《招标投标法》第五十三条", "penalty": "罚款", "valid_from": TODAY.isoformat(),
        "publishable": "on"})
    assert response.status_code == 409 or response.status_code == 400
    page = response.content.decode()
    assert "已登记为“洛阳甲建设有限公司”" in page
    response = client.post("/credit/new/", {
        "subject_type": "enterprise", "subject_code": WRONG_CHECK, "subject_name": "洛阳丙建设有限公司",
        "kind": "penalty", "decision_number": "洛建罚〔2026〕6号", "decided_on": TODAY.isoformat(), "facts": "串通投标",
        "legal_basis": "《招标投标法》第五十三条", "penalty": "罚款", "valid_from": TODAY.isoformat()})
    assert response.status_code == 400 and "应为 Q" in response.content.decode()


def test_public_lists_mask_id_numbers_and_hide_expert_numbers(client, luoyang, bob):
    person = services.ensure_subject(actor=bob, type="individual", code=PERSON, name="张三")
    expert = services.ensure_subject(actor=bob, type="expert", code="EXP-0042", name="李专家")
    ExpertPoolMembership.objects.create(subject=expert, pool="tendering", managing_department=luoyang["housing"])
    for n, subject in enumerate((person, expert)):
        services.record_sanction(actor=bob, department=luoyang["housing"], subject=subject, kind="penalty",
                                 decision_number=f"洛建罚〔2026〕{20 + n}号", decided_on=TODAY, facts="违规评标",
                                 legal_basis="《招标投标法实施条例》第七十一条", penalty="罚款", valid_from=TODAY,
                                 serious=True)
    for url in ("/credit/penalties/", "/credit/blacklist/"):
        page = client.get(url).content.decode()
        assert "张三" in page and "1101**********002X" in page and PERSON not in page
        assert "李专家" in page and "EXP-0042" not in page and "综合评标专家库" not in page
    assert "李专家" not in client.get("/credit/penalties/", {"q": "EXP-0042"}).content.decode()
    assert "张三" in client.get("/credit/penalties/", {"q": PERSON}).content.decode()
