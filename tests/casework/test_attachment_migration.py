"""The move to one attachment model keeps every existing file and hash: the old per-app rows (clue evidence,
complaint evidence, assistance files) become Attachment rows pointing at the same stored bytes, and the receivers
of transfers and letters can open them."""

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from casework.attachments.models import Attachment
from casework.attachments.selectors import visible_attachments
from complaints import services as complaints
from jointaction import services as assistance
from referrals import services as referrals
from referrals.models import Matter
from tests.casework.test_attachment_checks import PDF, PNG
from tests.complaints.conftest import complaint_input
from tests.conftest import make_user
from tests.referrals.conftest import clue_input

# The three apps before the move (casework stays where it is: its Attachment table just empties).
BEFORE = [("referrals", "0002_anonymous_reports"), ("complaints", "0003_evidence_and_transfer_receipts"),
          ("jointaction", "0001_initial")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets or executor.loader.graph.leaf_nodes())
    return executor.loader.project_state(targets).apps if targets else None


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_old_rows_become_attachments_with_the_same_files_and_hashes(luoyang, alice, bob, erin):
    pete = make_user("pete", luoyang["police"], "handler")
    mark = make_user("mark", luoyang["market_regulation"], "handler")
    clue = referrals.intake_clue(actor=alice, data=clue_input(luoyang)).clue
    referrals.add_evidence(actor=alice, clue=clue, upload=SimpleUploadedFile("比对报告.pdf", PDF))
    referrals.transfer_clue(actor=bob, clue=clue, receivers=[luoyang["police"]], matter=Matter.CRIME,
                            legal_basis="刑法第二百二十三条", materials=["线索摘要"])
    complaints.file_complaint(data=complaint_input(luoyang), channel="online", submission_key="web:m",
                              files=[SimpleUploadedFile("证据.png", PNG)])
    assistance.request_assistance(
        actor=bob, requester=luoyang["housing"], assistant=luoyang["market_regulation"], case_name="某工程串通投标案",
        case_summary="经查，三家投标人投标文件机器码一致，涉嫌串通投标。", matters="调取企业登记档案。",
        reasons="核实投标人之间的关系。", materials=["立案审批表"],
        uploads=[SimpleUploadedFile("审批表.pdf", PDF + b"%a")])
    kept = {(a.file.name, a.sha256, a.size, a.name) for a in Attachment.objects.all()}
    assert len(kept) == 3

    old = migrate(BEFORE)  # back to the three per-app models (the reverse data migration fills them)
    rows = {(e.file.name, e.sha256, e.size, e.name) for model in (
        old.get_model("referrals", "Evidence"), old.get_model("complaints", "ComplaintEvidence"),
        old.get_model("jointaction", "AssistanceFile")) for e in model.objects.all()}
    assert rows == kept

    migrate(None)  # forward again: the data migrations under test
    moved = list(Attachment.objects.all())
    assert {(a.file.name, a.sha256, a.size, a.name) for a in moved} == kept
    for a in moved:
        with default_storage.open(a.file.name, "rb") as fh:
            assert fh.read() in (PDF, PNG, PDF + b"%a")
    evidence = Attachment.objects.get(name="比对报告.pdf")
    assert evidence.department == luoyang["trading_centre"] and evidence.uploaded_by == alice
    for user, sees in ((alice, True), (bob, True), (pete, True), (erin, False)):
        assert visible_attachments(user).filter(pk=evidence.pk).exists() == sees, user
    assert evidence.letters.count() == 2  # the 移送函 and 回执 of the transfer
    material = Attachment.objects.get(name="审批表.pdf")
    assert visible_attachments(mark).filter(pk=material.pk).exists()
    assert not visible_attachments(erin).filter(pk=material.pk).exists()
    photo = Attachment.objects.get(name="证据.png")
    assert photo.department == luoyang["housing"] and visible_attachments(bob).filter(pk=photo.pk).exists()
