"""Reads of clues, scoped: the departments that pushed, supervise, received or were copied see a
clue; supervisors see their jurisdiction; everyone else gets a 404."""

from django.db.models import Q

from casework.errors import NotFound
from casework.events.models import Event
from casework.org.selectors import scoped
from referrals.models import Clue, Transfer


def visible_clues(user):
    return scoped(user, Clue.objects.select_related("source_department", "supervising_department"),
                  department_fields=("supervising_department", "source_department"), perm="referrals.view_clue")


def get_clue(user, pk) -> Clue:
    clue = visible_clues(user).filter(pk=pk).first()
    if clue is None:
        raise NotFound("未找到该线索。")
    return clue


def get_transfer(user, clue: Clue, pk) -> Transfer:
    transfer = clue.transfers.select_related("sender", "receiver", "handoff").filter(pk=pk).first()
    if transfer is None:
        raise NotFound("未找到该移送。")
    return transfer


def clue_clocks(clue: Clue):
    """The clue's clocks and those of every hand-over of it, in one query."""
    from django.contrib.contenttypes.models import ContentType

    from casework.clocks.models import Clock
    from casework.handoffs.models import Handoff

    handoffs = [str(pk) for pk in clue.transfers.values_list("handoff_id", flat=True)]
    types = ContentType.objects.get_for_models(Clue, Handoff)
    return (Clock.objects.filter(Q(subject_type=types[Clue], subject_id=str(clue.pk))
                                 | Q(subject_type=types[Handoff], subject_id__in=handoffs))
            .select_related("department", "rule_version__rule").order_by("started_at", "pk"))


def clue_timeline(clue: Clue):
    """Every event of the clue, its transfers' hand-overs, their clocks and letters, in order."""
    rows = list(clue.transfers.values_list("handoff_id", "transfer_letter_id", "receipt_letter_id",
                                           "return_letter_id", "forward_letter_id"))
    letters = [str(pk) for row in rows for pk in row[1:] if pk]
    clocks = [str(pk) for pk in clue_clocks(clue).values_list("pk", flat=True)]
    return Event.objects.filter(
        Q(object_type="referrals.clue", object_id=str(clue.pk))
        | Q(object_type="casework.handoff", object_id__in=[str(row[0]) for row in rows])
        | Q(object_type="casework.clock", object_id__in=clocks)
        | Q(object_type="casework.letter", object_id__in=letters)).order_by("seq")


# Where a matter goes (shared/RULES.md routing table; Luoyang 三(二), Weihai (十二), Zengdu 第十二条).
ROUTES = {
    "official_misconduct": ["discipline"],
    "public_interest": ["procuratorate"],
    "crime": ["police"],
    "qualification_penalty": ["housing", "transport", "water", "market_regulation"],
    "contract_quality_safety": ["housing", "transport", "water"],
    "funding": ["finance"],
    "land_mining_title": ["natural_resources"],
    "trading_ban": ["drc"],
}
PENALTY_MATTERS = {"qualification_penalty", "contract_quality_safety"}


def suggest_receivers(clue: Clue, matter: str, sender=None) -> list[tuple]:
    """(department, note) pairs for a matter, in the supervising department's jurisdiction; an industry
    authority whose penalty power moved to comprehensive law enforcement is replaced by that organ."""
    from casework.org.models import Department
    from referrals.models import PenaltyPowerMove

    sender = sender or clue.supervising_department
    home = clue.supervising_department.jurisdiction
    if matter == "same_duty_other_level":
        qs = Department.objects.filter(type=sender.type, active=True).exclude(jurisdiction=sender.jurisdiction)
        return [(d, f"同系统{d.jurisdiction.name}") for d in qs.select_related("jurisdiction")]
    types = ROUTES.get(matter, [])
    out = []
    for node in home.lineage():
        depts = list(Department.objects.filter(jurisdiction=node, type__in=types, active=True).order_by("code"))
        moves: dict[int, PenaltyPowerMove] = {}
        for m in PenaltyPowerMove.objects.filter(department__in=depts).select_related("law_enforcement").order_by("pk"):
            moves.setdefault(m.department_id, m)  # one query per level, not one per department
        for dept in depts:
            if matter == "trading_ban" and not dept.is_supervision_office:
                continue
            move = moves.get(dept.pk)
            if move and matter in PENALTY_MATTERS:
                out.append((move.law_enforcement, f"{dept.display_name}的处罚权已划转综合执法"))
            elif dept != sender:
                out.append((dept, ""))
        if out:
            break
    return list({d.pk: (d, note) for d, note in out}.values())
