"""Official letters: gapless numbering per issuer and year, the stored PDF and its verification, the
GB/T 9704 rendering (text and embedded CJK fonts), and who may download a letter."""

import datetime as dt
import hashlib
import shutil
import subprocess
import threading
from urllib.parse import quote

import pytest
from django.db import connection, transaction
from django.urls import reverse

from casework.errors import DomainError, Forbidden, NotFound
from casework.events.models import Event
from casework.events.services import record, verify_chain
from casework.letters import render
from casework.letters.models import Letter, LetterSequence
from casework.letters.services import (
    LetterIntegrityError,
    get_letter,
    issue_letter,
    letter_bytes,
    visible_letters,
)
from tests.conftest import at, run_concurrently

MATERIALS = ["问题线索登记表", "投标文件机器码比对报告", "投标保证金缴纳凭证"]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def fast_render(monkeypatch):
    """Numbering tests need no real PDF: a few distinct bytes per letter."""
    monkeypatch.setattr(render, "render_pdf", lambda letter, subject=None: f"%PDF {letter.doc_number}".encode())


def poppler(tool: str, path) -> str:
    if not shutil.which(tool):
        pytest.fail(f"{tool} missing: run bin/setup --test (installs Debian poppler-utils)")
    args = [tool, str(path)] + (["-"] if tool == "pdftotext" else [])
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def issue(luoyang, actor, issuer="housing", addressee="trading_centre", **kw):
    values = {
        "actor": actor, "issuer": luoyang[issuer], "kind": Letter.Kind.TRANSFER,
        "title": "关于移送洛阳市第二人民医院门诊楼建设项目有关问题线索的函",
        "body": ["我单位在监管工作中发现有关问题线索，现移送你单位，请依法处理。", "特此函告。"],
        "subject": luoyang["housing"], "addressee": luoyang[addressee] if addressee else None,
        "materials": MATERIALS, "issued_at": at(2026, 11, 21),
    }
    values.update(kw)
    return issue_letter(**values)


# --- numbering -------------------------------------------------------------------------------------------


def test_numbers_run_per_department_kind_and_year(luoyang, bob, alice, fast_render):
    letters = [issue(luoyang, bob) for _ in range(3)]
    assert [x.number for x in letters] == [1, 2, 3]
    assert [x.doc_number for x in letters] == [f"洛建移〔2026〕{n}号" for n in (1, 2, 3)]
    # each kind is its own series: the first 退回函 is 1号 after three 移送函
    back = issue(luoyang, bob, kind=Letter.Kind.RETURN, title="关于退回有关问题线索的函")
    assert back.doc_number == "洛建退〔2026〕1号"
    # a 回执 is a form, not a numbered 发文: it carries its 移送函's number and takes none
    receipt = issue(luoyang, bob, kind=Letter.Kind.RECEIPT, title="移送回执", accompanies=letters[2])
    assert (receipt.number, receipt.doc_number) == (3, "洛建移〔2026〕3号·移送回执")
    with pytest.raises(DomainError):
        issue(luoyang, bob, kind=Letter.Kind.RECEIPT, title="移送回执")
    # another department has its own sequence
    theirs = issue(luoyang, alice, issuer="trading_centre", addressee="housing")
    assert (theirs.number, theirs.doc_number) == (1, "洛交易移〔2026〕1号")
    # a new year starts again at 1; the year is Asia/Shanghai's (17:00 UTC on 31 December is 1 January there)
    new_year = issue(luoyang, bob, issued_at=dt.datetime(2026, 12, 31, 17, 0, tzinfo=dt.UTC))
    assert (new_year.year, new_year.number, new_year.doc_number) == (2027, 1, "洛建移〔2027〕1号")
    assert issue(luoyang, bob).number == 4
    rows = LetterSequence.objects.filter(department=luoyang["housing"]).values_list("kind", "year", "last_number")
    assert set(rows) == {("transfer", 2026, 4), ("return", 2026, 1), ("transfer", 2027, 1)}


