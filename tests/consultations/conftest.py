"""Consultation fixtures on top of the shared personas (tests/conftest.py). More people:
- lena: handler at the DRC, the lead department (manages the mechanism, convenes regular meetings)
- pete: handler at the police
`mechanism`: Luoyang's mechanism, set up on Monday 2 March 2026 with every city department as a member."""

import pytest

from casework.org.models import Membership
from consultations import services
from consultations.models import Meeting
from tests.conftest import at, make_user

SET_UP = at(2026, 3, 2, 9)  # a Monday


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def drc(luoyang):
    return next(d for d in luoyang["all"] if d.is_supervision_office)


@pytest.fixture
def lena(drc):
    return make_user("lena", drc, Membership.Role.HANDLER, first_name="李娜")


@pytest.fixture
def pete(luoyang):
    return make_user("pete", luoyang["police"], Membership.Role.HANDLER)


@pytest.fixture
def mechanism(luoyang, drc, lena, frozen):
    frozen(SET_UP)
    return services.establish_mechanism(
        actor=lena, lead=drc, name="洛阳市公共资源交易协同监管会商机制", basis="洛发改公管〔2025〕5号 一",
        established_on=SET_UP.date(), members=[d for d in luoyang["all"] if d != drc])


def meeting_input(luoyang, **overrides):
    data = {"kind": Meeting.Kind.AD_HOC, "scope": Meeting.Scope.MULTILATERAL, "title": "研究围标串标线索联合查处",
            "place": "市发改委三楼会议室", "starts_at": at(2026, 3, 10, 9, 30), "reply_due_on": at(2026, 3, 6).date(),
            "agenda": ["通报线索移送情况", "研究联合查处方案"],
            "invitees": [luoyang["transport"], luoyang["police"]], "purpose": "协商解决监管和执法中的具体问题。"}
    data.update(overrides)
    return services.MeetingInput(**data)


def held_meeting(luoyang, mechanism, convener_user, frozen, *, convener=None, kind=Meeting.Kind.AD_HOC, **overrides):
    """A meeting scheduled on 2 March and held on 10 March 2026, everybody present."""
    frozen(SET_UP)
    meeting = services.schedule_meeting(actor=convener_user, mechanism=mechanism,
                                        convener=convener or luoyang["housing"],
                                        data=meeting_input(luoyang, kind=kind, **overrides))
    frozen(at(2026, 3, 10, 11))
    attendance = {i.pk: [f"{i.department.display_name}代表"] for i in meeting.invitations.all()}
    return services.record_meeting(actor=convener_user, meeting=meeting, held_at=at(2026, 3, 10, 9, 30),
                                   place=meeting.place, chair="王建国",
                                   summary="会议研究了围标串标线索的联合查处工作。", attendance=attendance)
