"""Clue evidence moves to the shared attachment model (casework.Attachment): every file keeps its stored name
(the bytes are not copied or touched), its SHA-256, size, uploader and upload time. The receivers of transfers
that listed the file, or were made after it was uploaded, may open it; so may the supervising department."""

from django.db import migrations


def forward(apps, schema_editor):
    Evidence = apps.get_model("referrals", "Evidence")
    Transfer = apps.get_model("referrals", "Transfer")
    ClueCopy = apps.get_model("referrals", "ClueCopy")
    Attachment = apps.get_model("casework", "Attachment")
    Share = apps.get_model("casework", "AttachmentShare")
    Membership = apps.get_model("casework", "Membership")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not Evidence.objects.exists():
        return
    clue_type, _ = ContentType.objects.get_or_create(app_label="referrals", model="clue")
    for e in Evidence.objects.select_related("clue").order_by("pk"):
        clue = e.clue
        transfers = list(Transfer.objects.filter(clue=clue).order_by("delivered_at", "pk"))
        involved = [clue.source_department_id, clue.supervising_department_id] + [t.receiver_id for t in transfers]
        mine = set(Membership.objects.filter(user_id=e.uploaded_by_id).values_list("department_id", flat=True))
        department = next((d for d in involved if d in mine), clue.source_department_id)
        a = Attachment.objects.create(
            owner_type=clue_type, owner_id=clue.pk, purpose="evidence", file=e.file.name, name=e.name,
            content_type=e.content_type, size=e.size, sha256=e.sha256, department_id=department,
            uploaded_by_id=e.uploaded_by_id, uploaded_at=e.uploaded_at)
        shares = {clue.source_department_id: "线索推送", clue.supervising_department_id: "线索推送"}
        for copy in ClueCopy.objects.filter(clue=clue):
            shares.setdefault(copy.department_id, "同时推送")
        for t in transfers:
            listed = any(e.name in line or e.sha256[:16] in line for line in (t.materials or []))
            if listed or t.delivered_at >= e.uploaded_at:
                shares.setdefault(t.receiver_id, "移送（迁移时按移送材料认定）")
                shares.setdefault(t.sender_id, "移送（迁移时按移送材料认定）")
                for letter_id in (t.transfer_letter_id, t.receipt_letter_id):
                    if letter_id:
                        a.letters.add(letter_id)
        for dept_id, basis in shares.items():
            if dept_id and dept_id != department:
                Share.objects.get_or_create(attachment=a, department_id=dept_id, defaults={"basis": basis})


def backward(apps, schema_editor):
    Evidence = apps.get_model("referrals", "Evidence")
    Attachment = apps.get_model("casework", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    clue_type = ContentType.objects.filter(app_label="referrals", model="clue").first()
    if clue_type is None:
        return
    for a in Attachment.objects.filter(owner_type=clue_type, purpose="evidence").order_by("pk"):
        old, _ = Evidence.objects.get_or_create(clue_id=a.owner_id, sha256=a.sha256, defaults={
            "file": a.file.name, "name": a.name, "content_type": a.content_type, "size": a.size,
            "uploaded_by_id": a.uploaded_by_id})
        Evidence.objects.filter(pk=old.pk).update(uploaded_at=a.uploaded_at)  # auto_now_add set it
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
        ("referrals", "0002_anonymous_reports"),
        ("casework", "0012_docs_attachments"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="Evidence"),
    ]
