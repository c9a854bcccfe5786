"""Reads of clues, scoped: the departments that pushed, supervise, received or were copied see a
clue; supervisors see their jurisdiction; everyone else gets a 404."""

from django.db.models import Q

from casework.errors import NotFound
from casework.events.models import Event
from casework.listing import Ledger, ledger
from referrals.models import Clue, Transfer


def visible_clues(user):
    """The clues `user` may see: those its departments' groups hold `view_clue` on, read from the facts the grants
    are made from rather than from django-guardian's table, so the search box over 1,000,000 clues stays an
    indexed query (guardian's `pk IN (SELECT object_pk::int ...)` was hundreds of thousands of rows, materialised
    for every search and again for its count). Each grant in referrals.services and where it is read here:

    - intake (intake_clue, intake_report, refer_matter): the source and the supervising department;
    - the police copy of a bid-rigging clue: `ClueCopy.department`;
    - a transfer or a forward (transfer_clue): `Transfer.receiver`;
    - a jurisdiction dispute (_raise_dispute): `JurisdictionDispute.office`;

    plus, for supervisors, the clues pushed or supervised in a jurisdiction they oversee (as `scoped`). Grants are
    never withdrawn and none of these rows is deleted or re-pointed, so both readings agree;
    tests/referrals/test_visibility.py compares them situation by situation and persona by persona."""
    from casework.org.selectors import group_departments, supervised_jurisdiction_ids
    from referrals.models import ClueCopy, JurisdictionDispute

    clues = Clue.objects.select_related("source_department", "supervising_department")
    if not getattr(user, "is_authenticated", False):
        return clues.none()
    mine = group_departments(user)  # hashed sub-plans over a few rows, as are the hand-overs, copies and disputes
    visible = (Q(source_department_id__in=mine) | Q(supervising_department_id__in=mine)
               | Q(pk__in=Transfer.objects.filter(receiver_id__in=mine).values("clue_id"))
               | Q(pk__in=ClueCopy.objects.filter(department_id__in=mine).values("clue_id"))
               | Q(pk__in=JurisdictionDispute.objects.filter(office_id__in=mine).values("clue_id")))
    supervised = supervised_jurisdiction_ids(user)
    if supervised:  # on the departments already joined for select_related: no query of its own
        visible |= (Q(source_department__jurisdiction_id__in=supervised)
                    | Q(supervising_department__jurisdiction_id__in=supervised))
    return clues.filter(visible)


def get_clue(user, pk, *, transfers=None) -> Clue:
    """A clue the user may see (NotFound otherwise); `transfers`: a Prefetch of its transfers to read with it.

    Read by its key, then judged on the facts visible_clues reads (may_see_clue): the query visible_clues builds,
    three sub-selects OR-ed, cost more to compile than to run, for every case page and API read (issue 18)."""
    from django.db.models import Exists, OuterRef, prefetch_related_objects

    from casework.org.selectors import group_departments

    try:
        pk = int(pk)
    except (TypeError, ValueError):
        raise NotFound("未找到该线索。") from None
    if not getattr(user, "is_authenticated", False):
        raise NotFound("未找到该线索。")
    mine = group_departments(user)  # asked of the clue's two departments, in the clue's own query
    clue = (Clue.objects.select_related("source_department", "supervising_department").filter(pk=pk)
            .annotate(_in_my_groups=Exists(mine.filter(pk__in=[OuterRef("source_department_id"),
                                                               OuterRef("supervising_department_id")])))
            .first())
    if clue is None or not may_see_clue(user, clue):
        raise NotFound("未找到该线索。")
    if transfers is not None:
        prefetch_related_objects([clue], transfers)
    return clue


def may_see_clue(user, clue: Clue) -> bool:
    """Whether `user` sees `clue`: visible_clues' rule for one clue (tests/referrals/test_visibility.py holds the
    two to the same answer for every persona). No query when the clue is the user's department's own or in a
    jurisdiction they oversee; one small one for hand-overs, copies and disputes."""
    from casework.org.selectors import supervised_jurisdiction_ids
    from referrals.models import ClueCopy, JurisdictionDispute

    if not getattr(user, "is_authenticated", False):
        return False
    if getattr(clue, "_in_my_groups", False):  # get_clue asked with the clue
        return True
    supervised = supervised_jurisdiction_ids(user)
    if supervised and (clue.source_department.jurisdiction_id in supervised
                       or clue.supervising_department.jurisdiction_id in supervised):
        return True
    mine = _group_department_ids(user)
    if clue.source_department_id in mine or clue.supervising_department_id in mine:
        return True
    if not mine:
        return False
    return (Transfer.objects.filter(clue_id=clue.pk, receiver_id__in=mine).values("pk")
            .union(ClueCopy.objects.filter(clue_id=clue.pk, department_id__in=mine).values("pk"),
                   JurisdictionDispute.objects.filter(clue_id=clue.pk, office_id__in=mine).values("pk"), all=True)
            .exists())


