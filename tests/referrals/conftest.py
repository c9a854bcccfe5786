"""Referral fixtures on top of the shared personas (tests/conftest.py). One more persona:
- pete: handler at the police (Luoyang)
and `monitor`, the trading centre's monitoring system as an API client.
"""

import datetime as dt

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.org.models import Membership
from casework.org.services import create_api_client
from casework.validators import uscc_with_check
from referrals import services
from tests.conftest import make_user


@pytest.fixture
def pete(luoyang):
    return make_user("pete", luoyang["police"], Membership.Role.HANDLER)


@pytest.fixture
def monitor(luoyang):
    """The trading centre's monitoring system: an API client and its token."""
    client, token = create_api_client(name="monitor", department=luoyang["trading_centre"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    api.client_obj = client
    return api


def payload(luoyang, **overrides) -> dict:
    data = {
        "external_id": "MON-2026-0001",
        "project_code": "LYGC2026-118",
        "project_name": "洛阳市第二实验中学教学楼工程",
        "discovered_at": (timezone.localtime() - dt.timedelta(hours=3)).isoformat(),
        "signal_type": "bid_file_fingerprint",
        "summary": "三家投标人的投标文件机器码一致，疑似同一台电脑制作。",
        "supervising_department": luoyang["housing"].code,
        "bidders": [{"name": "甲建设有限公司", "uscc": uscc_with_check("91410300MA9F1234X")},
                    {"name": "乙建筑工程有限公司", "uscc": uscc_with_check("91410300MA9G5678Y")}],
        "details": {"fingerprint": "A1B2C3"},
    }
    data.update(overrides)
    return data


def clue_input(luoyang, **overrides):
    data = payload(luoyang, **overrides)
    data["discovered_at"] = dt.datetime.fromisoformat(data["discovered_at"])
    return services.ClueInput(**data)


@pytest.fixture
def clue(luoyang, alice):
    return services.intake_clue(actor=alice, data=clue_input(luoyang)).clue
