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


def clue_timeline(clue: Clue):
    """Every event of the clue, its transfers' hand-overs, their clocks and letters, in order."""
    from casework.clocks.services import clocks_for
    from casework.letters.models import Letter

    transfers = list(clue.transfers.select_related("handoff"))
    keys = [("referrals.clue", str(clue.pk))]
    keys += [("casework.handoff", str(t.handoff_id)) for t in transfers]
    clocks = list(clocks_for(clue).values_list("pk", flat=True))
    for t in transfers:
        clocks += list(clocks_for(t.handoff).values_list("pk", flat=True))
    keys += [("casework.clock", str(pk)) for pk in clocks]
    letters = Letter.objects.filter(pk__in=[pk for t in transfers for pk in (
        t.transfer_letter_id, t.receipt_letter_id, t.return_letter_id, t.forward_letter_id) if pk])
    keys += [("casework.letter", str(pk)) for pk in letters.values_list("pk", flat=True)]
    query = Q()
    for otype, oid in keys:
        query |= Q(object_type=otype, object_id=oid)
    return Event.objects.filter(query).order_by("seq")


def clue_clocks(clue: Clue):
    from casework.clocks.models import Clock
    from casework.clocks.services import clocks_for

    ids = list(clocks_for(clue).values_list("pk", flat=True))
    for t in clue.transfers.all():
        ids += list(clocks_for(t.handoff).values_list("pk", flat=True))
    return (Clock.objects.filter(pk__in=ids).select_related("department", "rule_version__rule")
            .order_by("started_at", "pk"))


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
        for dept in Department.objects.filter(jurisdiction=node, type__in=types, active=True).order_by("code"):
            if matter == "trading_ban" and not dept.is_supervision_office:
                continue
            move = PenaltyPowerMove.objects.filter(department=dept).select_related("law_enforcement").first()
            if move and matter in PENALTY_MATTERS:
                out.append((move.law_enforcement, f"{dept.display_name}的处罚权已划转综合执法"))
            elif dept != sender:
                out.append((dept, ""))
        if out:
            break
    return list({d.pk: (d, note) for d, note in out}.values())
