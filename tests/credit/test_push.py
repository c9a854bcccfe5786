"""The push to the credit platform (Zengdu 第九条; Luoyang 四(二)) as a real integration point: signed HTTP through
the webhook outbox, retried against a local receiver that fails first, each push's state and receipt; a
withdrawal, repair or correction pushed like the penalty; without a platform, numbered batches of the standard
export file with the platform's receipt; the CSV keeps its header, escapes formulas and filters."""

import csv
import datetime as dt
import hashlib
import hmac
import io
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from casework.clocks.services import clocks_for
from casework.errors import Forbidden
from casework.validators import uscc_with_check
from casework.webhooks import services as webhooks
from credit import services
from credit.models import CreditPush

TODAY = dt.date.today()
CODE = uscc_with_check("91410300MA9K0001X")
SECRET = "platform-shared-secret"


class Platform:
    """A local credit platform on 127.0.0.1, started by the test: it fails the first `fail` requests with 503,
    then answers 200 with a receipt number."""

    def __init__(self, fail=1):
        self.received, self.fail = [], fail
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                outer.received.append((dict(self.headers), body))
                if len(outer.received) <= outer.fail:
                    self.send_response(503)
                    self.end_headers()
                    return
                answer = json.dumps({"receipt": f"XYPT-{len(outer.received):04d}"}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, *args):
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/penalties"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def platform(settings):
    p = Platform()
    settings.CREDIT_PLATFORM_URL, settings.CREDIT_PLATFORM_SECRET = p.url, SECRET
    yield p
    p.close()


@pytest.fixture
def firm(bob):
    return services.ensure_subject(actor=bob, type="enterprise", code=CODE, name="洛阳甲建设有限公司")


def penalty(bob, dept, firm, number="洛建罚〔2026〕1号", **kw):
    args = dict(kind="penalty", decision_number=number, decided_on=TODAY, facts="串通投标",
                legal_basis="《招标投标法》第五十三条", penalty="罚款 5 万元", valid_from=TODAY,
                penalty_category="fine", fine_amount="50000")
    args.update(kw)
    return services.record_sanction(actor=bob, department=dept, subject=firm, **args)


def test_the_push_is_retried_until_the_platform_answers_and_its_receipt_kept(
        client, luoyang, bob, firm, platform, django_capture_on_commit_callbacks, frozen):
    with django_capture_on_commit_callbacks(execute=False):
        rec = penalty(bob, luoyang["housing"], firm)
    push = rec.pushes.get()
    assert push.channel == "http" and push.state == "待推送"

    assert webhooks.deliver(push.delivery_id) is False            # the platform is down: 503
    push.refresh_from_db()
    push.delivery.refresh_from_db()
    assert push.state == "重试中" and push.delivery.last_error == "HTTP 503"
    assert push.delivery.next_attempt_at > timezone.now()
    assert services.settle_pushes() == 0 and clocks_for(rec).get().closed_at is None

    # the beat sweep comes back once the back-off has passed
    later = timezone.now() + dt.timedelta(minutes=5)
    assert webhooks.due_deliveries(later) == [push.delivery_id]
    frozen(later)  # a delivery is only tried once its back-off has passed
    assert webhooks.deliver(push.delivery_id) is True
    push.delivery.refresh_from_db()
    assert push.state == "已送达" and "XYPT-0002" in push.receipt_display
    assert services.settle_pushes() == 1 and clocks_for(rec).get().state == "met"

    headers, body = platform.received[-1]
    expected = "sha256=" + hmac.new(SECRET.encode(), headers["X-Portal-Timestamp"].encode() + b"." + body,
                                    hashlib.sha256).hexdigest()
    assert headers["X-Portal-Signature"] == expected and headers["X-Portal-Event"] == "credit.penalty"
    record = json.loads(body)["record"]
    assert record["罚款金额（元）"] == "50000.00" and record["处罚类别"].startswith("罚款")
    assert json.loads(body)["报送事项"] == "公示"

    client.force_login(bob)
    page = client.get(f"/credit/records/{rec.pk}/").content.decode()
    assert "已送达" in page and "XYPT-0002" in page


def test_a_withdrawal_is_pushed_like_the_penalty_and_its_clock_cancelled(
        luoyang, bob, firm, platform, django_capture_on_commit_callbacks):
    platform.fail = 0
    with django_capture_on_commit_callbacks(execute=False):
        rec = penalty(bob, luoyang["housing"], firm)
        services.withdraw_record(actor=bob, rec=rec, reason="原处罚决定经复议被撤销")
    publish, withdrawal = rec.pushes.order_by("id")
    assert withdrawal.action == "withdrawal" and withdrawal.delivery.event == "credit.penalty_withdrawn"
    clock = clocks_for(rec).get()
    assert clock.state == "cancelled"
    assert webhooks.deliver(publish.delivery_id) and webhooks.deliver(withdrawal.delivery_id)
    body = json.loads(platform.received[-1][1])
    assert body["报送事项"] == "撤销" and body["record"]["状态"] == "已撤销" and "复议" in body["说明"]


