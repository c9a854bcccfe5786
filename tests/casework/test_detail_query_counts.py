"""A case's page makes no more queries as its history grows (issue 18): each mechanism's detail page is read, ten
audit events by three different people are added to the case, and the page is read again. The page must show the
history it was given (a count over a page that hides it proves nothing)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from casework.events.services import record
from tests.conftest import at
from tests.inspections.conftest import directory, item, mia, pool  # noqa: F401  (fixtures of the plan maker)

pytestmark = pytest.mark.django_db


def _complaint(env):
    from complaints import services
    from tests.complaints.conftest import complaint_input

    return services.file_complaint(data=complaint_input(env["luoyang"]), channel="online",
                                   submission_key="web:detail").complaint


def _assistance(env):
    from tests.jointaction.test_assistance import ask

    return ask(env["bob"], env["luoyang"])[0]


def _action(env):
    from tests.jointaction.test_joint_actions import start

    return start(env["bob"], env["luoyang"])


def _plan(env):
    from inspections import services
    from tests.inspections.conftest import plan_input

    return services.create_plan(actor=env["bob"], department=env["luoyang"]["housing"], data=plan_input(env["item"]))


CASES = [("complaint", _complaint), ("assistance", _assistance), ("joint action", _action),
         ("inspection plan", _plan)]


def _read(client, url) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as ctx:
        resp = client.get(url)
    assert resp.status_code == 200, (url, resp.status_code)
    return len(ctx.captured_queries), resp.content.decode()


@pytest.mark.parametrize("make", [c[1] for c in CASES], ids=[c[0] for c in CASES])
def test_detail_page_queries_do_not_grow_with_the_case_history(request, client, luoyang, alice, bob, carol, frozen,
                                                              make):
    frozen(at(2026, 11, 20, 9))
    env = {"luoyang": luoyang, "bob": bob}
    if make is _plan:
        env["item"] = request.getfixturevalue("item")
        request.getfixturevalue("directory")
    case = make(env)
    client.force_login(bob)
    url = case.get_absolute_url()
    client.get(url)  # per-process caches warmed
    few, _ = _read(client, url)
    people = [alice, bob, carol]
    for n in range(10):
        record(actor=people[n % 3], obj=case, action="case.note", after={"第几条": n})
    many, page = _read(client, url)
    assert page.count('data-action="case.note"') == 10, "the page does not show the history"
    assert many <= few, f"{url}: {few} queries before, {many} after ten more events"
