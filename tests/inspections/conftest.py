"""Fixtures for 双随机一公开 on top of the shared personas (tests/conftest.py): bob (housing handler) leads the
plans, carol (housing leader) may re-draw, erin (transport) and mia (market regulation) are participants,
alice (trading centre) registers projects. One more persona:
- mia: handler at market regulation (Luoyang)
"""

import datetime as dt

import pytest
from django.utils import timezone

from casework.org.models import Membership
from casework.validators import uscc_with_check
from inspections import services
from tests.conftest import at, make_user


def uscc(n: int) -> str:
    return uscc_with_check(f"91410300MA{n:07d}")


def organ(n: int) -> str:
    return uscc_with_check(f"11410300MB{n:07d}")


@pytest.fixture
def june(frozen):
    """Monday 2026-06-01 09:00, before the other fixtures are built (list it first)."""
    return frozen(at(2026, 6, 1, 9))


@pytest.fixture
def mia(luoyang):
    return make_user("mia", luoyang["market_regulation"], Membership.Role.HANDLER)


def add_inspector(actor, dept, name, number, specialities, links=(), expires=dt.date(2035, 12, 31), active=True):
    return services.save_inspector(actor=actor, department=dept, data=services.InspectorInput(
        name=name, certificate_number=number, certificate_expires_on=expires, specialities=list(specialities),
        active=active, declared_links=list(links)))


@pytest.fixture
def pool(luoyang, bob, erin, mia):
    """Three people in each of housing, transport and market regulation, all with the housing speciality;
    market regulation's also with the agency speciality."""
    people = {}
    for actor, dept, prefix, specialities in ((bob, luoyang["housing"], "H", ["housing"]),
                                              (erin, luoyang["transport"], "T", ["housing", "transport"]),
                                              (mia, luoyang["market_regulation"], "S", ["housing", "agency"])):
        for i in range(1, 4):
            people[f"{prefix}{i}"] = add_inspector(actor, dept, f"{prefix}{i}", f"LY-{prefix}-000{i}", specialities)
    return people


def project_input(luoyang, n, dept="housing", risk="high", completed=None, **overrides) -> services.ProjectInput:
    data = dict(project_code=f"LYGC-{n:03d}", name=f"洛阳第{n}号工程", trading_field="engineering",
                supervising_department=luoyang[dept].code,
                tender_completed_on=completed or timezone.localdate() - dt.timedelta(days=30 + n),
                risk_level=risk, tenderer_name=f"洛阳招标人{n}", tenderer_uscc=organ(n),
                winner_name=f"洛阳中标人{n}有限公司", winner_uscc=uscc(n), agency_name="洛阳代理有限公司",
                agency_uscc=uscc(999))
    data.update(overrides)
    return services.ProjectInput(**data)


def add_project(actor, luoyang, n, **kw):
    project, _ = services.register_project(actor=actor, data=project_input(luoyang, n, **kw))
    return project


@pytest.fixture
def directory(luoyang, alice):
    """Housing projects: 10 high, 10 medium, 10 low risk (codes LYGC-001..030); two transport projects."""
    out = []
    for n in range(1, 31):
        out.append(add_project(alice, luoyang, n, risk="high" if n <= 10 else "medium" if n <= 20 else "low"))
    for n in (31, 32):
        out.append(add_project(alice, luoyang, n, dept="transport", risk="high"))
    return out


@pytest.fixture
def item(luoyang, bob):
    return services.create_item(actor=bob, department=luoyang["housing"], title="房建市政工程招标投标活动检查",
                                trading_field="engineering", content="招标文件、评标、合同订立",
                                legal_basis="《招标投标法》", method="documents")


def plan_input(item, **overrides) -> services.PlanInput:
    today = timezone.localdate()
    data = dict(title="2026年房建市政工程双随机抽查", items=[item], starts_on=today,
                ends_on=today + dt.timedelta(days=30), ratio_high="30", ratio_medium="10", ratio_low="5",
                team=[{"speciality": "housing", "count": 2}])
    data.update(overrides)
    return services.PlanInput(**data)


@pytest.fixture
def plan(luoyang, bob, item, pool, directory):
    """A housing-led joint plan with transport and market regulation, over housing's projects."""
    return services.create_plan(actor=bob, department=luoyang["housing"], data=plan_input(
        item, participants=[luoyang["transport"], luoyang["market_regulation"]],
        scope_departments=[luoyang["housing"]]))
