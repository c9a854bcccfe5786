"""Bad input posted from a page shows that page again (400) with what was typed and the error beside the field,
instead of an error page that throws the text away."""

import json
import re

from complaints.models import Complaint
from tests.complaints.conftest import (
    complaint_input,  # noqa: F401
    filed,  # noqa: F401  (fixture)
)


def replay_data(html: str) -> dict:
    found = re.search(r'<script id="form-replay" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page carries the typed values for forms.js"
    return json.loads(found.group(1))


def test_a_short_refusal_reason_shows_the_case_again_with_the_text(client, bob, filed):  # noqa: F811
    complaint = filed.complaint
    client.force_login(bob)
    page_url = f"http://testserver{complaint.get_absolute_url()}"
    typed = "材料不全"
    resp = client.post(f"/complaints/{complaint.pk}/refuse/", {"reasons": typed}, HTTP_REFERER=page_url)
    assert resp.status_code == 400
    html = resp.content.decode()
    assert complaint.reference in html and f'action="/complaints/{complaint.pk}/refuse/"' in html
    data = replay_data(html)
    assert data["action"] == f"/complaints/{complaint.pk}/refuse/"
    assert data["values"] == {"reasons": [typed]} and "reasons" in data["errors"]
    assert "portal/forms.js" in html and 'class="alert error"' in html
    assert Complaint.objects.get(pk=complaint.pk).status == "submitted"  # nothing half-done
    # The next page does not repeat the message.
    assert "alert error" not in client.get(complaint.get_absolute_url()).content.decode()


def test_without_a_page_of_ours_to_return_to_the_error_page_stays(client, bob, filed):  # noqa: F811
    complaint = filed.complaint
    client.force_login(bob)
    plain = client.post(f"/complaints/{complaint.pk}/refuse/", {"reasons": "短"})
    assert plain.status_code == 400 and "无法完成操作" in plain.content.decode()
    foreign = client.post(f"/complaints/{complaint.pk}/refuse/", {"reasons": "短"},
                          HTTP_REFERER="https://evil.example/complaints/1/")
    assert foreign.status_code == 400 and "form-replay" not in foreign.content.decode()
