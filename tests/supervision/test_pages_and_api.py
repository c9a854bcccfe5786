"""The dashboard, its drill-down and exports, and the punctuality API: what each persona sees."""

import io

import pytest
from openpyxl import load_workbook

from tests.conftest import at

PAGE = "/supervision/dashboard/?from=2026-07-01&to=2026-09-30"
API = "/api/v1/supervision/punctuality/?from=2026-07-01&to=2026-09-30"


def login(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def pinned(frozen):
    frozen(at(2026, 10, 15))


def test_anonymous_is_sent_to_log_in_and_the_api_refuses(client, q3, pinned):
    resp = client.get(PAGE)
    assert resp.status_code == 302 and "/login/" in resp["Location"]
    assert client.get(PAGE.replace("dashboard/", "dashboard/items/") + "&metric=late").status_code == 302
    assert client.get(API).status_code in (401, 403)


@pytest.mark.parametrize("who, sees, hidden", [
    ("dave", ["LY-HOUSING", "LY-TRANSPORT"], []),
    ("carol", ["LY-HOUSING"], ["LY-TRANSPORT"]),
    ("bob", ["LY-HOUSING"], ["LY-TRANSPORT"]),
    ("erin", ["LY-TRANSPORT"], ["LY-HOUSING"]),
    ("leo", ["LY-HOUSING", "LY-TRANSPORT"], []),         # a DRC/committee leader: the jurisdiction, no 督办 buttons
])
def test_page_rows_by_role(client, q3, pinned, request, who, sees, hidden):
    user = request.getfixturevalue(who)
    resp = login(client, user).get(PAGE)
    assert resp.status_code == 200
    html = resp.content.decode()
    for code in sees:
        assert f'data-department="{code}"' in html
    for code in hidden:
        assert f'data-department="{code}"' not in html
    assert ('id="averages"' in html) == (who == "carol")      # a department leader sees the city's averages
    assert ("发出督办函" in html or 'notices/new/' in html) == (who == "dave")
    assert 'id="dashboard-data"' in html and "vendor/echarts/echarts.min.js" in html
    assert "<script>" not in html                              # no inline script: data via json_script


def test_page_shows_the_figures_and_drills_down_to_the_case(client, q3, dave, pinned):
    html = login(client, dave).get(PAGE).content.decode()
    row = html.split('data-department="LY-HOUSING" data-mechanism="referral"')[1].split("</tr>")[0]
    for metric, value in (("received", 2), ("handled", 3), ("late", 2), ("open", 2), ("open_overdue", 1),
                          ("returns", 1)):
        assert f'data-metric="{metric}"' in row and f">{value}</a>" in row.split(f'data-metric="{metric}"')[1][:220]
    assert "33.3%" in row
    items = client.get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department=LY-HOUSING"
                       "&mechanism=referral&metric=open_overdue").content.decode()
    assert "某安置房项目线索" in items and f'data-clock="{q3["c4"].pk}"' in items
    assert "某中学教学楼工程" not in items
    assert "bob" in items                                     # who holds it


def test_a_handler_cannot_drill_into_another_department(client, q3, bob, pinned):
    resp = login(client, bob).get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30"
                                  "&department=LY-TRANSPORT&metric=received")
    assert resp.status_code == 404
    resp = client.get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&metric=received")
    assert "某国道改造投诉" not in resp.content.decode() and "某安置房项目线索" in resp.content.decode()


def test_bad_input_on_the_page_names_the_field(client, q3, dave, pinned):
    resp = login(client, dave).get("/supervision/dashboard/?from=2026-07-01&to=2026-06-01")
    assert resp.status_code == 400 and "截止日期" in resp.content.decode()
    resp = client.get("/supervision/dashboard/items/?metric=nonsense")
    assert resp.status_code == 400


def test_exports_are_xlsx_with_formulas_escaped(client, q3, dave, pinned):
    from casework.clocks.models import Clock

    Clock.objects.filter(pk=q3["c4"].pk).update(label="=HYPERLINK(\"http://x\")")
    login(client, dave)
    resp = client.get(PAGE + "&format=xlsx")
    assert resp["Content-Type"].startswith("application/vnd.openxmlformats")
    wb = load_workbook(io.BytesIO(resp.content))
    sheet = wb["分单位分机制"]
    rows = [[c.value for c in r] for r in sheet.iter_rows()]
    housing = next(r for r in rows if r[0] == "LY-HOUSING")
    assert housing[3:9] == [2, 3, 1, 2, 2, 1] and housing[9] == "33.3%"
    resp = client.get("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department=LY-HOUSING"
                      "&metric=open_overdue&format=xlsx")
    cells = [c.value for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows() for c in r]
    assert "'=HYPERLINK(\"http://x\")" in cells and "=HYPERLINK(\"http://x\")" not in cells


