"""A receiver opens the evidence of a transfer from its 移送函 page, in headless Chromium; an outsider gets 404.
Screenshots land in var/screenshots/ (and copies under /work/notes/shots/ when that folder exists)."""

import shutil
from pathlib import Path

import pytest

from casework.org.models import Membership
from referrals import services
from referrals.models import Matter
from tests.browser.test_referral_flow import as_user, page  # noqa: F401  (the shared Chromium fixture)
from tests.browser.test_workbench import SHOTS
from tests.conftest import make_user
from tests.referrals.conftest import clue_input

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]
NOTES = Path("/work/notes/shots")


def real_pdf() -> bytes:
    from weasyprint import HTML

    return HTML(string="<h1>比对报告</h1><p>机器码一致</p>").write_pdf()


def shot(tab, name):
    path = SHOTS / f"{name}.png"
    tab.screenshot(path=str(path), full_page=True)
    if NOTES.is_dir():
        shutil.copy(path, NOTES / f"{name}.png")
    return path


def test_receiver_opens_the_evidence_from_the_transfer_letter_page(page, live_server, luoyang, alice,  # noqa: F811
                                                                    bob, erin, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    make_user("pete", luoyang["police"], Membership.Role.HANDLER)
    clue = services.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    pdf_bytes = real_pdf()
    pdf, _ = services.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("机器码比对报告.pdf", pdf_bytes))
    import subprocess

    subprocess_png = tmp_path / "p.png"

    (tmp_path / "p.pdf").write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-png", "-r", "40", "-singlefile", str(tmp_path / "p.pdf"), str(tmp_path / "p")],
                   check=True)
    photo, _ = services.add_evidence(actor=alice, clue=clue,
                                     upload=SimpleUploadedFile("比对截图.png", subprocess_png.read_bytes()))
    transfer = services.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                                      legal_basis="《中华人民共和国刑法》第二百二十三条",
                                      materials=["线索摘要及交易记录"])[0]
    letter = transfer.transfer_letter

    # The police handler finds the 移送函 on the case page and opens its page.
    as_user(page, live_server, "pete")
    page.goto(f"{live_server.url}{clue.get_absolute_url()}")
    page.locator(f"#transfer-{transfer.pk}").get_by_role("link", name="移送函").click()
    page.wait_for_url(f"**/letters/{letter.pk}/")
    files = page.locator("#letter-files")
    assert "机器码比对报告.pdf" in files.inner_text() and "比对截图.png" in files.inner_text()
    shot(page, "docs-1-transfer-letter-page")

    # The PDF opens inline, byte for byte.
    with page.expect_popup() as popup:
        files.get_by_role("link", name="机器码比对报告.pdf").click()
    opened = popup.value
    opened.wait_for_load_state()
    response = page.request.get(f"{live_server.url}/files/{pdf.pk}/")
    assert response.status == 200 and response.body() == pdf_bytes
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["content-disposition"].startswith("inline;")
    opened.close()

    # The image opens inline in the browser.
    with page.expect_popup() as popup:
        files.get_by_role("link", name="比对截图.png").click()
    image = popup.value
    image.wait_for_load_state()
    assert image.evaluate("document.images.length === 1 && document.images[0].naturalWidth > 0")
    shot(image, "docs-2-evidence-image-opened")
    image.close()

    # An unrelated department's handler may not know the letter or the file exist.
    as_user(page, live_server, "erin")
    assert page.goto(f"{live_server.url}/letters/{letter.pk}/").status == 404
    assert page.goto(f"{live_server.url}/files/{pdf.pk}/").status == 404
    shot(page, "docs-3-outsider-404")