def _group_department_ids(user) -> frozenset[int]:
    """group_departments as ids, read once per user object (a request's user)."""
    from casework.org.selectors import group_departments

    cached = getattr(user, "_portal_group_departments", None)
    if cached is None:
        cached = user._portal_group_departments = frozenset(group_departments(user).values_list("pk", flat=True))
    return cached


def get_transfer(user, clue: Clue, pk) -> Transfer:
    transfer = clue.transfers.select_related("sender", "receiver", "handoff").filter(pk=pk).first()
    if transfer is None:
        raise NotFound("未找到该移送。")
    return transfer


def clue_clocks(clue: Clue, transfers=None):
    """The clue's clocks and those of every hand-over of it, in one query (two without `transfers`, the clue's
    transfers already read)."""
    from django.contrib.contenttypes.models import ContentType

    from casework.clocks.models import Clock
    from casework.handoffs.models import Handoff

    if transfers is None:
        handoffs = [str(pk) for pk in clue.transfers.values_list("handoff_id", flat=True)]
    else:
        handoffs = [str(t.handoff_id) for t in transfers]
    types = ContentType.objects.get_for_models(Clue, Handoff)
    return (Clock.objects.filter(Q(subject_type=types[Clue], subject_id=str(clue.pk))
                                 | Q(subject_type=types[Handoff], subject_id__in=handoffs))
            .select_related("department", "rule_version__rule").order_by("started_at", "pk"))


def clocks_by_clue(clues) -> dict[int, list]:
    """The clocks of many clues and of their hand-overs, in one query (a list page's length costs nothing).
    The clues' transfers must be prefetched (`prefetch_related("transfers")`)."""
    from django.contrib.contenttypes.models import ContentType

    from casework.clocks.models import Clock
    from casework.handoffs.models import Handoff

    clues = list(clues)
    if not clues:
        return {}
    owner: dict[tuple[str, str], int] = {}
    for clue in clues:
        owner[("clue", str(clue.pk))] = clue.pk
        for transfer in clue.transfers.all():
            owner[("handoff", str(transfer.handoff_id))] = clue.pk
    types = ContentType.objects.get_for_models(Clue, Handoff)
    kinds = {types[Clue].pk: "clue", types[Handoff].pk: "handoff"}
    result: dict[int, list] = {clue.pk: [] for clue in clues}
    clocks = (Clock.objects.filter(Q(subject_type=types[Clue], subject_id__in=[str(c.pk) for c in clues])
                                   | Q(subject_type=types[Handoff],
                                       subject_id__in=[k[1] for k in owner if k[0] == "handoff"]))
              .select_related("department", "rule_version__rule").order_by("started_at", "pk"))
    for clock in clocks:
        result[owner[(kinds[clock.subject_type_id], clock.subject_id)]].append(clock)
    return result


def clue_timeline(clue: Clue, transfers=None, clocks=None):
    """Every event of the clue, its transfers' hand-overs, their clocks and letters, in order. `transfers` and
    `clocks`: the clue's transfers and clocks already read."""
    if transfers is None:
        rows = list(clue.transfers.values_list("handoff_id", "transfer_letter_id", "receipt_letter_id",
                                               "return_letter_id", "forward_letter_id"))
    else:
        rows = [(t.handoff_id, t.transfer_letter_id, t.receipt_letter_id, t.return_letter_id, t.forward_letter_id)
                for t in transfers]
    letters = [str(pk) for row in rows for pk in row[1:] if pk]
    if clocks is None:
        clocks = clue_clocks(clue, transfers)
    clocks = [str(c.pk) for c in clocks]
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
    return suggest_receivers_for(clue, [matter], sender)[matter]