def test_doc_abbr_takes_precedence_over_the_short_name(luoyang, bob, fast_render):
    housing = luoyang["housing"]
    assert housing.doc_abbr == "洛建"  # from the preset
    housing.doc_abbr = "洛住建"  # the administrator sets the organ's real one; reloading the preset keeps it
    housing.save(update_fields=["doc_abbr"])
    from casework.org.services import load_org_preset

    load_org_preset(preset="luoyang")
    housing.refresh_from_db()
    assert issue(luoyang, bob, kind=Letter.Kind.RETURN).doc_number == "洛住建退〔2026〕1号"
    housing.doc_abbr = ""
    housing.save(update_fields=["doc_abbr"])
    assert issue(luoyang, bob, kind=Letter.Kind.RETURN).doc_number == "市住建局退〔2026〕2号"  # no 代字: 简称


def test_a_rolled_back_letter_gives_its_number_back(luoyang, bob, fast_render):
    with pytest.raises(RuntimeError), transaction.atomic():
        issue(luoyang, bob)  # the first letter of the year: its sequence row is rolled back too
        raise RuntimeError("the caller failed after issuing")
    assert issue(luoyang, bob).number == 1
    with pytest.raises(RuntimeError), transaction.atomic():
        assert issue(luoyang, bob).number == 2
        raise RuntimeError("the caller failed after issuing")
    assert issue(luoyang, bob).number == 2
    assert not Letter.objects.filter(number=3).exists()
    assert Event.objects.filter(action="letter.issued").count() == 2


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_concurrent_letters_get_numbers_one_to_eight(luoyang, bob):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent numbering needs a server database (SQLite serialises writers)")
    # (the first letter of the year: every thread also races to create the sequence row)
    def worker(i):
        return lambda: issue(luoyang, bob, title=f"关于协助调查的函（{i}）", kind=Letter.Kind.ASSISTANCE).number

    numbers, errors = run_concurrently(*[worker(i) for i in range(8)])
    assert not errors
    assert sorted(numbers) == list(range(1, 9))
    assert sorted(Letter.objects.values_list("number", flat=True)) == list(range(1, 9))
    assert LetterSequence.objects.get(department=luoyang["housing"], kind="assistance", year=2026).last_number == 8
    assert verify_chain().ok


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_no_deadlock_with_a_caller_that_recorded_an_event_first(luoyang, bob, monkeypatch):
    """A referral records its hand-over and then issues its letter, while another letter of the same
    department is being issued. Recording takes no lock, so the two never wait for each other in a cycle."""
    if connection.vendor != "postgresql":
        pytest.skip("lock order needs a server database (SQLite serialises writers)")
    recorded, numbered = threading.Event(), threading.Event()
    real_render = render.render_pdf

    def spy(letter, subject=None):  # rendering happens once the number is taken
        if threading.current_thread().name == "plain":
            numbered.set()
        return real_render(letter, subject)

    monkeypatch.setattr(render, "render_pdf", spy)
    numbers, errors = [], []

    def caller():
        try:
            with transaction.atomic():
                record(actor=bob, obj=luoyang["housing"], action="handoff.sent")
                recorded.set()
                numbered.wait(timeout=3)  # give the other issuer every chance to take the sequence first
                numbers.append(issue(luoyang, bob).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    def plain():
        try:
            recorded.wait(timeout=30)
            numbers.append(issue(luoyang, bob).number)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=caller, name="caller"), threading.Thread(target=plain, name="plain")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert sorted(numbers) == [1, 2]
    assert verify_chain().ok


# --- validation and permission ---------------------------------------------------------------------------


@pytest.mark.parametrize(("change", "field"), [
    ({"title": "  "}, "title"),
    ({"body": []}, "body"),
    ({"body": "\n\n  \n"}, "body"),
    ({"kind": "memo"}, "kind"),
    ({"addressee": None, "addressee_name": ""}, "addressee"),
])
def test_validation_errors_name_their_field(luoyang, bob, fast_render, change, field):
    values = {"actor": bob, "issuer": luoyang["housing"], "kind": Letter.Kind.TRANSFER, "title": "关于协助的函",
              "body": ["请协助。"], "subject": luoyang["housing"], "addressee": luoyang["trading_centre"]} | change
    with pytest.raises(DomainError) as err:
        issue_letter(**values)
    assert list(err.value.field_errors) == [field]
    assert not Letter.objects.exists()
    assert not LetterSequence.objects.exists()


