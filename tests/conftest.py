"""Shared fixtures. Personas (Luoyang preset):

- alice: handler at the trading centre (sends clues)
- bob: handler at the housing bureau (receives them)
- carol: leader of the housing bureau
- dave: supervisor at the DRC, the supervision office (sees the whole city)
- erin: handler at the transport bureau (an outsider to alice/bob's items)
- olga: system administrator; sam: security administrator; audrey: auditor (三员分立, no case content)
- root: a Django superuser with no case role (must read nothing)
- lily: liaison of the housing bureau
- leo: leader of the DRC, the supervision office (signs off circulars and reports; sees the city's figures)
"""

import datetime as dt

import pytest
import time_machine
from django.contrib.auth import get_user_model

from casework.clocks.timing import SHANGHAI
from casework.org.models import Department, Membership
from casework.org.services import add_membership, load_org_preset


def at(y, m, d, hh=10, mm=0) -> dt.datetime:
    """An aware Asia/Shanghai datetime."""
    return dt.datetime(y, m, d, hh, mm, tzinfo=SHANGHAI)


@pytest.fixture(autouse=True)
def _audit_checkpoints(settings, tmp_path):
    """Each test anchors the audit chain in its own checkpoint file (the database is fresh too)."""
    settings.AUDIT_CHECKPOINT_DIR = tmp_path / "audit-checkpoints"


@pytest.fixture
def luoyang(db):
    depts = load_org_preset(preset="luoyang")
    by_type = {}
    for d in depts:
        by_type.setdefault(d.type, d)
    by_type["all"] = depts
    return by_type


def make_user(username, dept: Department, role: str, **extra):
    user = get_user_model().objects.create_user(username=username, password="pw-" + username,
                                                email=f"{username}@example.invalid", **extra)
    add_membership(user=user, department=dept, role=role)
    return user


@pytest.fixture
def alice(luoyang):
    return make_user("alice", luoyang["trading_centre"], Membership.Role.HANDLER)


@pytest.fixture
def bob(luoyang):
    return make_user("bob", luoyang["housing"], Membership.Role.HANDLER)


@pytest.fixture
def carol(luoyang):
    return make_user("carol", luoyang["housing"], Membership.Role.LEADER)


@pytest.fixture
def dave(luoyang):
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    return make_user("dave", office, Membership.Role.SUPERVISOR)


@pytest.fixture
def erin(luoyang):
    return make_user("erin", luoyang["transport"], Membership.Role.HANDLER)


@pytest.fixture
def olga(luoyang):
    """The system administrator (三员分立): users, departments, calendar, rules, API clients; no case content."""
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    return make_user("olga", office, Membership.Role.ADMIN, is_staff=True)


@pytest.fixture
def sam(luoyang):
    """The security administrator: roles and permissions; no case content."""
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    return make_user("sam", office, Membership.Role.SECURITY_ADMIN)


@pytest.fixture
def audrey(luoyang):
    """The auditor: reads and verifies the audit trail; no case content."""
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    return make_user("audrey", office, Membership.Role.AUDITOR)


@pytest.fixture
def root(luoyang):
    """A Django superuser with no case role: must read nothing of the cases."""
    return get_user_model().objects.create_superuser("root", "root@example.invalid", "pw-root")


@pytest.fixture
def lily(luoyang):
    """Liaison (联络员) of the housing bureau: contacts and notices, no decisions."""
    return make_user("lily", luoyang["housing"], Membership.Role.LIAISON)


@pytest.fixture
def leo(luoyang):
    office = next(d for d in luoyang["all"] if d.is_supervision_office)
    return make_user("leo", office, Membership.Role.LEADER)


@pytest.fixture
def frozen():
    """Pin the clock: `frozen(at(...))` travels there without ticking."""
    travellers = []

    def go(when):
        traveller = time_machine.travel(when, tick=False)
        traveller.start()
        travellers.append(traveller)
        return when

    yield go
    for traveller in reversed(travellers):
        traveller.stop()


def run_concurrently(*workers, timeout: float = 60):
    """Run each callable in its own thread, released together by a barrier, each closing its own
    database connection. Returns (results, errors) in completion order."""
    import threading

    from django.db import connection

    barrier, results, errors = threading.Barrier(len(workers)), [], []

    def run(work):
        try:
            barrier.wait(timeout=timeout)
            results.append(work())
        except Exception as exc:  # reported to the caller
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(w,)) for w in workers]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
    return results, errors
