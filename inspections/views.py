"""Pages of 双随机一公开: the staff pool, the directory, items, plans with their draws and results (staff), and
the public page (items, plans, results, draw records anyone can re-run)."""

import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from casework.attachments.selectors import visible_of
from casework.clocks.services import clocks_for
from casework.errors import DomainError, Forbidden, NotFound
from casework.events.models import Event
from casework.forms import add_domain_error
from casework.letters.services import letter_bytes, visible_letters
from casework.org.models import Department, Membership
from casework.org.selectors import user_departments
from casework.savedviews.views import lists_saved_views
from casework.trading import TradingField
from inspections import drawing, selectors, services
from inspections.forms import (
    EndForm,
    ImportForm,
    InspectorForm,
    InspectorImportForm,
    ItemForm,
    PlanForm,
    ProjectForm,
    ReasonForm,
    ResultForm,
    RiskForm,
    VerifyForm,
)
from inspections.models import Draw, Plan, Project, Speciality, Target, TeamMember


def _enforcement_departments(user) -> list[Department]:
    return [d for d in user_departments(user) if d.type not in selectors.NOT_ENFORCING]


def _bad(form) -> int:
    return 400 if form.errors else 200


# --- overview -----------------------------------------------------------------------------------
@login_required
@lists_saved_views
def index(request):
    from casework.listing import list_page
    return list_page(request, selectors.plan_list_ledger(request.user), template="inspections/index.html",
                     context={"can_plan": bool(_enforcement_departments(request.user))})


# --- the enforcement staff pool ------------------------------------------------------------------
def _inspector_input(data) -> services.InspectorInput:
    return services.InspectorInput(
        name=data["name"], certificate_number=data["certificate_number"],
        certificate_expires_on=data["certificate_expires_on"], specialities=data["specialities"],
        active=data["active"], declared_links=data["declared_links"])


@login_required
def inspectors(request):
    depts = _enforcement_departments(request.user)
    form = InspectorForm(request.POST or None, departments=depts, initial={"active": True})
    import_form = InspectorImportForm(departments=depts)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.save_inspector(actor=request.user, department=form.cleaned_data["department"],
                                             data=_inspector_input(form.cleaned_data))
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{person.name}已加入执法人员库")
            return redirect("inspections:inspectors")
    people = selectors.visible_inspectors(request.user)
    q = request.GET.get("q", "").strip()
    if q:
        people = people.filter(Q(name__icontains=q) | Q(certificate_number__icontains=q))
    return render(request, "inspections/inspectors.html", {
        "people": people[:500], "form": form, "import_form": import_form, "q": q, "can_edit": bool(depts),
        "today": timezone.localdate()}, status=_bad(form))


@login_required
def inspector_edit(request, pk: int):
    person = selectors.get_inspector(request.user, pk)
    if person.department not in user_departments(request.user):
        raise Forbidden(f"只有{person.department.name}可以维护其执法人员信息")
    initial = {"department": person.department_id, "name": person.name,
               "certificate_number": person.certificate_number,
               "certificate_expires_on": person.certificate_expires_on, "specialities": person.specialities,
               "active": person.active,
               "declared_links": "\n".join(f"{link['name']},{link['uscc']}" for link in person.declared_links)}
    form = InspectorForm(request.POST or None, departments=[person.department], initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_inspector(actor=request.user, department=person.department,
                                    data=_inspector_input(form.cleaned_data), inspector=person)
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已更新{person.name}的信息")
            return redirect("inspections:inspectors")
    return render(request, "inspections/inspector_form.html", {"form": form, "person": person},
                  status=_bad(form))


@login_required
@require_POST
def inspectors_import(request):
    depts = _enforcement_departments(request.user)
    form = InspectorImportForm(request.POST, request.FILES, departments=depts)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.import_inspectors(actor=request.user, department=form.cleaned_data["department"],
                                                 content=upload.read(), filename=upload.name)
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, f"导入完成：新增 {summary.created} 人，更新 {summary.updated} 人，"
                                      f"未变 {summary.unchanged} 人")
            return redirect("inspections:inspectors")
    return render(request, "inspections/inspectors.html", {
        "people": selectors.visible_inspectors(request.user)[:500], "import_form": form, "can_edit": bool(depts),
        "form": InspectorForm(departments=depts, initial={"active": True}), "today": timezone.localdate()},
        status=400)


# --- the inspection-object directory ----------------------------------------------------------------
def _project_departments():
    return selectors.enforcement_departments()


