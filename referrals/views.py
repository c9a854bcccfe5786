"""Pages for clue referrals: the same services as the API, rendered with templates/referrals/."""

import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.attachments.selectors import visible_of
from casework.errors import DomainError, Forbidden
from casework.forms import add_domain_error, posted_date
from casework.letters.services import readable_ids
from casework.org.models import Department
from casework.org.selectors import supervised_jurisdiction_ids, user_departments
from casework.savedviews.views import lists_saved_views
from referrals import selectors, services
from referrals.forms import ClueForm, ForwardForm, TransferForm
from referrals.models import Clue, JurisdictionDispute, Matter, SignalType


@login_required
@lists_saved_views
def clue_list(request):
    from casework.listing import list_page

    can_push = any(d.type == Department.Type.TRADING_CENTRE for d in user_departments(request.user))
    return list_page(request, selectors.clue_ledger(request.user), template="referrals/clue_list.html",
                     context={"can_push": can_push, "signal_types": SignalType.choices,
                              "statuses": Clue.Status.choices})


@login_required
def clue_new(request):
    services.pushing_department(request.user)
    if request.method == "POST":
        form = ClueForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            files = data["files"]
            try:
                with transaction.atomic():  # the clue and its evidence land together, or not at all
                    result = services.intake_clue(actor=request.user, submission_key=data["submission_key"],
                                                  data=services.ClueInput(
                                                      external_id=data["external_id"],
                                                      project_code=data["project_code"],
                                                      project_name=data["project_name"],
                                                      discovered_at=data["discovered_at"],
                                                      signal_type=data["signal_type"], summary=data["summary"],
                                                      supervising_department=data["supervising_department"].code,
                                                      bidders=data["bidders"]))
                    if result.created:
                        for upload in files:
                            services.add_evidence(actor=request.user, clue=result.clue, upload=upload)
            except DomainError as exc:
                add_domain_error(form, exc)
            else:
                if result.created:
                    messages.success(request, f"线索已推送至{result.clue.supervising_department.name}，"
                                              f"编号 {result.clue.reference}")
                else:
                    messages.info(request, f"该线索已提交过（编号 {result.clue.reference}），未重复创建")
                return redirect(result.clue)
    else:
        form = ClueForm(initial={"submission_key": uuid.uuid4().hex})
    return render(request, "referrals/clue_form.html", {"form": form})


def _page(request, clue, **extra):
    my = set(user_departments(request.user))
    transfers = list(clue.transfers.select_related("sender", "receiver", "handoff", "transfer_letter",
                                                   "receipt_letter", "return_letter", "forward_letter",
                                                   "receipt_signed_by"))
    holders = [d for d in services.holder_departments(clue, transfers) if d in my]
    returned = selectors.returned_by(clue, transfers)
    clocks = list(selectors.clue_clocks(clue, transfers))
    matters = [m for m in Matter.values if m not in ("other",)]
    # The suggested receivers show only in the transfer section, to a department that holds the clue open.
    may_transfer = bool(holders) and clue.status not in ("closed", "disputed")
    suggestions = selectors.suggest_receivers_for(clue, matters, holders[0]) if may_transfer else {}
    routes = [(Matter(m).label, suggestions[m]) for m in matters] if may_transfer else []
    materials = "\n".join(["线索摘要及交易记录", "相关投标文件"])  # evidence files are listed automatically
    context = {
        "clue": clue, "transfers": transfers, "my": my, "holders": holders,
        "evidence": visible_of(request.user, clue, "evidence"),
        "is_supervising": clue.supervising_department in my,
        "clocks": clocks, "events": selectors.clue_timeline(clue, transfers, clocks),
        "routes": [(label, rows) for label, rows in routes if rows],
        "transfer_form": TransferForm(departments=selectors.transfer_receivers(holders), returned=returned,
                                      initial={"materials": materials, "delivery_method": "system"}),
        "returned_before": list(returned.values()),
        "disputes": list(clue.disputes.select_related("first", "second", "office", "designated")),
        "is_office_supervisor": any(d.is_supervision_office for d in my) and request.user.memberships.filter(
            role="supervisor", department__is_supervision_office=True).exists(),
        "all_departments": Department.objects.filter(active=True).order_by("jurisdiction__code", "code"),
    }
    readable = readable_ids(request.user, [x for t in transfers for x in t.letters])
    supervising = bool(supervised_jurisdiction_ids(request.user))
    # what travelled with a transfer shows to its two ends (and supervisors), not to the clue's other receivers
    _travelling_files(request.user, [t for t in transfers if t.sender in my or t.receiver in my or supervising])
    for t in transfers:
        t.mine = t.receiver in my
        t.readable_letters = [x for x in t.letters if x.pk in readable]  # only links that will open
        t.files = getattr(t, "files", [])
        t.forward_form = ForwardForm(departments=Department.objects.filter(type=t.receiver.type, active=True)
                                     .exclude(jurisdiction_id=t.receiver.jurisdiction_id))  # no query per transfer
    context.update(extra)
    return render(request, "referrals/clue_detail.html", context, status=400 if extra.get("error_form") else 200)


