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


def test_correction_red_list_and_an_invalid_code(page, live_server, luoyang, bob):  # noqa: F811
    from credit import services

    today = dt.date.today()
    firm = services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳丙建设工程有限公司")
    rec = services.record_sanction(
        actor=bob, department=luoyang["housing"], subject=firm, kind="penalty", decision_number="洛建罚〔2026〕19号",
        decided_on=today, facts="串通投标", legal_basis="《中华人民共和国招标投标法》第五十三条", penalty="罚款",
        penalty_category="fine", fine_amount="50000", valid_from=today, serious=True,
        measures=[services.MeasureInput("market_ban", [], today, None)])
    end = (today + dt.timedelta(days=365)).isoformat()
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}/credit/records/{rec.pk}/")
    page.get_by_text("更正记录", exact=True).click()
    page.fill("#correction-form textarea[name=facts]", "与洛阳丁公司串通投标，约定报价。")
    page.fill("#correction-form input[name=fine_amount]", "80000")
    page.fill("#correction-form input[name=measures_ends_on]", end)
    page.fill("#correction-form textarea[name=reason]", "决定书违法事实、罚款金额和禁入期限录入有误")
    page.get_by_role("button", name="保存更正").click()
    page.wait_for_selector("#corrections")
    table = page.locator("#corrections").inner_text()
    assert "串通投标" in table and "与洛阳丁公司串通投标" in table and "长期" in table and end in table
    assert "50000.00" in table and "80000.00" in table and "录入有误" in table
    assert f"至 {end}" in page.locator("#measures").inner_text()
    page.screenshot(path=str(SHOTS / "credit-4-correction.png"), full_page=True)

    good = uscc_with_check("91410300MA9K0010X")
    page.goto(f"{live_server.url}/credit/redlist/new/")
    page.select_option("select[name=subject_type]", "enterprise")
    page.fill("input[name=subject_code]", good)
    page.fill("input[name=subject_name]", "洛阳守信建设集团有限公司")
    page.fill("textarea[name=reason]", "连续三年无不良行为记录，合同履约评价优秀")
    page.fill("textarea[name=basis]", "洛阳市住房和城乡建设局2025年度建筑市场主体信用评价A级（洛建〔2026〕40号）")
    page.fill("input[name=valid_from]", today.isoformat())
    page.fill("input[name=valid_until]", end)
    page.screenshot(path=str(SHOTS / "credit-5-red-list-form.png"), full_page=True)
    page.get_by_role("button", name="列入红名单").click()
    page.wait_for_url("**/credit/redlist/")
    listed = page.locator("#red-list").inner_text()
    assert "洛阳守信建设集团有限公司" in listed and "洛建〔2026〕40号" in listed and end in listed
    page.screenshot(path=str(SHOTS / "credit-6-red-list.png"), full_page=True)

    page.goto(f"{live_server.url}/credit/?code={good}&domain=engineering")
    verdict = page.locator("#eligibility").inner_text()
    assert "可以参与" in verdict and "守信红名单（仅供参考）" in verdict
    page.screenshot(path=str(SHOTS / "credit-7-eligibility-red-list.png"), full_page=True)

    page.goto(f"{live_server.url}/credit/?code={CODE[:-1]}0&domain=engineering")
    verdict = page.locator("#eligibility").inner_text()
    assert "代码无效" in verdict and "应为" in verdict and "可以参与" not in page.content()
    page.screenshot(path=str(SHOTS / "credit-8-invalid-code.png"), full_page=True)
