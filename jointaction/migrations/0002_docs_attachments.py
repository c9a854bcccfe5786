"""Assistance materials move to the shared attachment model (casework.Attachment): every file keeps its stored
name, SHA-256, size, uploader and time. The requester holds them; the assisting organ, which received them with
the 协助办理函, may open them."""

from django.db import migrations


def forward(apps, schema_editor):
    AssistanceFile = apps.get_model("jointaction", "AssistanceFile")
    Attachment = apps.get_model("casework", "Attachment")
    Share = apps.get_model("casework", "AttachmentShare")
    ContentType = apps.get_model("contenttypes", "ContentType")
    if not AssistanceFile.objects.exists():
        return
    request_type, _ = ContentType.objects.get_or_create(app_label="jointaction", model="assistancerequest")
    for f in AssistanceFile.objects.select_related("request").order_by("pk"):
        req = f.request
        a = Attachment.objects.create(
            owner_type=request_type, owner_id=req.pk, purpose="material", file=f.file.name, name=f.name,
            content_type=f.content_type, size=f.size, sha256=f.sha256, department_id=req.requester_id,
            uploaded_by_id=f.uploaded_by_id, uploaded_at=f.uploaded_at)
        Share.objects.get_or_create(attachment=a, department_id=req.assistant_id,
                                    defaults={"basis": "协助办理函（迁移时认定）"})
        if req.request_letter_id:
            a.letters.add(req.request_letter_id)


def backward(apps, schema_editor):
    AssistanceFile = apps.get_model("jointaction", "AssistanceFile")
    Attachment = apps.get_model("casework", "Attachment")
    ContentType = apps.get_model("contenttypes", "ContentType")
    request_type = ContentType.objects.filter(app_label="jointaction", model="assistancerequest").first()
    if request_type is None:
        return
    for a in Attachment.objects.filter(owner_type=request_type, purpose="material").order_by("pk"):
        old, _ = AssistanceFile.objects.get_or_create(request_id=a.owner_id, sha256=a.sha256, defaults={
            "file": a.file.name, "name": a.name, "content_type": a.content_type, "size": a.size,
            "uploaded_by_id": a.uploaded_by_id})
        AssistanceFile.objects.filter(pk=old.pk).update(uploaded_at=a.uploaded_at)  # auto_now_add set it
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
        ("jointaction", "0001_initial"),
        ("casework", "0012_docs_attachments"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.RunPython(forward, backward),
        migrations.DeleteModel(name="AssistanceFile"),
    ]