def _travelling_files(user, transfers) -> None:
    """What travelled with each transfer and the user may open: the evidence its 移送函 lists, then the files of its
    result feedback or return. Three queries for the page, however many transfers the clue has had."""
    from django.db.models import Prefetch, prefetch_related_objects

    from casework.attachments.models import Attachment
    from casework.attachments.selectors import readable_attachment_ids, visible_of_many

    if not transfers:
        return
    letters = [t.transfer_letter for t in transfers if t.transfer_letter_id]
    prefetch_related_objects(letters, Prefetch("attachments", queryset=Attachment.objects.select_related(
        "owner_type", "department")))  # as visible_attachments reads them: the file list names the department
    listed_of = {x.pk: list(x.attachments.all()) for x in letters}  # in the model's order, as before
    own_of = visible_of_many(user, transfers)
    readable = readable_attachment_ids(user, [a for files in listed_of.values() for a in files])
    for t in transfers:
        listed = listed_of.get(t.transfer_letter_id, [])
        t.files = [a for a in listed if a.pk in readable] + [a for a in own_of[t.pk] if a not in listed]


@login_required
def clue_detail(request, pk: int):
    return _page(request, selectors.get_clue(request.user, pk))


@login_required
@require_POST
def clue_action(request, pk: int, action: str):
    clue = selectors.get_clue(request.user, pk)
    user = request.user
    if action == "register":
        services.register_clue(actor=user, clue=clue)
        messages.success(request, "已登记")
    elif action == "handle":
        services.handle_clue(actor=user, clue=clue, result=request.POST.get("result", ""))
        messages.success(request, "已由本部门办结")
    elif action == "evidence":
        files = request.FILES.getlist("files")
        if not files:
            raise DomainError.for_field("files", "请选择要上传的证据文件")
        with transaction.atomic():
            added = [services.add_evidence(actor=user, clue=clue, upload=f) for f in files]
        messages.success(request, f"已上传 {sum(1 for _, new in added if new)} 个证据文件"
                                  f"{'（重复文件已识别，未重复保存）' if any(not new for _, new in added) else ''}")
    elif action == "transfer":
        holders = [d for d in services.holder_departments(clue) if d in set(user_departments(user))]
        form = TransferForm(request.POST, departments=selectors.transfer_receivers(holders),
                            returned=selectors.returned_by(clue))
        if not form.is_valid():
            return _page(request, clue, transfer_form=form, error_form=True)
        data = form.cleaned_data
        try:
            transfers = services.transfer_clue(
                actor=user, clue=clue, receivers=list(data["receivers"]), matter=data["matter"],
                legal_basis=data["legal_basis"], materials=data["materials"].splitlines(),
                delivery_method=data["delivery_method"], delivered_at=data["delivered_at"])
        except DomainError as exc:
            if exc.status != 400:
                raise
            add_domain_error(form, exc)
            return _page(request, clue, transfer_form=form, error_form=True)
        messages.success(request, "已移送：" + "、".join(t.receiver.name for t in transfers))
    else:
        raise DomainError(f"未知操作：{action}")
    return redirect(clue)


@login_required
@require_POST
def transfer_action(request, pk: int, tid: int, action: str):
    clue = selectors.get_clue(request.user, pk)
    transfer = selectors.get_transfer(request.user, clue, tid)
    user, post = request.user, request.POST
    if action == "sign":
        services.sign_receipt(actor=user, transfer=transfer)
        messages.success(request, "已签收移送回执")
    elif action == "accept":
        services.accept_transfer(actor=user, transfer=transfer)
        messages.success(request, "已受理，并告知移送单位")
    elif action == "finished":
        services.record_handling_finished(actor=user, transfer=transfer,
                                          completed_on=posted_date(post, "completed_on", "处理完毕日期"))
        messages.success(request, "已登记处理完毕日期，请在反馈期限内书面反馈处理结果")
    elif action == "result":
        completed_on = (None if transfer.completed_at else
                        posted_date(post, "completed_on", "处理完毕日期"))
        services.report_result(actor=user, transfer=transfer, result=post.get("result", ""),
                               completed_on=completed_on, uploads=request.FILES.getlist("files"))
        messages.success(request, "已反馈处理结果")
    elif action == "return":
        services.return_transfer(actor=user, transfer=transfer, reasons=post.get("reasons", ""),
                                 uploads=request.FILES.getlist("files"))
        messages.success(request, "已书面说明理由退回")
    elif action == "forward":
        to = Department.objects.filter(pk=post.get("to_department") or 0).first()
        if to is None:
            raise DomainError.for_field("to_department", "请选择转送单位")
        services.forward_transfer(actor=user, transfer=transfer, to_department=to, reasons=post.get("reasons", ""))
        messages.success(request, f"已转送{to.name}并告知移送单位")
    else:
        raise DomainError(f"未知操作：{action}")
    return redirect(clue)


@login_required
@require_POST
def dispute_decide(request, pk: int, did: int):
    clue = selectors.get_clue(request.user, pk)
    dispute = JurisdictionDispute.objects.filter(clue=clue, pk=did).first()
    if dispute is None:
        raise DomainError("未找到该管辖争议")
    dept = Department.objects.filter(pk=request.POST.get("department") or 0).first()
    if dept is None:
        raise DomainError.for_field("department", "请选择指定管辖的单位")
    if not request.user.memberships.filter(department=dispute.office, role="supervisor").exists():
        raise Forbidden("只有综合监管部门的监管人员可以指定管辖")
    services.decide_dispute(actor=request.user, dispute=dispute, department=dept, reason=request.POST.get("reason", ""))
    messages.success(request, f"已指定由{dept.name}管辖")
    return redirect(clue)