def _directory(request, form=None, import_form=None, status=200):
    """The directory through the shared list machinery (search, filters, pages, ledger), with the register and
    import forms under it; each row with its parties' credit standing read for the page only."""
    from casework.listing import list_page

    scope_from, scope_to = services.default_scope()

    def prepare(rows):
        standings = selectors.project_standings(rows)
        return [(p, standings[p.pk], selectors.stratum(p.risk_level, standings[p.pk].level)) for p in rows]

    response = list_page(request, selectors.project_list_ledger(request.user), template="inspections/projects.html",
                         prepare=prepare, context={
                             "form": form or ProjectForm(departments=_project_departments()),
                             "import_form": import_form or ImportForm(), "scope_from": scope_from,
                             "scope_to": scope_to, "stratum_rule": selectors.STRATUM_RULE,
                             "columns": services.PROJECT_LABELS})
    response.status_code = status if response.status_code == 200 else response.status_code
    return response


@login_required
@lists_saved_views
def projects(request):
    if request.method != "POST":
        return _directory(request)
    form = ProjectForm(request.POST, departments=_project_departments())
    if form.is_valid():
        d = form.cleaned_data
        try:
            project, created = services.register_project(actor=request.user, source="form", data=services.ProjectInput(
                **{k: d[k] for k in services.PROJECT_LABELS if k != "supervising_department"},
                supervising_department=d["supervising_department"].code))
        except DomainError as exc:
            if exc.status == 403 and not exc.field_errors:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, f"{project.name}已登记入名录库" if created
                             else f"{project.name}已在名录库中，未重复登记")
            return redirect("inspections:project", pk=project.pk)
    return _directory(request, form=form, status=400)


@login_required
@require_POST
def projects_import(request):
    form = ImportForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            summary = services.import_projects(actor=request.user, content=upload.read(), filename=upload.name)
        except DomainError as exc:
            add_domain_error(form, exc)
        else:
            messages.success(request, f"导入完成：新增 {summary.created} 个项目，"
                                      f"已登记且内容相同 {summary.unchanged} 个")
            return redirect("inspections:projects")
    return _directory(request, import_form=form, status=400)


@login_required
def project_detail(request, pk: int):
    from casework.events.services import timeline

    project = selectors.get_project(request.user, pk)
    form = RiskForm(request.POST or None, initial={"risk_level": project.risk_level})
    if request.method == "POST" and form.is_valid():
        try:
            services.set_risk_level(actor=request.user, project=project, risk_level=form.cleaned_data["risk_level"],
                                    reason=form.cleaned_data["reason"])
        except DomainError as exc:
            if exc.status != 400:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, "已调整风险等级")
            return redirect("inspections:project", pk=project.pk)
    standing = selectors.project_standings([project])[project.pk]
    targets = (Target.objects.filter(project=project, draw__plan__in=selectors.visible_plans(request.user))
               .select_related("draw__plan"))
    return render(request, "inspections/project_detail.html", {
        "project": project, "standing": standing, "form": form, "events": timeline(project),
        "stratum": selectors.stratum(project.risk_level, standing.level), "stratum_rule": selectors.STRATUM_RULE,
        "mine": project.supervising_department in user_departments(request.user), "targets": targets},
        status=_bad(form))


# --- items -------------------------------------------------------------------------------------------
@login_required
def items(request):
    depts = _enforcement_departments(request.user)
    form = ItemForm(request.POST or None, departments=depts)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            item = services.create_item(actor=request.user, department=d["department"], title=d["title"],
                                        trading_field=d["trading_field"], content=d["content"],
                                        legal_basis=d["legal_basis"], method=d["method"])
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已制定抽查事项“{item.title}”，并在公开页面公布")
            return redirect("inspections:items")
    mine = {d.pk for d in user_departments(request.user)}
    return render(request, "inspections/items.html", {
        "rows": selectors.visible_items(request.user).order_by("-active", "department__code", "id"),
        "form": form, "mine": mine, "can_edit": bool(depts)}, status=_bad(form))


@login_required
@require_POST
def item_retire(request, pk: int):
    item = selectors.visible_items(request.user).filter(pk=pk).first()
    if item is None:
        raise NotFound("未找到该抽查事项。")
    services.retire_item(actor=request.user, item=item, reason=request.POST.get("reason", ""))
    messages.success(request, f"已停用抽查事项“{item.title}”")
    return redirect("inspections:items")


# --- plans -------------------------------------------------------------------------------------------
def _plan_form(request, depts, data=None):
    scope_from, scope_to = services.default_scope()
    others = _project_departments()
    return PlanForm(data, departments=depts, others=others.exclude(pk__in=[d.pk for d in depts]),
                    scope=others,
                    items=selectors.visible_items(request.user).filter(active=True).order_by("department__code", "id"),
                    initial={"submission_key": uuid.uuid4().hex, "scope_from": scope_from, "scope_to": scope_to,
                             "ratio_high": 30, "ratio_medium": 10, "ratio_low": 5, "team_1_count": 2})