def suggest_receivers_for(clue: Clue, matters, sender=None) -> dict[str, list[tuple]]:
    """suggest_receivers for several matters at once (the clue page lists every matter): the departments of the
    jurisdiction's lineage and their penalty-power moves are read once, not once per matter and level."""
    from casework.org.models import Department
    from referrals.models import PenaltyPowerMove

    sender = sender or clue.supervising_department
    lineage = list(clue.supervising_department.jurisdiction.lineage())
    types = {t for m in matters for t in ROUTES.get(m, [])}
    by_node: dict[int, list] = {node.pk: [] for node in lineage}
    moves: dict[int, PenaltyPowerMove] = {}
    if types:
        for dept in (Department.objects.filter(jurisdiction__in=lineage, type__in=types, active=True)
                     .order_by("code")):
            by_node[dept.jurisdiction_id].append(dept)
        ids = [d.pk for depts in by_node.values() for d in depts]
        for m in PenaltyPowerMove.objects.filter(department__in=ids).select_related("law_enforcement").order_by("pk"):
            moves.setdefault(m.department_id, m)
    result = {}
    for matter in matters:
        if matter == "same_duty_other_level":
            qs = Department.objects.filter(type=sender.type, active=True).exclude(jurisdiction=sender.jurisdiction)
            result[matter] = [(d, f"同系统{d.jurisdiction.name}") for d in qs.select_related("jurisdiction")]
            continue
        wanted = ROUTES.get(matter, [])
        out = []
        for node in lineage:
            for dept in by_node[node.pk]:
                if dept.type not in wanted or (matter == "trading_ban" and not dept.is_supervision_office):
                    continue
                move = moves.get(dept.pk)
                if move and matter in PENALTY_MATTERS:
                    out.append((move.law_enforcement, f"{dept.display_name}的处罚权已划转综合执法"))
                elif dept != sender:
                    out.append((dept, ""))
            if out:
                break
        result[matter] = list({d.pk: (d, note) for d, note in out}.values())
    return result


def transfer_receivers(holders):
    """Who a holder may transfer a clue to: active organs other than itself and any trading centre (the centre
    pushes clues, it does not take transfers)."""
    from casework.org.models import Department

    qs = Department.objects.filter(active=True).exclude(type=Department.Type.TRADING_CENTRE)
    if holders:
        qs = qs.exclude(pk__in=[d.pk for d in holders])
    return qs.select_related("jurisdiction").order_by("jurisdiction__code", "code")


def returned_by(clue: Clue, transfers=None) -> dict[int, Transfer]:
    """The departments that returned this clue before, with their latest return, to warn a sender who picks one
    of them again (a second return between the same two departments goes to the supervision office).
    `transfers`: the clue's transfers already read (with receiver and handoff)."""
    if transfers is None:
        transfers = clue.transfers.exclude(return_reasons="").select_related("receiver", "handoff")
    out: dict[int, Transfer] = {}
    for t in sorted((t for t in transfers if t.return_reasons), key=lambda t: t.pk):
        out[t.receiver_id] = t
    return out


def _bidders(clue: Clue) -> str:
    return "；".join(f"{b.get('name', '')}{('（' + b['uscc'] + '）') if b.get('uscc') else ''}"
                    for b in clue.bidders or [] if isinstance(b, dict))


def _ledger_columns():
    from casework.ledger import Column

    return [
        Column("线索编号", lambda c: c.reference), Column("外部编号", lambda c: c.external_id),
        Column("项目编号", lambda c: c.project_code), Column("项目名称", lambda c: c.project_name),
        Column("预警类型", lambda c: c.get_signal_type_display()),
        Column("推送单位", lambda c: c.source_department.name),
        Column("行政监督部门", lambda c: c.supervising_department.name),
        Column("状态", lambda c: c.get_status_display()), Column("退回次数", lambda c: c.return_count),
        Column("发现时间", lambda c: c.discovered_at), Column("接收时间", lambda c: c.received_at),
        Column("涉及投标人", _bidders),
    ]


LEDGER_COLUMNS = _ledger_columns()


@ledger("referrals.clues")
def clue_ledger(user) -> Ledger:
    from referrals.filters import ClueFilter

    return Ledger(ClueFilter, visible_clues(user).order_by("-received_at", "-pk"), LEDGER_COLUMNS, "问题线索台账")