# --- the API ---------------------------------------------------------------------------------------
def test_api_rows_exactly_as_specified(client, q3, dave, pinned):
    data = login(client, dave).get(API).json()
    assert data == [
        {"department": "LY-HOUSING", "department_name": "洛阳市住房和城乡建设局", "mechanism": "referral",
         "closed": 3, "on_time": 1, "late": 2, "open": 2, "open_overdue": 1, "on_time_rate": 0.3333},
        {"department": "LY-TRANSPORT", "department_name": "洛阳市交通运输局", "mechanism": "complaint",
         "closed": 1, "on_time": 1, "late": 0, "open": 0, "open_overdue": 0, "on_time_rate": 1.0},
    ]
    assert [r["department"] for r in client.get(API + "&department=LY-TRANSPORT").json()] == ["LY-TRANSPORT"]
    assert client.get(API + "&mechanism=complaint").json()[0]["mechanism"] == "complaint"


@pytest.mark.parametrize("who, codes", [("carol", ["LY-HOUSING"]), ("bob", ["LY-HOUSING"]),
                                        ("erin", ["LY-TRANSPORT"])])
def test_api_is_scoped_like_the_page(client, q3, pinned, request, who, codes):
    data = login(client, request.getfixturevalue(who)).get(API).json()
    assert [r["department"] for r in data] == codes


def test_the_system_administrator_has_no_rows(client, q3, olga, pinned):
    """三员分立: an administrative duty is no case role, so the dashboard, its drill-down and the API do not exist
    for it."""
    login(client, olga)
    assert client.get(PAGE).status_code == 404
    assert client.get(API).status_code == 404


def test_api_hides_departments_out_of_scope(client, q3, erin, pinned):
    assert login(client, erin).get(API + "&department=LY-HOUSING").status_code == 404
    assert client.get(API + "&department=NO-SUCH").status_code == 404


@pytest.mark.parametrize("query, field", [
    ("from=2026-07-01", "to"), ("to=2026-07-01", "from"), ("from=07/01/2026&to=2026-09-30", "from"),
    ("from=2026-07-01&to=2026-02-30", "to"), ("from=2026-09-30&to=2026-07-01", "to"),
    ("from=2020-01-01&to=2026-01-01", "to"), ("from=2026-07-01&to=2026-09-30&mechanism=x", "mechanism"),
])
def test_api_bad_input_is_400_naming_the_parameter(client, q3, dave, pinned, query, field):
    resp = login(client, dave).get(f"/api/v1/supervision/punctuality/?{query}")
    assert resp.status_code == 400
    assert list(resp.json()["error"]["fields"]) == [field]


def test_api_client_token_works(client, q3, luoyang, pinned):
    from casework.org.services import create_api_client

    _c, token = create_api_client(actor=None, name="city-dashboard", department=luoyang["housing"])
    resp = client.get(API, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert resp.status_code == 200 and [r["department"] for r in resp.json()] == ["LY-HOUSING"]


def test_overview_names_the_items_and_opens_to_drc_leaders(client, q3, dave, leo, bob, carol, erin, olga, pinned):
    client.force_login(dave)
    html = client.get("/supervision/").content.decode()
    assert "某安置房项目线索" in html and "某道路工程串标线索" in html and "bob" in html   # c4 and c3: overdue now
    assert f'notices/new/?clock={q3["c4"].pk}' in html
    resp = client.get("/supervision/?format=xlsx")
    cells = [c.value for r in load_workbook(io.BytesIO(resp.content)).active.iter_rows() for c in r]
    assert any("某安置房项目线索" in str(v) for v in cells)
    client.force_login(leo)
    html = client.get("/supervision/").content.decode()
    assert "某安置房项目线索" in html and "notices/new/" not in html          # a leader reads; the office acts
    for user in (bob, carol, erin, olga):
        client.force_login(user)
        assert client.get("/supervision/").status_code == 403
    client.logout()
    assert client.get("/supervision/").status_code == 302


def test_drill_down_pages_by_keyset_and_counts_the_figure(client, q3, dave, pinned, monkeypatch):
    """Pages follow (time, id), not OFFSET; the count is the figure clicked (from the rollup)."""
    import re

    from supervision import views

    monkeypatch.setattr(views, "PAGE_SIZE", 1)
    url = ("/supervision/dashboard/items/?from=2026-07-01&to=2026-09-30&department=LY-HOUSING&mechanism=referral"
           "&metric=late")
    first = login(client, dave).get(url).content.decode()
    assert 'id="count">共 2 项' in first and first.count("data-clock=") == 1
    assert f'data-clock="{q3["c5"].pk}"' in first                      # closed 07-02, before c2 (07-13)
    after = re.search(r'id="next" href="\?([^"]+)"', first)[1].replace("&amp;", "&")
    second = client.get("/supervision/dashboard/items/?" + after).content.decode()
    assert f'data-clock="{q3["c2"].pk}"' in second and 'id="next"' not in second and "第一页" in second
    received = client.get(url.replace("metric=late", "metric=received")).content.decode()
    assert 'id="count">共 2 项' in received
    assert client.get(url + "&after=yesterday_1").status_code == 400