@login_required
def plan_new(request):
    depts = _enforcement_departments(request.user)
    if not depts:
        raise Forbidden("只有行政监督部门可以制定抽查计划")
    form = _plan_form(request, depts, request.POST or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            plan = services.create_plan(
                actor=request.user, department=d["department"], submission_key=d["submission_key"],
                data=services.PlanInput(
                    title=d["title"], items=list(d["items"]), participants=list(d["participants"]),
                    trading_fields=d["trading_fields"], scope_departments=list(d["scope_departments"]),
                    scope_from=d["scope_from"], scope_to=d["scope_to"], ratio_high=d["ratio_high"],
                    ratio_medium=d["ratio_medium"], ratio_low=d["ratio_low"], team=form.team(),
                    starts_on=d["starts_on"], ends_on=d["ends_on"]))
        except DomainError as exc:
            if exc.status == 403:
                raise
            add_domain_error(form, exc, {"team": "team_1_speciality"})
        else:
            messages.success(request, f"已制定抽查计划 {plan.reference}，可以随机抽取")
            return redirect(plan)
    return render(request, "inspections/plan_form.html", {"form": form}, status=_bad(form))


def _plan_events(plan: Plan):
    clocks = [str(pk) for pk in clocks_for(plan).values_list("pk", flat=True)]
    letters = [str(plan.notice_letter_id)] if plan.notice_letter_id else []
    return Event.objects.filter(Q(object_type="inspections.plan", object_id=str(plan.pk))
                                | Q(object_type="casework.clock", object_id__in=clocks)
                                | Q(object_type="casework.letter", object_id__in=letters)).order_by("seq")


def _plan_page(request, plan: Plan, status=200, **forms):
    mine = set(user_departments(request.user))
    participants = list(plan.participants.order_by("code"))
    is_lead = plan.lead_department in mine
    can_record = bool(mine & {plan.lead_department, *participants})
    targets = list(selectors.targets_of(plan.current_draw))
    for t in targets:
        t.files = visible_of(request.user, t, "inspection")
        t.form = forms.get("result_forms", {}).get(t.pk) or ResultForm(
            initial={"outcome": t.outcome, "findings": t.findings, "follow_up": t.follow_up}, prefix=f"t{t.pk}")
    preview = None
    if plan.status == Plan.Status.DRAFT:
        inputs = selectors.draw_inputs(plan, timezone.localdate())
        preview = {"strata": [(drawing.LEVEL_LABELS[s["level"]], len(s["candidates"]), s["ratio"],
                               drawing.quota(len(s["candidates"]), s["ratio"])) for s in inputs["strata"]],
                   "inspectors": len(inputs["inspectors"]), "ineligible": inputs["ineligible"]}
    is_leader = is_lead and Membership.objects.filter(user=request.user, department=plan.lead_department,
                                                      role=Membership.Role.LEADER).exists()
    letter_ok = plan.notice_letter_id and visible_letters(request.user).filter(pk=plan.notice_letter_id).exists()
    return render(request, "inspections/plan_detail.html", {
        "warnings": selectors.thin_pool_warnings(targets), "replace_error": forms.get("replace_error"),
        "plan": plan, "participants": participants, "items": plan.items.select_related("department"),
        "scope_departments": plan.scope_departments.all(), "targets": targets, "preview": preview,
        "is_lead": is_lead, "is_leader": is_leader, "can_record": can_record and plan.status in ("drawn", "ended"),
        "draws": plan.draws.select_related("drawn_by").order_by("number"), "clocks": clocks_for(plan),
        "events": _plan_events(plan), "letter_ok": letter_ok,
        "redraw_form": forms.get("redraw_form") or ReasonForm(), "end_form": forms.get("end_form") or EndForm(),
        "error": forms.get("error"), "team_labels": selectors.team_labels(plan.team),
        "field_labels": [TradingField(f).label for f in plan.trading_fields]}, status=status)


@login_required
def plan_detail(request, pk: int):
    return _plan_page(request, selectors.get_plan(request.user, pk))


@login_required
@require_POST
def plan_action(request, pk: int, action: str):
    plan = selectors.get_plan(request.user, pk)
    user = request.user
    try:
        if action == "draw":
            record = services.draw_plan(actor=user, plan=plan)
            messages.success(request, f"已完成第{record.number}次随机抽取，种子和输入已记录")
            for warning in selectors.thin_pool_warnings(list(selectors.targets_of(record))):
                messages.warning(request, warning)
        elif action == "redraw":
            form = ReasonForm(request.POST)
            if not form.is_valid():
                return _plan_page(request, plan, status=400, redraw_form=form)
            record = services.redraw_plan(actor=user, plan=plan, reason=form.cleaned_data["reason"])
            messages.success(request, f"已重新抽取（第{record.number}次），原抽取记录保留")
        elif action == "end":
            form = EndForm(request.POST)
            if not form.is_valid():
                return _plan_page(request, plan, status=400, end_form=form)
            plan = services.end_inspection(actor=user, plan=plan, ended_at=form.cleaned_data["ended_at"])
            messages.success(request, "已记录检查结束，结果公开时限开始计算")
        elif action == "files":
            target = Target.objects.filter(pk=request.POST.get("target") or 0, draw__plan=plan).first()
            if target is None:
                raise NotFound("未找到该检查对象。")
            files = services.add_result_files(actor=user, plan=plan, target=target,
                                              uploads=request.FILES.getlist("files"))
            messages.success(request, f"已上传 {len(files)} 个检查材料，牵头和参与单位均可查阅")
        elif action == "publish":
            services.publish_results(actor=user, plan=plan)
            messages.success(request, "抽查结果已公开，并发布公告")
        else:
            raise NotFound(f"未知操作：{action}")
    except DomainError as exc:
        if exc.status != 400:
            raise
        return _plan_page(request, plan, status=400, error=exc)
    return redirect(plan)


@login_required
@require_POST
def target_result(request, pk: int, tid: int):
    plan = selectors.get_plan(request.user, pk)
    target = Target.objects.filter(pk=tid, draw__plan=plan).first()
    if target is None:
        raise NotFound("未找到该检查对象。")
    form = ResultForm(request.POST, prefix=f"t{target.pk}")
    if form.is_valid():
        try:
            services.record_result(actor=request.user, target=target, **form.cleaned_data)
        except DomainError as exc:
            if exc.status != 400:
                raise
            add_domain_error(form, exc)
        else:
            messages.success(request, f"已登记{target.project.name}的检查结果")
            return redirect(f"{plan.get_absolute_url()}#target-{target.pk}")
    return _plan_page(request, plan, status=400, result_forms={target.pk: form})


@login_required
@require_POST
def replace_member(request, pk: int, tid: int, mid: int):
    plan = selectors.get_plan(request.user, pk)
    member = TeamMember.objects.filter(pk=mid, target_id=tid, target__draw__plan=plan).select_related(
        "inspector").first()
    if member is None:
        raise NotFound("未找到该检查组成员。")
    try:
        newcomer = services.replace_inspector(actor=request.user, member=member, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        if exc.status != 400:
            raise
        return _plan_page(request, plan, status=400, replace_error=(member.pk, exc))
    messages.success(request, f"已将{member.inspector.name}替换为{newcomer.inspector.name}"
                              "（按抽取记录的随机种子抽签，已记录）")
    return redirect(f"{plan.get_absolute_url()}#target-{tid}")


# --- draw records and verification ---------------------------------------------------------------------
def _draw_page(request, plan: Plan, record: Draw, public: bool):
    verification = selectors.verify_draw(record)
    trial, trial_error, trial_seed = None, "", request.GET.get("seed", "").strip()[:128]
    if trial_seed:
        try:
            trial = drawing.draw(record.inputs, trial_seed)
        except drawing.DrawError as exc:
            trial_error = exc.message
    inputs = selectors.public_record(record)["inputs"] if public else record.inputs
    names = {p["id"]: p for p in record.inputs.get("inspectors", [])}
    labels = dict(Speciality.choices)
    pool = [(p, "、".join(labels.get(s, s) for s in p["specialities"])) for p in inputs.get("inspectors", [])]
    groups: dict[tuple, list[str]] = {}  # projects excluding the same people for the same reasons, shown once
    for code, entries in sorted(inputs.get("conflicts", {}).items()):
        key = tuple((e[0], e[1]) if isinstance(e, list) else (e, "") for e in entries)
        groups.setdefault(key, []).append(code)
    conflicts = [(codes, [(pid, names.get(pid, {}).get("name", ""), why) for pid, why in key])
                 for key, codes in groups.items()]
    codes = [t["code"] for t in record.result["targets"]]
    projects = {p.project_code: p for p in Project.objects.filter(project_code__in=codes)}
    return render(request, "inspections/draw_detail.html", {
        "plan": plan, "record": record, "inputs": inputs, "verification": verification, "public": public,
        "names": names, "projects": projects, "trial": trial, "trial_seed": trial_seed, "trial_error": trial_error,
        "trial_same": trial is not None and drawing.canonical(trial) == drawing.canonical(record.result),
        "level_labels": drawing.LEVEL_LABELS, "conflicts": conflicts, "algorithm_text": drawing.DESCRIPTION,
        "pool": pool, "speciality_labels": labels})


def _json(record: dict, name: str) -> HttpResponse:
    response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 1, "sort_keys": True})
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def draw_detail(request, pk: int, number: int):
    plan = selectors.get_plan(request.user, pk)
    return _draw_page(request, plan, selectors.get_draw(plan, number), public=False)