def test_several_errors_are_reported_together(luoyang, bob):
    with pytest.raises(DomainError) as err:
        issue_letter(actor=bob, issuer=luoyang["housing"], kind="memo", title="", body="", subject=luoyang["housing"])
    assert set(err.value.field_errors) == {"kind", "title", "body", "addressee"}


def test_a_free_text_addressee_is_enough(luoyang, bob, fast_render):
    letter = issue(luoyang, bob, addressee=None, addressee_name="河南省公共资源交易中心")
    assert letter.addressee_display == "河南省公共资源交易中心"


def test_only_the_issuing_departments_staff_may_issue(luoyang, erin, fast_render):
    with pytest.raises(Forbidden):
        issue(luoyang, erin)
    assert not Letter.objects.exists()


# --- storage and verification ----------------------------------------------------------------------------


@pytest.fixture
def transfer(luoyang, alice):
    return issue(luoyang, alice, issuer="trading_centre", addressee="housing", cc=["洛阳市发展和改革委员会"])


def test_issuing_stores_the_pdf_and_records_an_audit_event(transfer, media):
    assert transfer.file.name.startswith("letters/2026/LY-PRTC-transfer-2026-0001-")
    assert (media / transfer.file.name).read_bytes()[:5] == b"%PDF-"
    event = Event.objects.get(action="letter.issued")
    assert (event.object_type, event.object_id) == ("casework.letter", str(transfer.pk))
    assert event.after == {"doc_number": "洛交易移〔2026〕1号", "kind": "transfer", "title": transfer.title,
                           "sha256": transfer.sha256, "addressee": "洛阳市住房和城乡建设局"}
    assert verify_chain().ok


def test_download_again_is_byte_identical_with_the_recorded_hash(transfer):
    first = letter_bytes(transfer)
    again = letter_bytes(Letter.objects.get(pk=transfer.pk))
    assert first == again
    assert hashlib.sha256(again).hexdigest() == transfer.sha256
    assert len(again) == transfer.size


def test_a_tampered_file_is_refused(transfer, media):
    path = media / transfer.file.name
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    with pytest.raises(LetterIntegrityError) as err:
        letter_bytes(transfer)
    assert isinstance(err.value, DomainError)
    assert "SHA-256" in err.value.message and transfer.doc_number in err.value.message
    path.unlink()
    with pytest.raises(LetterIntegrityError, match="缺失"):
        letter_bytes(transfer)


# --- rendering -------------------------------------------------------------------------------------------


def _flat(text: str) -> str:
    return "".join(text.split())


def test_pdf_text_has_number_title_addressee_materials_and_cc(transfer, media):
    text = _flat(poppler("pdftotext", media / transfer.file.name))
    for expected in (transfer.doc_number, transfer.title, "洛阳市住房和城乡建设局：", "洛阳市公共资源交易中心",
                     "附件：1.问题线索登记表", "2.投标文件机器码比对报告", "3.投标保证金缴纳凭证",
                     "抄送：洛阳市发展和改革委员会。", "2026年11月21日", "（印章）", "—1—"):
        assert _flat(expected) in text, expected


def test_cjk_fonts_are_embedded(transfer, media):
    fonts = poppler("pdffonts", media / transfer.file.name).splitlines()[2:]
    assert fonts, "no fonts in the PDF"
    cjk = [line for line in fonts if "CJK" in line or "FangSong" in line or "仿宋" in line]
    assert cjk, fonts
    for line in fonts:  # name type encoding emb sub uni ...: every font embedded (no tofu from a missing one)
        assert line.split()[-5] == "yes", line


