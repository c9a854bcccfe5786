"""In Chromium: a refusal whose reason the server rejects keeps the typed text in its field, with the error
beside it, in the section it was typed in."""

import pytest

from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.complaints.conftest import filed  # noqa: F401  (fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_typed_text_survives_a_rejected_submission(page, live_server, luoyang, bob, filed):  # noqa: F811
    as_user(page, live_server, "bob")
    page.goto(f"{live_server.url}{filed.complaint.get_absolute_url()}")
    box = page.locator("form[action$='/refuse/'] textarea[name=reasons]")
    # A browser that does not check minlength (or a user who edits the page): the server is the judge.
    box.evaluate("el => { el.removeAttribute('minlength'); el.removeAttribute('required'); }")
    box.fill("材料不全")
    page.locator("form[action$='/refuse/'] button").click()
    page.wait_for_selector(".field-error.replayed")
    assert page.locator("form[action$='/refuse/'] textarea[name=reasons]").input_value() == "材料不全"
    assert "不少于10个字" in page.locator("form[action$='/refuse/'] .field-error").inner_text()
    assert page.locator(".alert.error").count() == 1
    page.screenshot(path=str(SHOTS / "form-replay.png"), full_page=True)
