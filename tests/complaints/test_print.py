"""The printable 投诉书 / case summary: the same identity rule as the case page, the statement, clocks and record;
and the print stylesheet hides the navigation and link addresses."""

from pathlib import Path

from casework.events.models import Event


def test_print_page_shows_identity_only_to_the_cleared_and_records_the_read(client, filed, cleared, uncleared,
                                                                             erin):
    from tests.complaints.conftest import ID_NUMBER, NAME

    url = f"/complaints/{filed.complaint.pk}/print/"
    client.force_login(cleared)
    page = client.get(url).content.decode()
    assert "投　诉　书" in page and NAME in page and ID_NUMBER in page and "法定时限" in page
    assert Event.objects.filter(action="identity.viewed").exists()
    client.force_login(uncleared)
    page = client.get(url).content.decode()
    assert NAME not in page and "周**" in page and "身份信息保密" in page
    client.force_login(erin)  # not the handling department
    assert client.get(url).status_code == 404
    client.force_login(cleared)
    assert 'id="print-complaint"' in client.get(filed.complaint.get_absolute_url()).content.decode()


def test_print_stylesheet_hides_navigation_and_urls():
    css = Path(__file__).resolve().parents[2].joinpath("static/portal/portal.css").read_text()
    block = css[css.index("@media print"):]
    for needle in (".topbar", "nav", "a[href]::after", "content: none", ".page-break", "page-break-before"):
        assert needle in block, needle
