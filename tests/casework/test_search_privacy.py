"""A search box must not confirm what a page masks (issue 11 × issue 16): free text that may carry personal data
(a complaint's grounds, a clue's summary, an assistance letter's case summary) is searched only on the rows whose
text the user reads unmasked; references, projects and names of organisations stay searchable for everyone."""

from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from complaints import services as complaints
from jointaction import services as jointaction
from referrals import services as referrals
from tests.complaints.conftest import complaint_input
from tests.conftest import make_user
from tests.referrals.conftest import clue_input

WITNESS, PHONE = "欧阳晓东", "13912345678"


def _count(user, path, search):
    api = APIClient()
    api.force_authenticate(user)
    response = api.get(path, {"search": search})
    assert response.status_code == 200, response.content
    return response.json()["count"]


def _clear(user, codename):
    user.user_permissions.add(Permission.objects.get(codename=codename))
    return type(user).objects.get(pk=user.pk)  # a fresh object: permission caches start empty


def test_complaint_grounds_are_searched_only_where_they_are_read_unmasked(luoyang, bob):
    uma = make_user("uma", luoyang["housing"], "handler")  # same department, not cleared
    complaints.file_complaint(data=complaint_input(luoyang, grounds=f"证人{WITNESS}（电话 {PHONE}）可以证明两家投标人"
                                                                     "由同一人联系报名，涉嫌串通投标。"),
                              channel="online", submission_key="web:search-privacy")
    bob = _clear(bob, "view_complainant")
    for word in (WITNESS, PHONE[-6:]):
        assert _count(bob, "/api/v1/complaints/", word) == 1, word
        assert _count(uma, "/api/v1/complaints/", word) == 0, word
    assert _count(uma, "/api/v1/complaints/", "串通投标") == 0  # the grounds are private as a whole for uma
    assert _count(uma, "/api/v1/complaints/", "LYGC") == 1      # the project stays searchable


def test_clue_summary_is_indexed_masked_and_read_unmasked_only_by_cleared_staff(luoyang, alice, bob):
    uma = make_user("uma", luoyang["housing"], "handler")
    clue = referrals.intake_clue(actor=alice, data=clue_input(
        luoyang, external_id="MON-PRIV-1",
        summary=f"举报人{WITNESS}反映（电话 {PHONE}）：两家投标人的项目负责人社保缴纳单位相同。")).clue
    assert PHONE not in clue.search_text and WITNESS not in clue.search_text
    assert clue.private_search_text == clue.summary  # kept as written, for the cleared, because masking changed it
    plain = referrals.intake_clue(actor=alice, data=clue_input(luoyang, external_id="MON-PRIV-2",
                                                               summary="无个人信息。"))
    assert plain.clue.private_search_text == ""
    referrals.register_clue(actor=bob, clue=clue)
    bob = _clear(bob, "view_personal_data")
    for word in (WITNESS, PHONE, WITNESS[-2:]):  # two characters: the pairs index
        assert _count(bob, "/api/v1/clues/", word) == 1, word
        assert _count(uma, "/api/v1/clues/", word) == 0, word
    assert _count(uma, "/api/v1/clues/", "社保缴纳") == 1  # the rest of the summary is searchable for all


def test_assistance_case_summary_is_searched_only_where_it_is_read_unmasked(luoyang, bob):
    uma = make_user("uma", luoyang["housing"], "handler")
    market = make_user("mark", luoyang["market_regulation"], "handler")
    jointaction.request_assistance(
        actor=bob, requester=luoyang["housing"], assistant=luoyang["market_regulation"],
        case_name="某学校教学楼工程串通投标案",
        case_summary=f"证人{WITNESS}（电话 {PHONE}）反映两家投标人由同一人报名。",
        matters="调取两家投标企业的登记档案。", reasons="核实投标人之间是否存在控股关系。", materials=["立案审批表"],
        submission_key="search-privacy")
    bob = _clear(bob, "view_personal_data")
    assert _count(bob, "/api/v1/assistance/", PHONE) == 1
    for user in (uma, market):
        assert _count(user, "/api/v1/assistance/", PHONE) == 0
        assert _count(user, "/api/v1/assistance/", "教学楼") == 1  # the case name stays searchable
