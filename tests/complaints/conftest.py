"""Complaint fixtures. Personas beyond tests/conftest.py:
- bob is cleared to see complainants' identity (complaints.view_complainant); `uncleared` is another
  housing handler who is not.
"""

import pytest
from django.contrib.auth.models import Permission

from casework.org.models import Membership
from complaints import services
from tests.conftest import make_user

NAME, ID_NUMBER, PHONE = "周明远", "410302199001011235", "13800138000"


def complaint_input(luoyang=None, **overrides) -> services.ComplaintInput:
    data = dict(
        complainant_type="person", complainant_name=NAME, complainant_id_number=ID_NUMBER, contact_phone=PHONE,
        contact_email="zhou@example.invalid", project_code="LYGC2026-201", project_name="洛阳市某道路改造工程",
        trading_type="engineering", grounds_category="bid_rigging",
        grounds="中标候选人甲公司与乙公司的投标文件由同一人编制，存在串通投标行为。",
        requested_outcome="请求查处串通投标行为并重新确定中标人。",
        department=luoyang["housing"].code if luoyang else "")
    data.update(overrides)
    return services.ComplaintInput(**data)


@pytest.fixture
def cleared(bob):
    bob.user_permissions.add(Permission.objects.get(codename="view_complainant"))
    return bob


@pytest.fixture
def uncleared(luoyang):
    return make_user("uma", luoyang["housing"], Membership.Role.HANDLER)


@pytest.fixture
def filed(luoyang):
    return services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:k1")
