"""The stored PDF of a letter, to those who may see it."""

from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, HttpResponseNotModified
from django.views.decorators.http import require_GET

from casework.errors import NotFound
from casework.letters.models import Letter
from casework.letters.services import get_letter, letter_bytes
from casework.savedviews.views import lists_saved_views


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
@lists_saved_views
def letter_list(request):
    """Every letter the user may see (issued, received, distributed; a supervisor's jurisdictions), found, filtered
    and exported one way. A letter carrying a protected identity shows masked, without a link, to those not cleared."""
    from casework.letters import selectors
    from casework.listing import list_page

    return list_page(request, selectors.letter_list_ledger(request.user), template="casework/letter_list.html",
                     prepare=lambda rows: selectors.letter_rows(request.user, rows))


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


@login_required
def draft_page(request, pk: int):
    """A letter waiting for sign-off: its text as it will be issued, and the leader's sign / send-back form (or the
    drafter's revise / withdraw form after a send-back)."""
    from django.shortcuts import render

    from casework.letters import signoff
    from casework.rules.powers import has_power

    draft = signoff.get_draft(request.user, pk)  # NotFound (404) unless a handler or leader of the issuer
    subject = draft.subject
    return render(request, "casework/letter_draft.html", {
        "draft": draft, "paragraphs": [p for p in draft.body.split("\n\n") if p.strip()],
        "subject": subject, "subject_url": subject.get_absolute_url() if hasattr(subject, "get_absolute_url") else "",
        "may_sign": draft.state == draft.State.PENDING and has_power(request.user, draft.issuer, signoff.POWER),
        "may_revise": draft.state == draft.State.RETURNED, "error": getattr(request, "_draft_error", ""),
    }, status=400 if getattr(request, "_draft_error", "") else 200)


@login_required
def draft_step(request, pk: int, step: str):
    """签发 (sign), 退回 (send back with a reason), 修改后重新报请签发 (resubmit), 撤回 (withdraw)."""
    from django.contrib import messages
    from django.http import HttpResponseNotAllowed
    from django.shortcuts import redirect

    from casework.errors import DomainError
    from casework.letters import signoff

    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    draft = signoff.get_draft(request.user, pk)
    post = request.POST
    try:
        if step == "sign":
            letter = signoff.sign(actor=request.user, draft=draft)
            messages.success(request, f"已签发：{letter.doc_number}")
            return redirect("casework:letter", letter.pk)
        if step == "return":
            signoff.send_back(actor=request.user, draft=draft, reason=post.get("reason", ""))
            messages.success(request, "已退回拟稿人修改")
        elif step == "resubmit":
            signoff.resubmit(actor=request.user, draft=draft, title=post.get("title", ""), body=post.get("body", ""))
            messages.success(request, "已重新报请签发")
        elif step == "withdraw":
            signoff.withdraw(actor=request.user, draft=draft)
            messages.success(request, "已撤回")
        else:
            raise NotFound(f"未知操作：{step}")
    except DomainError as exc:
        if exc.status != 400:
            raise
        request._draft_error = str(exc)
        return draft_page(request, pk)
    return redirect("casework:letter_draft", draft.pk)