@login_required
def target_notice(request, pk: int, tid: int):
    """检查通知书 to the inspected party of one target of the plan's current draw: who inspects (the inspectors now
    serving, with their certificate numbers, to be shown on site), what is checked and on what basis, when, and
    what to prepare; addressed to the tenderer, naming the winning bidder and the agency."""
    plan = selectors.get_plan(request.user, pk)
    target = selectors.targets_of(plan.current_draw).filter(pk=tid).first()
    if target is None:
        raise NotFound("未找到该检查对象（仅本次有效抽取的检查对象可出具检查通知书）。")
    number = list(plan.current_draw.targets.values_list("pk", flat=True)).index(target.pk) + 1  # as the plan lists them
    return render(request, "inspections/notice_print.html", {
        "plan": plan, "target": target, "number": number, "team": selectors.serving(target),
        "items": list(plan.items.order_by("id")), "printed_at": timezone.localtime(), "printed_by": request.user})


@login_required
def draw_json(request, pk: int, number: int):
    plan = selectors.get_plan(request.user, pk)
    record = selectors.get_draw(plan, number)
    return _json(record.record, f"{plan.reference}-draw{record.number}.json")


def verify(request):
    """Anyone: paste a draw record and re-run it (no database involved)."""
    form = VerifyForm(request.POST or None)
    outcome = None
    if request.method == "POST" and form.is_valid():
        try:
            record = json.loads(form.cleaned_data["record"])
        except json.JSONDecodeError as exc:
            form.add_error("record", f"不是有效的 JSON：第 {exc.lineno} 行第 {exc.colno} 列 {exc.msg}")
        else:
            if form.cleaned_data["seed"] and isinstance(record, dict):
                record = {**record, "seed": form.cleaned_data["seed"]}
            ok, again, why = drawing.verify(record)
            outcome = {"ok": ok, "again": again, "why": why,
                       "targets": [(t["code"], drawing.LEVEL_LABELS.get(t["level"], t["level"]),
                                    [m["id"] for m in t["inspectors"]]) for t in (again or {}).get("targets", [])]}
    return render(request, "inspections/verify.html", {"form": form, "outcome": outcome, "algorithm": drawing.ALGORITHM,
                                                       "doc": drawing.DESCRIPTION}, status=_bad(form))


