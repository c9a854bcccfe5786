"""Complaint evidence moves to the shared attachment model (casework.Attachment): every file keeps its stored
name, SHA-256 and size. The handling department holds it; the other end of a transfer may open it."""

from django.db import migrations


def forward(apps, schema_editor):
    ComplaintEvidence = apps.get_model("complaints", "ComplaintEvidence")
    Attachment = apps.get_model("casework", "Attachment")
    Share = apps.get_model("casework", "AttachmentShare")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not ComplaintEvidence.objects.exists():
        return
    complaint_type, _ = ContentType.objects.get_or_create(app_label="complaints", model="complaint")
    for e in ComplaintEvidence.objects.select_related("complaint__transfer_handoff").order_by("pk"):
        complaint = e.complaint
        a = Attachment.objects.create(
            owner_type=complaint_type, owner_id=complaint.pk, purpose="evidence", file=e.file.name, name=e.name,
            content_type=e.content_type, size=e.size, sha256=e.sha256, department_id=complaint.department_id,
            uploaded_by_id=None, uploaded_at=e.uploaded_at)
        handoff = complaint.transfer_handoff
        if handoff is not None:
            for dept_id in (handoff.sender_id, handoff.receiver_id):
                if dept_id != complaint.department_id:
                    Share.objects.get_or_create(attachment=a, department_id=dept_id,
                                                defaults={"basis": "投诉移交（迁移时认定）"})


def backward(apps, schema_editor):
    ComplaintEvidence = apps.get_model("complaints", "ComplaintEvidence")
    Attachment = apps.get_model("casework", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    complaint_type = ContentType.objects.filter(app_label="complaints", model="complaint").first()
    if complaint_type is None:
        return
    for a in Attachment.objects.filter(owner_type=complaint_type, purpose="evidence").order_by("pk"):
        old, _ = ComplaintEvidence.objects.get_or_create(complaint_id=a.owner_id, sha256=a.sha256, defaults={
            "file": a.file.name, "name": a.name, "content_type": a.content_type, "size": a.size})
        ComplaintEvidence.objects.filter(pk=old.pk).update(uploaded_at=a.uploaded_at)  # auto_now_add set it
        _drop(apps, a.pk)


def _drop(apps, pk) -> None:
    """Remove one attachment with its shares and letter links, without Django's cascade collector: in the merged
    migration graph the historical models it compares come from different states and it refuses them."""
    Attachment = apps.get_model("casework", "Attachment")
    apps.get_model("casework", "AttachmentShare").objects.filter(attachment_id=pk).delete()
    Attachment.letters.through.objects.filter(attachment_id=pk).delete()
    Attachment.objects.filter(pk=pk)._raw_delete(Attachment.objects.db)


class Migration(migrations.Migration):
    dependencies = [
        ("complaints", "0003_evidence_and_transfer_receipts"),
        ("casework", "0012_docs_attachments"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="ComplaintEvidence"),
    ]
