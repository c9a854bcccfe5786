"""Every list page's query count is independent of its length (issue 18): each page is read with 2 rows and
again with 20, and the second read may not make one query more. The rows are made through the services, as a
user would, and the page must show all 20 (a count over an empty page proves nothing)."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.conftest import at
from tests.consultations.conftest import drc, lena, mechanism  # noqa: F401  (the consultation mechanism, its lead)
from tests.inspections.conftest import directory, item, mia, pool  # noqa: F401  (fixtures of the plan maker)
from tests.jointaction.conftest import mark  # noqa: F401  (the market regulator persona)

pytestmark = pytest.mark.django_db


def _clue(env, n):
    from referrals import services
    from tests.referrals.conftest import clue_input

    clue = services.intake_clue(actor=env["alice"], data=clue_input(
        env["luoyang"], external_id=f"QC-{n}", summary=f"第{n}条线索：投标文件雷同")).clue
    return clue.reference


def _complaint(env, n):
    from complaints import services
    from tests.complaints.conftest import complaint_input

    return services.file_complaint(data=complaint_input(env["luoyang"], project_code=f"LYGC2026-4{n:02d}"),
                                   channel="online", submission_key=f"web:count-{n}").complaint.reference


def _assistance(env, n):
    from tests.jointaction.test_assistance import ask

    req, _ = ask(env["bob"], env["luoyang"], submission_key=f"count-{n}", case_name=f"第{n}号串通投标案")
    return req


def _assistance_ref(env, n):
    return _assistance(env, n).reference


def _handoff_ref(env, n):
    return _assistance(env, n).handoff.reference


def _clock_marker(env, n):
    """An assistance request starts the assisting bureau's review clock; its page links each clock."""
    from casework.clocks.models import Clock

    _assistance(env, n)
    return f"/clocks/{Clock.objects.filter(department=env['luoyang']['market_regulation']).latest('pk').pk}/"


def _action(env, n):
    from tests.jointaction.test_joint_actions import start

    return start(env["bob"], env["luoyang"], title=f"第{n}次房建工程串通投标专项联合执法").reference


def _credit(env, n):
    from credit import services
    from tests.credit.test_credit import CODE, sanction

    firm = services.ensure_subject(actor=env["bob"], type="enterprise", code=CODE, name="洛阳甲建设有限公司")
    decided = timezone.localdate() - dt.timedelta(days=3)  # the page's frozen today, not the day the module loaded
    return sanction(env["bob"], env["luoyang"]["housing"], firm, number=f"洛建罚〔2026〕{n + 1}号",
                    decided_on=decided, valid_from=decided).decision_number


def _plan(env, n):
    from inspections import services
    from tests.inspections.conftest import plan_input

    return services.create_plan(actor=env["bob"], department=env["luoyang"]["housing"], data=plan_input(
        env["item"], title=f"2026年第{n}批房建市政工程双随机抽查")).reference


def _decision(env, n):
    """A decision of housing's meeting, owned in turn by transport and the police (the board of the mechanism)."""
    from consultations import services
    from tests.consultations.conftest import held_meeting

    if "meeting" not in env:
        env["meeting"] = held_meeting(env["luoyang"], env["mechanism"], env["bob"], env["frozen"])
    owner = env["luoyang"]["transport" if n % 2 else "police"]
    return services.add_decision(actor=env["bob"], meeting=env["meeting"], text=f"第{n}项：核查投标人关联关系",
                                 owner=owner, due_on=at(2026, 3, 20 + n % 5).date()).reference


def _board(env) -> str:
    return f"/consultations/{env['mechanism'].pk}/decisions/"


# (list page or how to find it, who reads it, how a row is made and what of it the page shows)
PAGES = [
    ("/referrals/", "bob", _clue),
    ("/complaints/", "bob", _complaint),
    ("/joint/assistance/", "bob", _assistance_ref),
    ("/joint/actions/", "bob", _action),
    ("/inspections/", "bob", _plan),
    ("/credit/records/", "bob", _credit),
    ("/clocks/", "mark", _clock_marker),
    ("/handoffs/", "bob", _handoff_ref),
    ("/", "mark", _clock_marker),  # the workbench: the assisting bureau's open clocks
    (_board, "lena", _decision),  # one mechanism's decisions board, read by the lead department
]


def _queries(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries), resp.content.decode()


@pytest.mark.parametrize("url,persona,make", PAGES, ids=[p[0] if isinstance(p[0], str) else "decisions-board"
                                                         for p in PAGES])
def test_list_page_queries_do_not_grow_with_its_length(request, client, luoyang, alice, bob, frozen, url, persona,
                                                       make):
    frozen(at(2026, 11, 20, 9))  # a Friday: every clock started here is open and within its period

    env = {"luoyang": luoyang, "alice": alice, "bob": bob, "frozen": frozen}
    if make is _plan:
        for name in ("item", "pool", "directory"):
            env[name] = request.getfixturevalue(name)
    if make is _decision:  # the mechanism is set up, and its meeting held, in March 2026
        env["mechanism"] = request.getfixturevalue("mechanism")
    viewer = request.getfixturevalue(persona)
    url = url(env) if callable(url) else url
    shown = [make(env, n) for n in range(2)]
    client.force_login(viewer)
    client.get(url)  # per-process caches (calendar, content types, rules) warmed
    few, page = _queries(client, url)
    assert all(s in page for s in shown)
    shown += [make(env, n) for n in range(2, 20)]
    many, page = _queries(client, url)
    assert all(s in page for s in shown), [s for s in shown if s not in page]
    assert many <= few, f"{url}: {few} queries with 2 rows, {many} with 20"

