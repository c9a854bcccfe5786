"""Risk screening end to end in headless Chromium: the trading centre's CSV of bids is imported and
screened; the officer filters the warnings, opens a ring (its network drawn by the local ECharts) and a
bidder's history, and turns the ring into a clue in one step; the housing bureau registers the clue and
transfers it to the police. Screenshots land in var/screenshots/ (risk-*.png)."""

import io

import pytest
from django.core.management import call_command

from casework.org.models import Membership
from referrals.models import Clue
from risk.models import Warning
from risk.synthetic import generate, write_csv
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_import_to_warning_to_clue_to_transfer(page, live_server, luoyang, alice, bob, tmp_path):  # noqa: F811
    make_user("pete", luoyang["police"], Membership.Role.HANDLER)
    market = generate(400, seed=19, minimum=1)
    path = tmp_path / "bids.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        write_csv(market, f, {t: luoyang["housing"].code for t in ("engineering", "procurement", "property_rights",
                                                                     "land_mining")})
    out = io.StringIO()
    call_command("import_tenders", str(path), user="alice", screen=True, quiet=True, stdout=out)
    assert "新增招标 400 次" in out.getvalue() and "新增预警" in out.getvalue()

    # 1. The trading centre filters the warnings down to rings.
    as_user(page, live_server, "alice")
    page.goto(f"{live_server.url}/risk/")
    page.screenshot(path=str(SHOTS / "risk-1-warnings.png"), full_page=True)
    page.select_option("select[name=screen]", "ring")
    page.get_by_role("button", name="查询").click()
    rows = page.locator("#warnings tbody tr")
    assert rows.count() == Warning.objects.filter(screen="ring").count() >= 1
    assert "随机预期" in rows.first.inner_text()

    # 2. The ring's page: explanation, network picture, tenders.
    rows.first.get_by_role("link").first.click()
    page.wait_for_selector("#ring-chart[data-rendered='1'] svg")
    assert "共同投标" in page.locator("#explanation").inner_text()
    page.screenshot(path=str(SHOTS / "risk-2-ring.png"), full_page=True)
    warning_url = page.url

    # 3. A member's history.
    page.locator("#bidders a").first.click()
    page.wait_for_selector("#history")
    assert "中标" in page.locator("#summary").inner_text()
    page.screenshot(path=str(SHOTS / "risk-3-bidder.png"), full_page=True)

    # 4. The ring becomes a clue in one step.
    page.goto(warning_url)
    page.fill("#to-clue textarea[name=note]", "三家企业长期共同投标并轮流中标，建议核查。")
    page.get_by_role("button", name="转为问题线索").click()
    page.wait_for_url("**/referrals/*/")
    clue = Clue.objects.get(external_id__startswith="RISK-")
    assert "待登记" in page.locator("#clue-status").inner_text()
    assert "抱团投标" in page.content()
    page.screenshot(path=str(SHOTS / "risk-4-clue.png"), full_page=True)

    # 5. Housing registers it and transfers it to the police.
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    page.get_by_role("button", name="登记").click()
    page.check(f"#transfer-form input[value='{luoyang['police'].pk}']")
    page.select_option("#transfer-form select[name=matter]", "crime")
    page.fill("#transfer-form textarea[name=legal_basis]", "《招标投标法》第五十三条、《刑法》第二百二十三条")
    page.fill("#transfer-form textarea[name=materials]", "风险预警及触发数据\n涉及招标的开标记录")
    page.get_by_role("button", name="移送并生成移送函、回执").click()
    page.wait_for_selector(".transfer")
    assert "已移送" in page.locator("#clue-status").inner_text()
    page.screenshot(path=str(SHOTS / "risk-5-transferred.png"), full_page=True)

    # 6. The warning page links the clue; the warning is closed for the centre.
    as_user(page, live_server, "alice")
    page.goto(warning_url)
    assert "已转线索" in page.locator("#warning-status").inner_text()
    assert clue.reference in page.locator("#clue-link").inner_text()