def test_repair_and_correction_are_pushed_too(luoyang, bob, firm, platform, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        rec = penalty(bob, luoyang["housing"], firm)
        services.correct_record(actor=bob, rec=rec, reason="罚款金额录入错误", fine_amount="30000")
        services.repair_record(actor=bob, rec=rec, decision="已完成信用修复，整改到位")
    assert list(rec.pushes.order_by("id").values_list("action", "delivery__event")) == [
        ("publish", "credit.penalty"), ("correction", "credit.penalty_corrected"),
        ("repair", "credit.penalty_repaired")]
    assert rec.pushes.get(action="correction").payload["record"]["罚款金额（元）"] == "30000.00"


def rows(response):
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def test_without_a_platform_batches_of_the_export_file_with_receipts(client, luoyang, bob, erin, firm, settings):
    settings.CREDIT_PLATFORM_URL = ""
    client.force_login(bob)
    empty = rows(client.get("/credit/export/penalties.csv"))
    assert empty[0][:3] == ["报送事项", "报送批次", "报送状态"] and len(empty) == 1   # header even when empty
    rec = penalty(bob, luoyang["housing"], firm, facts="=HYPERLINK(\"http://evil\")串通投标")
    other = penalty(bob, luoyang["housing"], firm, number="洛建罚〔2026〕2号", decided_on=TODAY - dt.timedelta(days=40),
                    valid_from=TODAY - dt.timedelta(days=40))
    table = rows(client.get("/credit/export/penalties.csv"))
    header = table[0]
    assert {"罚款金额（元）", "处罚类别"} <= set(header) and len(table) == 3
    first = dict(zip(header, table[1], strict=True))
    assert first["违法事实"].startswith("'=HYPERLINK")                     # no formula reaches the spreadsheet
    assert first["罚款金额（元）"] == "50000.00" and first["报送状态"] == "待导出"
    recent = rows(client.get("/credit/export/penalties.csv", {"since": (TODAY - dt.timedelta(days=10)).isoformat()}))
    assert [r[6] for r in recent[1:]] == [rec.decision_number]

    with pytest.raises(Forbidden):
        services.export_batch(actor=erin, department=luoyang["housing"])
    response = client.post("/credit/batches/export/")
    assert response.status_code == 302
    batch = CreditPush.objects.values_list("batch", flat=True).distinct().get()
    assert batch == f"{luoyang['housing'].code}-{TODAY:%Y%m%d}-01"
    in_batch = rows(client.get("/credit/export/penalties.csv", {"batch": batch}))
    assert len(in_batch) == 3 and all(r[1] == batch for r in in_batch[1:])
    assert len(rows(client.get("/credit/export/penalties.csv", {"pending": "on"}))) == 3

    client.post("/credit/batches/confirm/", {"batch": batch, "receipt": "省平台回执 SXY-2026-118"})
    assert all(p.state == "已确认报送" and p.receipt == "省平台回执 SXY-2026-118" for p in CreditPush.objects.all())
    assert clocks_for(rec).get().state == "met" and clocks_for(other).get().state in ("met", "breached")
    assert len(rows(client.get("/credit/export/penalties.csv", {"pending": "on"}))) == 1   # header only


def test_pages_and_export_are_scoped(client, luoyang, bob, carol, dave, erin, olga, firm, settings):
    settings.CREDIT_PLATFORM_URL = ""
    rec = penalty(bob, luoyang["housing"], firm)
    url = f"/credit/records/{rec.pk}/"
    assert client.get(url).status_code == 302                                  # anonymous: log in
    assert client.get("/credit/export/penalties.csv").status_code == 302
    for who, status in ((erin, 404), (bob, 200), (carol, 200), (dave, 200)):
        client.force_login(who)
        assert client.get(url).status_code == status, who
    client.force_login(erin)
    assert len(rows(client.get("/credit/export/penalties.csv"))) == 1         # nothing of the housing bureau
    correction = {"facts": "x", "reason": "更正违法事实"}
    assert client.post(f"/credit/records/{rec.pk}/correct/", correction).status_code == 404
    client.force_login(dave)                                                   # sees, may not correct
    assert client.post(f"/credit/records/{rec.pk}/correct/", correction).status_code == 403
    client.force_login(olga)                                                   # the admin is not the issuer
    assert client.get(url).status_code == 404
