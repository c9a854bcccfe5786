"""Credit in headless Chromium: a housing officer records a penalty with a market ban; the public sees it
on the black list and the penalty list; the eligibility check refuses the bidder."""

import datetime as dt

import pytest

from casework.validators import uscc_with_check
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
CODE = uscc_with_check("91410300MA9K0009X")


def test_record_penalty_public_list_and_eligibility(page, live_server, luoyang, bob):  # noqa: F811
    today = dt.date.today().isoformat()
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}/credit/new/")
    page.select_option("select[name=subject_type]", "enterprise")
    page.fill("input[name=subject_code]", CODE)
    page.fill("input[name=subject_name]", "洛阳丙建设工程有限公司")
    page.select_option("select[name=kind]", "penalty")
    page.fill("input[name=decision_number]", "洛建罚〔2026〕18号")
    page.fill("input[name=decided_on]", today)
    page.fill("textarea[name=facts]", "与其他投标人串通投标，损害招标人利益。")
    page.fill("textarea[name=legal_basis]", "《中华人民共和国招标投标法》第五十三条")
    page.fill("textarea[name=penalty]", "罚款并取消一年内参加依法必须进行招标的项目的投标资格")
    page.fill("input[name=valid_from]", today)
    page.check("input[name=serious]")
    page.select_option("select[name=measure_kind]", "market_ban")
    page.fill("input[name=measure_starts_on]", today)
    page.screenshot(path=str(SHOTS / "credit-1-record.png"), full_page=True)
    page.get_by_role("button", name="保存").click()
    page.wait_for_url("**/credit/records/*/")
    assert "市场禁入" in page.content()

    page.goto(f"{live_server.url}/credit/?code={CODE}&domain=engineering")
    verdict = page.locator("#eligibility").inner_text()
    assert "不得参与" in verdict and "洛建罚〔2026〕18号" in verdict
    page.screenshot(path=str(SHOTS / "credit-2-eligibility.png"), full_page=True)

    page.context.clear_cookies()
    page.goto(f"{live_server.url}/credit/blacklist/?q=丙建设")
    assert CODE in page.locator("#black-list").inner_text()
    page.goto(f"{live_server.url}/credit/penalties/?q={CODE}")
    assert "洛建罚〔2026〕18号" in page.locator("#penalties").inner_text()
    page.screenshot(path=str(SHOTS / "credit-3-public.png"), full_page=True)