def test_receipt_is_a_form_with_the_materials_and_signature_lines(luoyang, alice, media):
    subject = luoyang["housing"]
    transfer = issue(luoyang, alice, issuer="trading_centre", addressee="housing", subject=subject)
    receipt = issue(luoyang, alice, issuer="trading_centre", addressee="housing", subject=subject,
                    kind=Letter.Kind.RECEIPT, title="移送回执", body=["下列材料已收到。"], accompanies=transfer)
    text = _flat(poppler("pdftotext", media / receipt.file.name))
    assert "执〔" not in text  # no 发文字号 of its own
    for expected in ("移送回执", "移送单位洛阳市公共资源交易中心", "接收单位洛阳市住房和城乡建设局",
                     "线索/案件", transfer.doc_number, "签收人", "签收时间", "份数", "页数", *MATERIALS):
        assert _flat(expected) in text, expected


def test_return_letter_sets_out_the_reasons(luoyang, bob, media):
    letter = issue(luoyang, bob, kind=Letter.Kind.RETURN, title="关于退回有关问题线索的函",
                   body=["你单位移送的问题线索已收悉。", "经审查，该事项不属于我单位职责范围，现予退回。"],
                   reasons=["项目审批部门为市卫生健康委员会。", "线索应移送项目所属行业主管部门。"])
    assert letter.reasons == ["项目审批部门为市卫生健康委员会。", "线索应移送项目所属行业主管部门。"]
    text = _flat(poppler("pdftotext", media / letter.file.name))
    for expected in (letter.doc_number, "退回理由：", "一、项目审批部门为市卫生健康委员会。", "二、线索应移送"):
        assert _flat(expected) in text, expected


# --- access ----------------------------------------------------------------------------------------------


def test_issuer_and_addressee_staff_download_it_an_outsider_gets_404(client, transfer, alice, bob, dave, erin):
    url = reverse("casework:letter_pdf", args=[transfer.pk])
    assert url == f"/letters/{transfer.pk}.pdf"
    stored = letter_bytes(transfer)
    for user in (alice, bob, dave):  # issuer, addressee, the city's supervisor
        client.force_login(user)
        resp = client.get(url)
        assert resp.status_code == 200, user
        assert resp["Content-Type"] == "application/pdf"
        assert resp["Content-Disposition"] == f"inline; filename*=UTF-8''{quote(transfer.doc_number)}.pdf"
        assert resp["ETag"].strip('"') == transfer.sha256
        assert resp.content == stored
    assert client.get(url, HTTP_IF_NONE_MATCH=f'"{transfer.sha256}"').status_code == 304
    client.force_login(erin)
    resp = client.get(url)
    assert resp.status_code == 404
    assert transfer.doc_number not in resp.content.decode()
    with pytest.raises(NotFound):
        get_letter(erin, transfer.pk)
    assert list(visible_letters(erin)) == []
    assert set(visible_letters(bob)) == {transfer}
    client.logout()
    assert client.get(url).status_code == 302  # to the login page


def test_a_tampered_file_is_an_error_page_not_the_bytes(client, transfer, bob, media):
    (media / transfer.file.name).write_bytes(b"%PDF-1.7 forged")
    client.force_login(bob)
    resp = client.get(reverse("casework:letter_pdf", args=[transfer.pk]))
    assert resp.status_code == 500
    assert b"forged" not in resp.content
    assert "篡改" in resp.content.decode()


def test_admin_lists_letters_read_only(client, transfer, olga, audrey):
    from django.contrib.auth.models import Permission

    client.force_login(olga)  # the system administrator reads no case content
    assert client.get(reverse("admin:casework_letter_changelist")).status_code == 403
    audrey.user_permissions.add(Permission.objects.get(codename="view_letter"))  # an explicit grant
    client.force_login(audrey)
    resp = client.get(reverse("admin:casework_letter_changelist"))
    assert resp.status_code == 200
    assert transfer.doc_number in resp.content.decode()
    resp = client.get(reverse("admin:casework_letter_change", args=[transfer.pk]))
    assert resp.status_code == 200
    assert transfer.sha256 in resp.content.decode()
    assert client.get(reverse("admin:casework_letter_add")).status_code == 403
    assert client.post(reverse("admin:casework_letter_delete", args=[transfer.pk]), {"post": "yes"}).status_code == 403
    assert Letter.objects.filter(pk=transfer.pk).exists()
