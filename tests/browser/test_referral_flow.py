"""A clue walked end to end in headless Chromium, as each department's staff would:
the trading centre pushes it with evidence; housing registers and transfers it to the police;
the police sign the receipt and return it with reasons; housing re-transfers it to market
regulation, which accepts and reports the result. Screenshots and letter PNGs land in var/screenshots/."""

import datetime as dt
import subprocess
from pathlib import Path

import pytest
from django.db import connections
from django.utils import timezone

from casework.org.models import Membership
from referrals.models import Clue
from tests.browser.test_workbench import CHROMIUM, SHOTS, login
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def page(monkeypatch):
    from playwright.sync_api import sync_playwright

    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    SHOTS.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"])
        context = browser.new_context(locale="zh-CN", viewport={"width": 1280, "height": 900}, accept_downloads=True)
        yield context.new_page()
        browser.close()
        connections.close_all()


def as_user(page, live_server, username):
    page.context.clear_cookies()
    login(page, live_server, username)


def letter_png(page, live_server, link_text: str, name: str, within: str = "body") -> Path:
    href = page.locator(within).get_by_role("link", name=link_text).first.get_attribute("href")
    if not href.endswith(".pdf"):  # the letter's page (/letters/N/): its stored PDF is /letters/N.pdf
        href = href.rstrip("/") + ".pdf"
    pdf = page.request.get(f"{live_server.url}{href}").body()
    assert pdf.startswith(b"%PDF")
    target = SHOTS / f"{name}.pdf"
    target.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "50", "-f", "1", "-l", "1", str(target), str(SHOTS / name)], check=True)
    return next(SHOTS.glob(f"{name}-*1.png"))


def test_clue_from_intake_to_result(page, live_server, luoyang, alice, bob, tmp_path):
    make_user("pete", luoyang["police"], Membership.Role.HANDLER)
    make_user("mary", luoyang["market_regulation"], Membership.Role.HANDLER)
    evidence = tmp_path / "机器码比对报告.pdf"
    evidence.write_bytes(b"%PDF-1.4\n% fingerprint comparison\n")

    # 1. The trading centre pushes the clue with evidence.
    as_user(page, live_server, "alice")
    page.goto(f"{live_server.url}/referrals/new/")
    page.fill("input[name=project_code]", "LYGC2026-118")
    page.fill("input[name=project_name]", "洛阳市第二实验中学教学楼工程")
    page.fill("input[name=discovered_at]", (timezone.localtime() - dt.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    page.select_option("select[name=signal_type]", "bid_file_fingerprint")
    page.select_option("select[name=supervising_department]", luoyang["housing"].code)
    page.fill("textarea[name=summary]", "三家投标人的投标文件机器码一致，疑似同一台电脑制作。")
    page.set_input_files("input[name=files]", str(evidence))
    page.screenshot(path=str(SHOTS / "referral-1-intake.png"), full_page=True)
    page.get_by_role("button", name="推送").click()
    page.wait_for_url("**/referrals/*/")
    assert "待登记" in page.locator("#clue-status").inner_text()
    clue = Clue.objects.get()

    # 2. Housing registers it and transfers it to the police.
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    page.get_by_role("button", name="登记").click()
    page.check(f"#transfer-form input[value='{luoyang['police'].pk}']")
    page.select_option("#transfer-form select[name=matter]", "crime")
    page.fill("#transfer-form textarea[name=legal_basis]", "《招标投标法》第五十三条、国务院第310号令")
    page.get_by_role("button", name="移送并生成移送函、回执").click()
    assert "已移送" in page.content()
    assert "机器码比对报告.pdf" in page.locator(".transfer-files").first.inner_text()
    shot = letter_png(page, live_server, "移送函", "referral-letter-transfer")
    assert shot.stat().st_size > 5000

    # 3. The police sign the receipt and return it with written reasons.
    as_user(page, live_server, "pete")
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    page.get_by_role("button", name="签收回执").click()
    assert "已签收" in page.content()
    page.fill("textarea[name=reasons]", "经审查，该线索尚不涉嫌刑事犯罪，属于行政违法行为，应由市场监管部门依法处理。")
    page.get_by_role("button", name="书面说明理由并退回").click()
    assert "已退回 1 次" in page.locator("#return-count").inner_text()
    letter_png(page, live_server, "退回函", "referral-letter-return")

    # 4. Housing re-transfers to market regulation.
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    page.check(f"#transfer-form input[value='{luoyang['market_regulation'].pk}']")
    page.select_option("#transfer-form select[name=matter]", "qualification_penalty")
    page.fill("#transfer-form textarea[name=legal_basis]", "《招标投标法》第五十四条")
    page.select_option("#transfer-form select[name=delivery_method]", "in_person")
    page.fill("#transfer-form input[name=delivered_at]", timezone.localtime().strftime("%Y-%m-%dT%H:%M"))
    page.get_by_role("button", name="移送并生成移送函、回执").click()
    assert page.locator(".transfer").count() == 2

    # 5. Market regulation accepts and reports the result: the loop closes.
    as_user(page, live_server, "mary")
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    page.get_by_role("button", name="受理").click()
    page.fill("form:has(textarea[name=result]) input[name=completed_on]", timezone.localtime().strftime("%Y-%m-%d"))
    page.fill("textarea[name=result]", "已对三家投标人立案调查，拟依法处以罚款并记入信用记录。")
    page.get_by_role("button", name="书面反馈处理结果").click()
    assert "已办结" in page.locator("#clue-status").inner_text()
    mine = clue.transfers.get(receiver=luoyang["market_regulation"])
    assert page.locator(f"#transfer-{clue.transfers.get(receiver=luoyang['police']).pk} a").count() == 0
    letter_png(page, live_server, "移送回执", "referral-letter-receipt", within=f"#transfer-{mine.pk}")
    page.screenshot(path=str(SHOTS / "referral-2-closed.png"), full_page=True)
    timeline = page.locator("ol.timeline").inner_text()
    for step in ("移送", "签收", "书面说明理由退回", "受理", "签发文书"):
        assert step in timeline, step
