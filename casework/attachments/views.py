"""Serving an attachment to a party: PDF and images inline, everything else as a download, with a safe filename,
`X-Content-Type-Options: nosniff` and no caching by shared proxies. The page route uses the session; the API
route (`/api/v1/files/{id}/`) the API token. Both 404 for anyone who is not a party."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.views.decorators.http import require_GET
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.permissions import IsAuthenticated
from rest_framework.views import APIView

from casework.attachments import selectors, services


def ascii_fallback(name: str) -> str:
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    stem = "".join(c if c.isascii() and (c.isalnum() or c in "-_") else "_" for c in name.rsplit(".", 1)[0])
    stem = stem.strip("_") or "file"
    return f"{stem}.{ext}" if ext.isascii() and ext.isalnum() else stem


def file_response(attachment, data: bytes, *, force_download: bool = False) -> HttpResponse:
    response = HttpResponse(data, content_type=attachment.content_type)
    disposition = "inline" if attachment.inline and not force_download else "attachment"
    response["Content-Disposition"] = (f'{disposition}; filename="{ascii_fallback(attachment.name)}"; '
                                       f"filename*=UTF-8''{quote(attachment.name, safe='')}")
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'"
    response["Cache-Control"] = "private, no-store"
    response["Content-Length"] = str(len(data))
    response["X-Content-SHA256"] = attachment.sha256
    return response


@login_required
@require_GET
def download(request, pk: int):
    attachment = selectors.get_attachment(request.user, pk)  # NotFound (404) unless a party
    data = services.open_attachment(actor=request.user, attachment=attachment, channel="web")
    return file_response(attachment, data, force_download=request.GET.get("download") == "1")


class AttachmentDownload(APIView):
    """An attachment's bytes for an API client that is a party (same rule as the page)."""

    permission_classes = [IsAuthenticated]

    @extend_schema(responses={200: OpenApiResponse(description="文件内容（Content-Type 为文件类型）")},
                   summary="下载附件")
    def get(self, request, pk: int):
        attachment = selectors.get_attachment(request.user, pk)
        data = services.open_attachment(actor=request.user, attachment=attachment, channel="api")
        return file_response(attachment, data, force_download=request.GET.get("download") == "1")
