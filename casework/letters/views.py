"""The stored PDF of a letter, to those who may see it."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from casework.letters.services import get_letter, letter_bytes


@login_required
@require_GET
def letter_pdf(request, pk: int):
    letter = get_letter(request.user, pk)  # NotFound (404) unless visible
    etag = f'"{letter.sha256}"'
    if etag in [t.strip() for t in request.headers.get("If-None-Match", "").split(",")]:
        response = HttpResponseNotModified()
    else:
        response = HttpResponse(letter_bytes(letter), content_type="application/pdf")
        response["Content-Disposition"] = f"inline; filename*=UTF-8''{quote(letter.doc_number)}.pdf"
    response["ETag"] = etag
    response["Cache-Control"] = "private, no-cache"
    return response
