"""One deployment serves a province: all five presets loaded into one database at once, nothing collides,
and a provincial supervision role sees every city."""

from collections import Counter

from casework.clocks import services as clocks
from casework.clocks.models import Clock
from casework.org.models import Department, Jurisdiction, Membership
from casework.org.selectors import supervised_jurisdiction_ids
from casework.org.services import ensure_provincial_supervision, load_org_preset
from casework.rules.models import RuleProfile
from tests.conftest import at, make_user

PRESETS = ["luoyang", "hegang", "pingdingshan", "weihai", "zengdu"]


def test_all_five_presets_in_one_database_and_a_provincial_supervisor(db, frozen):
    frozen(at(2026, 11, 2))
    loaded = {p: load_org_preset(preset=p) for p in PRESETS}
    assert all(loaded.values())
    depts = list(Department.objects.select_related("jurisdiction"))
    assert sum(len(v) for v in loaded.values()) == len(depts)
    for attr in ("code", "name"):
        dupes = [k for k, n in Counter(getattr(d, attr) for d in depts).items() if n > 1]
        assert not dupes, f"department {attr}s collide: {dupes}"
    juris = list(Jurisdiction.objects.all())
    assert len({j.code for j in juris}) == len(juris) and len({j.name for j in juris}) == len(juris)
    cities = [j for j in juris if j.parent_id is None]
    assert len(cities) == 5
    assert sorted(RuleProfile.objects.values_list("preset", flat=True)) == sorted(PRESETS)  # each its own profile
    # each city keeps its own supervision office
    by_id = {j.pk: j for j in juris}

    def city_of(j):
        while j.parent_id:
            j = by_id[j.parent_id]
        return j.code

    assert {city_of(d.jurisdiction) for d in depts if d.is_supervision_office} == {c.code for c in cities}

    office = ensure_provincial_supervision(code="PROVINCE", name="多市统一部署（省级）", office_code="PROV-DRC",
                                           office_name="省公共资源交易协同监管办公室", cities=cities)
    paula = make_user("paula", office, Membership.Role.SUPERVISOR)
    city_dave = make_user("dave", next(d for d in loaded["luoyang"] if d.is_supervision_office),
                          Membership.Role.SUPERVISOR)
    seen = supervised_jurisdiction_ids(paula)
    assert {j.pk for j in juris} <= seen
    assert supervised_jurisdiction_ids(city_dave) == {j.pk for j in juris if j.code.startswith("4103")}
    # a clock in every city; the provincial supervisor's overview lists them all, the city's only its own
    for city_depts in loaded.values():
        handler_dept = next(d for d in city_depts if not d.is_supervision_office)
        clocks.start_clock(actor=None, subject=handler_dept, rule_key="referral.return", department=handler_dept,
                           started_at=at(2026, 11, 2))
    in_scope = Clock.objects.filter(department__jurisdiction_id__in=seen)
    assert in_scope.count() == 5
    assert Clock.objects.filter(department__jurisdiction_id__in=supervised_jurisdiction_ids(city_dave)).count() == 1
    # loading a preset again changes nothing (a second deployment step is harmless)
    load_org_preset(preset="weihai")
    assert Department.objects.count() == len(depts) + 1  # + the provincial office
