"""The stored PDF of a letter, to those who may see it."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from casework.errors import NotFound
from casework.letters.models import Letter
from casework.letters.services import get_letter, letter_bytes


@login_required
@require_GET
def letter_pdf(request, pk: int):
    letter = get_letter(request.user, pk)  # NotFound (404) unless visible
    return _pdf(request, letter, cache="private, no-cache")


@require_GET
def public_letter_pdf(request, pk: int):
    """A public notice (公告) is for everyone: no login."""
    letter = Letter.objects.filter(pk=pk, kind=Letter.Kind.PUBLIC_NOTICE).first()
    if letter is None:
        raise NotFound("未找到该公告。")
    return _pdf(request, letter, cache="public, max-age=300")


def _pdf(request, letter: Letter, *, cache: str) -> HttpResponse:
    etag = f'"{letter.sha256}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(letter_bytes(letter), content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(letter.doc_number)}.pdf"
    response["ETag"] = etag
    response["Cache-Control"] = cache
    return response


@login_required
@require_GET
def letter_page(request, pk: int):
    """The letter as a page: its facts, the PDF, and the files that travel with it, each openable by a party."""
    from django.shortcuts import render

    from casework.attachments.selectors import readable_attachment_ids

    letter = get_letter(request.user, pk)  # NotFound (404) unless visible
    attachments = list(letter.attachments.order_by("uploaded_at", "id"))
    readable = readable_attachment_ids(request.user, attachments)
    subject = letter.subject
    return render(request, "casework/letter_detail.html", {
        "letter": letter, "subject": subject,
        "subject_url": subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else "",
        "attachments": [(a, a.pk in readable) for a in attachments],
    })
