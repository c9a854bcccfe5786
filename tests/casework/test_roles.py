"""Roles inside a department: a liaison decides nothing; pausing, extending and deciding need a leader (or the
profile's chosen role); each refusal names the role needed."""

import pytest

from casework.clocks import services as clocks
from casework.errors import Forbidden
from casework.rules.models import RuleProfile
from casework.rules.powers import has_power
from complaints import services
from referrals import services as referrals
from tests.complaints.conftest import complaint_input
from tests.referrals.conftest import clue_input


def _complaint(luoyang, key="web:r1"):
    return services.file_complaint(data=complaint_input(luoyang), channel="online", submission_key=key).complaint


def test_liaison_decides_nothing(luoyang, lily, alice):
    complaint = _complaint(luoyang)
    with pytest.raises(Forbidden, match="经办人或负责人"):
        services.accept_complaint(actor=lily, complaint=complaint)
    clue = referrals.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    with pytest.raises(Forbidden, match="登记线索须由.*经办人或负责人"):
        referrals.register_clue(actor=lily, clue=clue)
    with pytest.raises(Forbidden, match="经办人或负责人"):
        referrals.handle_clue(actor=lily, clue=clue, result="已核查完毕，不存在问题。")
    assert has_power(lily, luoyang["housing"], "contacts.maintain")


def test_decision_pause_extension_need_a_leader(luoyang, bob, carol):
    complaint = services.accept_complaint(actor=bob, complaint=_complaint(luoyang))
    clock = services.decision_clock(complaint)
    with pytest.raises(Forbidden, match="暂停或恢复法定时限计时须由洛阳市住房和城乡建设局的负责人办理"):
        clocks.pause_clock(actor=bob, clock=clock, reason="等待专家评审意见")
    with pytest.raises(Forbidden, match="批准延长法定时限须由.*负责人"):
        clocks.extend_clock(actor=bob, clock=clock, units=5, reason="案情复杂需要延期")
    with pytest.raises(Forbidden, match="作出投诉处理决定须由.*负责人"):
        services.decide_complaint(actor=bob, complaint=complaint, outcome="dismissed",
                                  decision="经调查，投诉缺乏事实依据，予以驳回。")
    clocks.pause_clock(actor=carol, clock=clock, reason="等待专家评审意见")
    services_complaint = services.decide_complaint(actor=carol, complaint=complaint, outcome="dismissed",
                                                   decision="经调查，投诉缺乏事实依据，予以驳回。")
    assert services_complaint.status == "decided"


def test_profile_chooses_the_role(luoyang, bob):
    profile = RuleProfile.objects.get(jurisdiction=luoyang["housing"].jurisdiction)
    profile.role_powers = {"complaint.decide": ["handler", "leader"]}
    profile.save(update_fields=["role_powers"])
    complaint = services.accept_complaint(actor=bob, complaint=_complaint(luoyang, "web:r2"))
    done = services.decide_complaint(actor=bob, complaint=complaint, outcome="dismissed",
                                     decision="经调查，投诉缺乏事实依据，予以驳回。")
    assert done.status == "decided"