# --- public ------------------------------------------------------------------------------------------
def public(request):
    plans = list(selectors.public_plans()[:200])
    return render(request, "inspections/public.html", {"items": selectors.public_items(), "plans": plans})


def public_plan(request, pk: int):
    plan = selectors.get_public_plan(pk)
    published = plan.status == Plan.Status.PUBLISHED
    targets = list(selectors.targets_of(plan.current_draw)) if published else []
    for t in targets:
        t.serving = selectors.serving(t)
    return render(request, "inspections/public_plan.html", {
        "plan": plan, "published": published, "targets": targets,
        "draws": plan.draws.order_by("number") if published else [], "team_labels": selectors.team_labels(plan.team),
        "field_labels": [TradingField(f).label for f in plan.trading_fields]})


def _published(pk) -> Plan:
    plan = selectors.get_public_plan(pk)
    if plan.status != Plan.Status.PUBLISHED:
        raise NotFound("抽查结果尚未公开。")
    return plan


def public_draw(request, pk: int, number: int):
    plan = _published(pk)
    return _draw_page(request, plan, selectors.get_draw(plan, number), public=True)


def public_draw_json(request, pk: int, number: int):
    plan = _published(pk)
    record = selectors.get_draw(plan, number)
    return _json(selectors.public_record(record), f"{plan.reference}-draw{record.number}.json")


def public_notice(request, pk: int):
    plan = _published(pk)
    if not plan.notice_letter_id:
        raise NotFound("该计划没有结果公告。")
    response = HttpResponse(letter_bytes(plan.notice_letter), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{plan.reference}-notice.pdf"'
    return response

