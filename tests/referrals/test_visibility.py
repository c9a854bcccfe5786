"""Who sees a clue. visible_clues reads the facts the object permissions are granted from (source, supervising
department, police copy, transfer receivers, dispute office; supervisors by jurisdiction) instead of
django-guardian's table: it must answer exactly as the guardian reading did, in every situation, for every persona."""

import pytest
from django.contrib.auth.models import AnonymousUser
from guardian.models import GroupObjectPermission

from casework.org.models import Department, Jurisdiction, Membership
from casework.org.selectors import scoped
from casework.org.services import add_membership, ensure_department, ensure_jurisdiction, load_org_preset
from casework.privacy import grant_break_glass
from referrals import selectors, services
from referrals.models import Clue, Matter
from tests.conftest import make_user
from tests.referrals.conftest import clue_input

BASIS = "《招标投标法》第五十三条、国务院第310号令"
MATERIALS = ["线索摘要及交易记录"]
REASONS = "经审查，该事项不属于本单位职责范围，请依法移送有管辖权的机关。"


def by_grants(user):
    """The reading visible_clues replaced: object permissions through django-guardian (plus supervisors)."""
    return scoped(user, Clue.objects.all(), department_fields=("supervising_department", "source_department"),
                  perm="referrals.view_clue")


def send(clue, actor, receiver):
    return services.transfer_clue(actor=actor, clue=clue, receivers=[receiver], matter=Matter.CRIME,
                                  legal_basis=BASIS, materials=MATERIALS)[0]


@pytest.fixture
def world(luoyang, alice, bob, carol, lily, dave, leo, erin, olga, sam, audrey, root, monitor):
    """A clue in every situation, and everyone who might look at them."""
    pete = make_user("pete", luoyang["police"], Membership.Role.HANDLER)
    pat = make_user("pat", luoyang["procuratorate"], Membership.Role.HANDLER)
    district = ensure_jurisdiction(code="410302", name="老城区", level=Jurisdiction.Level.DISTRICT,
                                   parent=luoyang["police"].jurisdiction)
    district_police = ensure_department(code="LY-LC-POLICE", name="洛阳市公安局老城分局", short_name="老城分局",
                                        type=Department.Type.POLICE, jurisdiction=district)
    lao = make_user("lao", district_police, Membership.Role.HANDLER)

    def push(n):
        return services.intake_clue(actor=alice, data=clue_input(luoyang, external_id=f"VIS-{n}")).clue

    clues = {"pushed": push(1)}
    clues["transferred"] = push(2)
    send(clues["transferred"], bob, luoyang["police"])
    clues["returned"] = push(3)
    services.return_transfer(actor=pete, transfer=send(clues["returned"], bob, luoyang["police"]), reasons=REASONS)
    clues["forwarded"] = push(4)
    services.forward_transfer(actor=pete, transfer=send(clues["forwarded"], bob, luoyang["police"]),
                              to_department=district_police, reasons="属老城区辖区案件")
    clues["disputed"] = push(5)
    for _ in range(2):
        services.return_transfer(actor=pete, transfer=send(clues["disputed"], bob, luoyang["police"]),
                                 reasons=REASONS)
    clues["reported"] = services.intake_report(department=luoyang["transport"], project_code="",
                                               project_name="某道路工程", summary="有人在开标前打听其他投标人的报价。",
                                               submission_key="vis-report").clue
    clues["district"] = services.intake_report(department=district_police, project_code="",
                                               project_name="老城区某工程", summary="围标串标，投标文件雷同明显。",
                                               submission_key="vis-district").clue
    clues["inactive receiver"] = push(6)
    send(clues["inactive receiver"], bob, luoyang["procuratorate"])
    Department.objects.filter(pk=luoyang["procuratorate"].pk).update(active=False)  # its group keeps the grant
    # Another city whose profile copies bid rigging to the police (Weihai (八)).
    weihai = {d.type: d for d in load_org_preset(preset="weihai") if d.jurisdiction.code == "371000"}
    wei = make_user("wei", weihai["trading_centre"], Membership.Role.HANDLER)
    wang = make_user("wang", weihai["police"], Membership.Role.HANDLER)
    clues["copied"] = services.intake_clue(actor=wei, data=clue_input({"housing": weihai["housing"]})).clue
    assert clues["copied"].copies.get().department == weihai["police"]
    grant_break_glass(actor=sam, grantee=erin, reason="核查投诉人身份信息是否被泄露", hours=2)
    people = {"alice": alice, "bob": bob, "carol": carol, "lily": lily, "dave": dave, "leo": leo, "erin": erin,
              "olga": olga, "sam": sam, "audrey": audrey, "root": root, "pete": pete, "pat": pat, "lao": lao,
              "wei": wei, "wang": wang, "monitor": monitor.client_obj.user, "anonymous": AnonymousUser()}
    assert clues["disputed"].disputes.exists() and clues["forwarded"].transfers.count() == 2
    return clues, people


