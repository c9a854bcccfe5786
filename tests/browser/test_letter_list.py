"""The letters list in headless Chromium: from the navigation, find a letter by a word of its title, open it and
its PDF; a letter carrying a complainant's identity shows masked and unlinked to a handler not cleared.
Screenshots in var/screenshots/ (and /work/notes/shots/ when it exists)."""

import pytest

from casework.letters.services import issue_letter
from complaints import services as complaints
from tests.browser.test_lists import shot
from tests.browser.test_workbench import login, page  # noqa: F401  (the browser fixture)
from tests.complaints.conftest import NAME, complaint_input
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_find_a_letter_and_open_it(page, live_server, luoyang, bob, settings, tmp_path):  # noqa: F811
    from casework.org.models import Membership

    settings.MEDIA_ROOT = tmp_path / "media"
    letter = issue_letter(actor=bob, issuer=luoyang["housing"], kind="generic", addressee=luoyang["transport"],
                          title="关于洛阳市某桥梁维修工程串通投标问题线索的函", subject=luoyang["housing"],
                          body=["我局在监管中发现洛阳市某桥梁维修工程存在串通投标迹象，现函告你局，请协助核查。"])
    from django.contrib.auth.models import Permission

    bob.user_permissions.add(Permission.objects.get(codename="view_complainant"))
    complaint = complaints.file_complaint(data=complaint_input(luoyang), channel="online",
                                          submission_key="web:browser-letters").complaint
    refused = complaints.refuse_complaint(actor=bob, complaint=complaint,
                                          reasons="投诉事项已经超过法定投诉期限，依法不予受理。").decision_letter
    make_user("uma", luoyang["housing"], Membership.Role.HANDLER)

    login(page, live_server, "bob")
    page.click("#nav-letters")
    page.wait_for_load_state()
    assert page.inner_text("#list-count") == "2"
    page.fill("#list-filters input[name=search]", "桥梁")
    page.click("#list-filters button[type=submit]")
    page.wait_for_load_state()
    rows = page.inner_text("#letters tbody")
    assert letter.doc_number in rows and refused.doc_number not in rows and page.inner_text("#list-count") == "1"
    shot(page, "list-letters-search")
    page.click(f"#letters a:has-text('{letter.doc_number}')")
    page.wait_for_load_state()
    assert page.inner_text("h1") == letter.title and "洛阳市交通运输局" in page.inner_text("main")
    pdf = page.request.get(f"{live_server.url}/letters/{letter.pk}.pdf")
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf" and pdf.body().startswith(b"%PDF")
    shot(page, "letter-opened-from-list")

    page.context.clear_cookies()
    login(page, live_server, "uma")  # same bureau, not cleared for the complainant's identity
    page.goto(f"{live_server.url}/letters/")
    row = page.inner_text(f"#letters tr[data-letter='{refused.pk}']")
    assert "周**" in row and NAME not in row and "身份信息保密" in row
    assert page.locator(f"#letters tr[data-letter='{refused.pk}'] a").count() == 0
    shot(page, "list-letters-masked")
