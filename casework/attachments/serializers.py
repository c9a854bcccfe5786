"""How every mechanism's API shows its files: name, size, type, SHA-256 and a `download_url` that the same
API token opens (GET, `Authorization: Bearer ...`)."""

from rest_framework import serializers

from casework.attachments.selectors import visible_of


class AttachmentOut(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    purpose = serializers.CharField()
    content_type = serializers.CharField()
    size = serializers.IntegerField()
    sha256 = serializers.CharField()
    uploaded_at = serializers.DateTimeField()
    department = serializers.CharField(source="department.code", allow_null=True, default=None)
    download_url = serializers.SerializerMethodField()

    def get_download_url(self, attachment) -> str:
        request = self.context.get("request")
        url = attachment.api_url
        return request.build_absolute_uri(url) if request is not None else url


def files_field(request, owner, purpose: str | None = None, known: dict | None = None) -> list[dict]:
    """The owner's files the requesting party may open, serialised. `known`: {owner pk: files} read for a whole
    page at once (casework.attachments.selectors.visible_of_many), so a list does not query per row."""
    files = known[owner.pk] if known is not None and owner.pk in known else visible_of(request.user, owner, purpose)
    return AttachmentOut(files, many=True, context={"request": request}).data
