"""Pages of risk screening: the warnings list and page (with the ring's network picture), an officer's
decision, and a bidder's history. The same selectors and services as the API."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from casework.errors import DomainError, NotFound
from casework.events.services import timeline
from casework.org.selectors import user_departments
from casework.savedviews.views import lists_saved_views
from casework.trading import TradingField
from risk import selectors, services


@login_required
@lists_saved_views
def warning_list(request):
    """The warnings of the tenders my departments supervise or pushed, found, filtered and exported one way."""
    from casework.listing import list_page

    return list_page(request, selectors.warning_list_ledger(request.user), template="risk/warning_list.html")


def _can_decide(user, warning) -> bool:
    return warning.source_department in user_departments(user)


NUMBER_LABELS = {
    "members": "成员数", "met": "至少两家相遇的招标", "together": "共同投标次数", "expected": "随机预期次数",
    "lift": "倍于随机", "q": "“共同投标”至少家数", "bids": "各成员投标次数", "segment": "交易类型",
    "member_wins": "成员中标次数", "winners": "各成员中标次数", "evenness": "中标均匀度（1为完全均分）",
    "changes": "相邻中标换人次数", "sequence": "按时间先后的中标人", "wins": "中标次数", "p_value": "随机出现的概率",
    "win_rate": "中标率", "chance_rate": "随机中标率", "n": "报价个数", "cv": "变异系数", "rd": "最低两价相对距离",
    "spread": "极差率", "kurtosis": "峰度", "skewness": "偏度", "triggers": "触发的指标",
    "estimate": "招标控制价（元）",
    "ratios": "报价/控制价", "shared": "相同的信息", "ties": "关联关系", "cobids": "相互竞争的招标次数",
}


def _readable(value, names):
    """Numbers as an officer reads them: USCCs replaced by names, lists joined."""
    if isinstance(value, dict):
        return "；".join(f"{names.get(k, k)} {_readable(v, names)}" for k, v in value.items())
    if isinstance(value, list):
        return "；".join(_readable(v, names) for v in value)
    if isinstance(value, str):
        return names.get(value, value)
    if isinstance(value, float):
        return f"{value:.3g}"
    return "—" if value is None else str(value)


def _numbers(warning):
    names = {b["uscc"]: b["name"] for b in warning.bidders}
    rows = []
    for key, value in warning.numbers.items():
        if key == "segment":
            value = TradingField(value).label if value in TradingField.values else value
        elif key in ("shared", "ties"):
            value = [f"{'、'.join(names.get(u, u) for u in item['bidders'])}：{item['label']} {item['value']}"
                     for item in value]
        rows.append((NUMBER_LABELS.get(key, key), _readable(value, names)))
    return rows


@login_required
def warning_detail(request, pk):
    warning = selectors.get_warning(request.user, pk)
    tenders = list(selectors.warning_tenders(warning)[:200])
    bids = []
    if len(tenders) == 1:
        bids = list(tenders[0].bids.order_by("amount"))
    graph = None
    if warning.edges:
        graph = {"nodes": [{"id": b["uscc"], "name": b["name"], "bids": (warning.numbers.get("bids") or {})
                            .get(b["uscc"], 0)} for b in warning.bidders],
                 "links": [{"source": a, "target": b, "value": c} for a, b, c in warning.edges]}
    return render(request, "risk/warning_detail.html", {
        "w": warning, "tenders": tenders, "bids": bids, "graph": graph, "numbers": _numbers(warning),
        "can_decide": _can_decide(request.user, warning), "events": timeline(warning)})


@login_required
@require_POST
def warning_action(request, pk, action):
    warning = selectors.get_warning(request.user, pk)
    try:
        if action == "dismiss":
            services.dismiss_warning(actor=request.user, warning=warning, reason=request.POST.get("reason", ""))
            messages.success(request, "预警已排除，理由已记录。")
        elif action == "clue":
            clue = services.warning_to_clue(actor=request.user, warning=warning, note=request.POST.get("note", ""))
            messages.success(request, f"已转为问题线索 {clue.reference}，推送至{clue.supervising_department.name}。")
            return redirect(clue)
        else:
            raise NotFound("未找到该操作。")
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        messages.error(request, exc.message)
    return redirect(warning)


@login_required
def bidder_history(request, uscc):
    bids, warnings = selectors.bidder_history(request.user, uscc)
    rows = list(bids[:500])
    wins = sum(1 for b in rows if b.winner)
    expected = sum(1 / b.n_bids for b in rows if b.n_bids)
    return render(request, "risk/bidder.html", {
        "uscc": uscc.upper(), "name": rows[0].name, "bids": rows, "wins": wins, "expected": expected,
        "warnings": warnings[:100]})