def _opens(user, pk) -> bool:
    from casework.errors import NotFound

    try:
        selectors.get_clue(user, pk)
    except NotFound:
        return False
    return True


def fresh(user):
    """The user as a new request reads it (nothing cached on the object)."""
    return user if not user.is_authenticated else type(user).objects.get(pk=user.pk)


def test_every_persona_sees_exactly_what_the_object_permissions_grant(world):
    clues, people = world
    names = {c.pk: name for name, c in clues.items()}
    seen = {}
    for who, user in people.items():
        new = {names[pk] for pk in selectors.visible_clues(fresh(user)).values_list("pk", flat=True)}
        old = {names[pk] for pk in by_grants(fresh(user)).values_list("pk", flat=True)}
        assert new == old, who
        one_by_one = {name for name, clue in clues.items() if _opens(fresh(user), clue.pk)}
        assert one_by_one == new, who  # get_clue judges one clue as visible_clues does
        seen[who] = new
    luoyang_clues = set(clues) - {"copied"}
    assert seen["dave"] == luoyang_clues  # the city's supervisor, district included; not Weihai
    assert seen["bob"] == seen["carol"] == seen["lily"] == luoyang_clues - {"reported", "district"}
    assert seen["alice"] == seen["monitor"] == seen["bob"]  # the trading centre pushed them
    assert seen["pete"] == {"transferred", "returned", "forwarded", "disputed"}
    assert seen["lao"] == {"forwarded", "district"}
    assert seen["leo"] == {"disputed"}  # the office's leader: the dispute put before the office
    assert seen["pat"] == {"inactive receiver"}
    assert seen["erin"] == {"reported"}  # break-glass unmasks pages, it opens none
    assert seen["wei"] == seen["wang"] == {"copied"}
    for nobody in ("olga", "sam", "audrey", "root", "anonymous"):
        assert seen[nobody] == set(), nobody


def test_every_grant_is_one_of_the_facts_the_selector_reads(world):
    """A new grant in referrals.services that visible_clues does not read fails here."""
    clues, _ = world
    for name, clue in clues.items():
        granted = set(GroupObjectPermission.objects.filter(
            permission__codename="view_clue", object_pk=str(clue.pk)).values_list("group_id", flat=True))
        facts = {clue.source_department, clue.supervising_department}
        facts |= {c.department for c in clue.copies.all()} | {t.receiver for t in clue.transfers.all()}
        facts |= {d.office for d in clue.disputes.all()}
        assert granted == {d.group_id for d in facts}, name


def test_a_new_membership_is_seen_at_once(world, luoyang):
    clues, people = world
    erin = people["erin"]
    assert not selectors.visible_clues(erin).filter(pk=clues["pushed"].pk).exists()
    add_membership(user=erin, department=luoyang["housing"], role=Membership.Role.HANDLER)
    assert selectors.visible_clues(erin).filter(pk=clues["pushed"].pk).exists()
