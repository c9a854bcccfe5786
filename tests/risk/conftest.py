"""Risk fixtures on top of the shared personas. `monitor` is the trading centre's system (API client);
`tender_payload` builds a valid tender; `ring_data` pushes a small market with one ring in it."""

import datetime as dt
import random

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from casework.org.services import create_api_client
from casework.validators import uscc_with_check
from risk import services


def firm(i: int) -> str:
    return uscc_with_check(f"91410300MA{i:07d}")


NAMES = ["甲建设有限公司", "乙建筑工程有限公司", "丙路桥有限公司", "丁市政工程有限公司", "戊园林有限公司",
         "己安装工程有限公司", "庚装饰有限公司", "辛水利工程有限公司"]


def name(i: int) -> str:
    return NAMES[i] if i < len(NAMES) else f"投标人{i}有限公司"


@pytest.fixture
def monitor(luoyang):
    client, token = create_api_client(name="risk-monitor", department=luoyang["trading_centre"])
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return api


def tender_payload(luoyang, tender_id="ZB-2026-001", bidders=(0, 1, 2), winner=0, amounts=None, days_ago=10,
                   **overrides):
    amounts = amounts or [900_000 + 13_579 * i for i in range(len(bidders))]
    data = {
        "tender_id": tender_id, "project_code": f"P-{tender_id}", "project_name": f"{tender_id} 道路改造工程",
        "trading_type": "engineering", "supervising_department": luoyang["housing"].code,
        "opened_at": (timezone.localtime() - dt.timedelta(days=days_ago)).isoformat(), "estimate": "1000000.00",
        "bids": [{"uscc": firm(b), "name": name(b), "amount": f"{a:.2f}", "winner": b == winner,
                  "file_fingerprint": f"fp-{tender_id}-{b}", "ip": f"10.1.{b}.{len(tender_id)}", "mac": f"mac-{b}",
                  "legal_rep": f"代表人{b}", "contact_phone": f"1390000{b:04d}", "key_staff": [f"项目经理{b}"]}
                 for b, a in zip(bidders, amounts, strict=True)],
    }
    data.update(overrides)
    return data


def tender_input(payload) -> services.TenderInput:
    return services.TenderInput(**payload)


def push(alice, luoyang, **kw):
    return services.intake_tender(actor=alice, data=tender_input(tender_payload(luoyang, **kw)), schedule=False)


@pytest.fixture
def ring_data(luoyang, alice):
    """Firms 0, 1, 2 bid together in 8 tenders and take turns to win; 150 more tenders between 60 other
    firms make the market around them. One tender (the first) has firms 0 and 1 sharing a MAC."""
    for n in range(8):
        payload = tender_payload(luoyang, tender_id=f"RING-{n}", bidders=(0, 1, 2, 10 + n % 5), winner=n % 3,
                                 days_ago=200 - 20 * n)
        if n == 0:
            payload["bids"][1]["mac"] = payload["bids"][0]["mac"]
        services.intake_tender(actor=alice, data=tender_input(payload), schedule=False)
    rng = random.Random(4)
    for n in range(150):
        bidders = tuple(20 + i for i in rng.sample(range(60), 4))
        push(alice, luoyang, tender_id=f"H-{n}", bidders=bidders, winner=bidders[n % 4], days_ago=190 - n)
