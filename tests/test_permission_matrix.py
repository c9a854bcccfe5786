"""The permission matrix: every page and API endpoint (from the URL conf, cross-checked with the OpenAPI schema)
and every admin list × every persona. It asserts the expected status and that no response body, PDF text
(pdftotext) or export (XLSX) carries the complainant's name, ID number or phone, except for the permitted persona.

A URL not in ROUTES fails `test_every_url_is_in_the_matrix`, naming it: add one line to ROUTES, e.g.

    "widgets/<int:pk>/": R(lambda w: f"/widgets/{w.widget.pk}/", party("LY-HOUSING")),

The world is the demo (`seed_demo`, every mechanism) plus one complaint by a natural person whose identity is
written into the free text, accepted, decided (the decision names the complainant again, in another format)
and published. Run with MATRIX_DUMP=1 to print the observed table.
"""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client
from django.urls import URLResolver, get_resolver

NAME, ID_NUMBER, PHONE = "欧阳明远", "410302199001011235", "0379-63216655"
# The forms the secrets may take in a response: as stored, and as typed into the free text.
SECRETS = (NAME, "欧阳 明远", ID_NUMBER, "63216655", "6321 6655", "6321-6655", "ouyang.my@example.invalid")
# Personal data planted in the free text of every other mechanism (an anonymous report's summary, an assistance
# letter, a joint action and its findings, an inspection's results, a meeting and its decision, a hand-over): a name
# in context, an ID number, phones with spaces, +86 and dashes, full-width digits, an e-mail. Nobody in the matrix
# holds casework.view_personal_data, so no persona may read any of it anywhere.
PLANTED = ("举报人钟离晓东（身份证号 410302198807071234）反映，电话 0468 777 5432、+86 137-1111-2222、"
           "１３９８７６５４３２１，邮箱 witness.zhong@example.invalid。")
SECRETS += ("钟离晓东", "410302198807071234", "7775432", "137-1111-2222", "13711112222", "１３９８７６５４３２１",
            "13987654321", "witness.zhong@example.invalid")

PERSONAS = ("anon", "public", "api_other", "party_handler", "party_leader", "party_liaison", "other_handler",
            "other_leader", "other_liaison", "supervisor", "sysadmin", "secadmin", "auditor", "superuser")
MINI_PDF = (b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj 2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj "
            b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n")
OTHER_DEPT = "LY-WATER"  # takes part in nothing the routes below look at, except what everyone shares


# --- expectations --------------------------------------------------------------------------------------------
def expect(*, anon=302, public=None, api=None, party=200, liaison=None, other=404, sup=200, admins=404,
           **by_persona) -> dict[str, int]:
    """Statuses per persona. `anon` also sets `public` (an anonymous browser that tracks a complaint) and, for
    pages, the API client (a token is no session); `admins` is the three administrators and the superuser."""
    table = {"anon": anon, "public": anon if public is None else public, "api_other": anon if api is None else api,
             "party_handler": party, "party_leader": party, "party_liaison": party if liaison is None else liaison,
             "other_handler": other, "other_leader": other, "other_liaison": other, "supervisor": sup,
             "sysadmin": admins, "secadmin": admins, "auditor": admins, "superuser": admins}
    table.update(by_persona)
    return table


PUBLIC = expect(anon=200, other=200, admins=200)
LOGIN = expect(other=200, admins=200)                       # any signed-in person; shows only their own
POST_ONLY = expect(party=405, other=405, sup=405, admins=405)  # a form's target: GET is not allowed
API_LOGIN = expect(anon=401, api=200, other=200, admins=200)
API_POST_ONLY = expect(anon=401, api=405, party=405, other=405, sup=405, admins=405)


def party(**kw):
    """A case object of the party department: its staff and the supervisor see it, nobody else knows it."""
    return expect(**kw)


def api_party(**kw):
    base = dict(anon=401, api=404)
    base.update(kw)
    return expect(**base)


@dataclass
class R:
    url: Callable[[object], str] | None      # world -> path; None: not requestable with GET (reason in `skip`)
    expected: dict[str, int] = field(default_factory=dict)
    party: str = "LY-HOUSING"                # whose staff are party_* for this route
    identity: frozenset = frozenset()        # personas who may see the complainant's identity here
    skip: str = ""


OWNER_ONLY = expect(party=404, party_handler=200, sup=404)
MEMBERS = expect(other=200)  # a consultation's member units: every department of the city in the demo
API_MEMBERS = expect(anon=401, api=200, other=200)
CLEARED = frozenset({"party_handler", "party_leader"})
LOGIN_SCOPED = expect(other=200, admins=404)  # every department sees its own rows; an administrator has none

ROUTES: dict[str, R] = {
    # casework
    # the public portal for anonymous visitors; signed-in staff keep their workbench at "/"
    "": R(lambda w: "/", PUBLIC),
    "clocks/table/": R(lambda w: "/clocks/table/", LOGIN),    # the rules table: no case content
    "letters/<int:pk>/": R(lambda w: f"/letters/{w.decision_letter.pk}/",
                           party(party_liaison=404, sup=404), identity=CLEARED),
    # a letter waiting for sign-off: the issuing department's handlers and leaders only
    # every letter the user may see: the decision letter masked (no PDF link) for all but the cleared handlers
    "letters/": R(lambda w: "/letters/", LOGIN, identity=CLEARED),
    "letters/drafts/<int:pk>/": R(lambda w: f"/letters/drafts/{w.letter_draft.pk}/", party(party_liaison=404, sup=404)),
    "letters/drafts/<int:pk>/<str:step>/": R(lambda w: f"/letters/drafts/{w.letter_draft.pk}/sign/", POST_ONLY),
    "files/<int:pk>/": R(lambda w: f"/files/{w.attachment.pk}/", party()),
    "api/v1/files/<int:pk>/": R(lambda w: f"/api/v1/files/{w.attachment.pk}/", api_party()),
    "login/": R(lambda w: "/login/", PUBLIC),
    "password_change/": R(lambda w: "/password_change/", LOGIN),
    "password_change/done/": R(lambda w: "/password_change/done/", LOGIN),
    "account/two-factor/setup/": R(lambda w: "/account/two-factor/setup/", LOGIN),
    # without a confirmed authenticator the second step sends one to the setup; the demo sysadmin has one
    "account/two-factor/verify/": R(lambda w: "/account/two-factor/verify/",
                                    expect(party=302, other=302, sup=302, admins=302, sysadmin=200)),
    "account/two-factor/recovery-codes/": R(lambda w: "/account/two-factor/recovery-codes/", LOGIN),
    # the login form's captcha (django-simple-captcha): public, keyed by a fresh challenge
    "captcha/image/(?P<key>\\w+)/$": R(lambda w: f"/captcha/image/{w.captcha_key}/", PUBLIC),
    "captcha/image/(?P<key>\\w+)@2/$": R(lambda w: f"/captcha/image/{w.captcha_key}@2/", PUBLIC),
    # no CAPTCHA_FLITE_PATH configured: the audio challenge is off, a 404 for everyone
    "captcha/audio/(?P<key>\\w+).wav$": R(lambda w: f"/captcha/audio/{w.captcha_key}.wav",
                                           expect(anon=404, party=404, other=404, sup=404, admins=404)),
    "captcha/refresh/$": R(lambda w: "/captcha/refresh/",  # answers XMLHttpRequest only: a plain GET is 404
                           expect(anon=404, party=404, other=404, sup=404, admins=404)),
    # operations: liveness, readiness, Prometheus (loopback/private address or METRICS_TOKEN; the test client
    # is 127.0.0.1)
    "healthz": R(lambda w: "/healthz", PUBLIC),
    "readyz": R(lambda w: "/readyz", PUBLIC),
    "metrics": R(lambda w: "/metrics", PUBLIC),
    # the audit trail: casework.view_auditlog (the auditor); anyone else does not know it exists
    "audit/": R(lambda w: "/audit/", expect(party=404, other=404, sup=404, admins=404, auditor=200)),
    "audit/verify/": R(lambda w: "/audit/verify/", expect(party=405, other=405, sup=405, admins=405)),
    "audit/export.csv": R(lambda w: f"/audit/export.csv?since={w.today - dt.timedelta(days=7)}"
                                    f"&until={w.today}",
                          expect(party=404, other=404, sup=404, admins=404, auditor=200)),
    "logout/": R(lambda w: "/logout/", expect(anon=405, other=405, party=405, sup=405, admins=405)),
    "clocks/<int:pk>/": R(lambda w: f"/clocks/{w.clock.pk}/", party()),
    "clocks/<int:pk>/pause/": R(lambda w: f"/clocks/{w.clock.pk}/pause/", POST_ONLY),
    "clocks/<int:pk>/resume/": R(lambda w: f"/clocks/{w.clock.pk}/resume/", POST_ONLY),
    "handoffs/<int:pk>/": R(lambda w: f"/handoffs/{w.handoff.pk}/", party(party=302, sup=302)),
    "handoffs/<int:pk>/<str:action>/": R(lambda w: f"/handoffs/{w.handoff.pk}/receive/", POST_ONLY),
    "clocks/": R(lambda w: "/clocks/", LOGIN),
    "handoffs/": R(lambda w: "/handoffs/", LOGIN),
    "inbox/": R(lambda w: "/inbox/", LOGIN),
    "inbox/<int:pk>/read/": R(lambda w: f"/inbox/{w.note.pk}/read/", POST_ONLY),
    "inbox/read-all/": R(lambda w: "/inbox/read-all/", POST_ONLY),
    "inbox/settings/": R(lambda w: "/inbox/settings/", POST_ONLY),
    "exports/": R(lambda w: "/exports/", LOGIN),  # one's own background exports only
    # a background export is its owner's alone (the party handler's here): everyone else, 404
    "exports/<int:pk>/": R(lambda w: f"/exports/{w.export_job.pk}/", OWNER_ONLY),
    "exports/<int:pk>/status.json": R(lambda w: f"/exports/{w.export_job.pk}/status.json", OWNER_ONLY),
    "exports/<int:pk>/download/": R(lambda w: f"/exports/{w.export_job.pk}/download/", OWNER_ONLY),
    "views/save/": R(lambda w: "/views/save/", POST_ONLY),
    "views/<int:pk>/delete/": R(lambda w: "/views/1/delete/", POST_ONLY),
    "supervision/": R(lambda w: "/supervision/", expect(party=403, other=403, admins=403)),
    "letters/<int:pk>.pdf": R(lambda w: f"/letters/{w.decision_letter.pk}.pdf",
                              party(party_liaison=404, sup=404), identity=CLEARED),
    "notices/<int:pk>.pdf": R(lambda w: f"/notices/{w.public_notice.pk}.pdf", PUBLIC),
    "api/v1/departments/": R(lambda w: "/api/v1/departments/", API_LOGIN),
    # the letters list as on its page: the decision letter masked for all but the cleared handlers
    "api/v1/letters/": R(lambda w: "/api/v1/letters/", API_LOGIN, identity=CLEARED),
    "api/v1/clocks/": R(lambda w: "/api/v1/clocks/", API_LOGIN),
    "api/v1/clocks/<int:pk>/": R(lambda w: f"/api/v1/clocks/{w.clock.pk}/", api_party()),
    "api/schema/": R(lambda w: "/api/schema/", PUBLIC),
    "api/docs/": R(lambda w: "/api/docs/", PUBLIC),
    # complaints
    "complaints/file/": R(lambda w: "/complaints/file/", PUBLIC),
    "complaints/receipt/": R(lambda w: "/complaints/receipt/", expect(anon=302, other=302, party=302, sup=302,
                                                                      admins=302)),
    "complaints/report/": R(lambda w: "/complaints/report/", PUBLIC),
    "complaints/track/": R(lambda w: "/complaints/track/", PUBLIC),
    "complaints/track/<int:pk>/letter.pdf": R(lambda w: f"/complaints/track/{w.complaint.pk}/letter.pdf",
                                              expect(anon=404, public=200, other=404, party=404, sup=404),
                                              identity=frozenset({"public"})),
    "complaints/published/": R(lambda w: "/complaints/published/", PUBLIC),
    "complaints/": R(lambda w: "/complaints/", LOGIN),
    "complaints/new/": R(lambda w: "/complaints/new/", expect(other=200, admins=400, sup=200)),
    "complaints/<int:pk>/": R(lambda w: f"/complaints/{w.complaint.pk}/", party(), identity=CLEARED),
    "complaints/<int:pk>/print/": R(lambda w: f"/complaints/{w.complaint.pk}/print/", party(), identity=CLEARED),
    "complaints/<int:pk>/<str:name>/": R(lambda w: f"/complaints/{w.complaint.pk}/accept/", POST_ONLY),
    "complaints/statistics/": R(lambda w: "/complaints/statistics/", expect(other=200, admins=403)),
    "complaints/statistics.xlsx": R(lambda w: "/complaints/statistics.xlsx", expect(other=200, admins=403)),
    "api/v1/complaints/": R(lambda w: "/api/v1/complaints/", API_LOGIN),
    "api/v1/complaints/<int:pk>/": R(lambda w: f"/api/v1/complaints/{w.complaint.pk}/", api_party(),
                                     identity=CLEARED),
    "api/v1/complaints/<int:pk>/evidence/": R(lambda w: f"/api/v1/complaints/{w.complaint.pk}/evidence/",
                                              API_POST_ONLY),
    # referrals
    "referrals/": R(lambda w: "/referrals/", LOGIN),
    "referrals/new/": R(lambda w: "/referrals/new/", expect(other=403, sup=403, admins=403), party="LY-PRTC"),
    "referrals/<int:pk>/": R(lambda w: f"/referrals/{w.clue.pk}/", party()),
    "referrals/<int:pk>/disputes/<int:did>/decide/": R(None, skip="POST only; no dispute in the demo"),
    "referrals/<int:pk>/transfers/<int:tid>/<str:action>/": R(
        lambda w: f"/referrals/{w.clue.pk}/transfers/{w.transfer.pk}/sign/", POST_ONLY),
    "referrals/<int:pk>/<str:action>/": R(lambda w: f"/referrals/{w.clue.pk}/register/", POST_ONLY),
    "api/v1/clues/": R(lambda w: "/api/v1/clues/", API_LOGIN),
    "api/v1/clues/<int:pk>/": R(lambda w: f"/api/v1/clues/{w.clue.pk}/", api_party()),
    "api/v1/clues/<int:pk>/evidence/": R(lambda w: f"/api/v1/clues/{w.clue.pk}/evidence/", API_POST_ONLY),
    "api/v1/clues/<int:pk>/callback/": R(lambda w: f"/api/v1/clues/{w.clue.pk}/callback/", API_POST_ONLY),
    "api/v1/clues/<int:pk>/transfers/<int:tid>/<str:action>/": R(
        lambda w: f"/api/v1/clues/{w.clue.pk}/transfers/{w.transfer.pk}/sign/", API_POST_ONLY),
    # credit (public lists; records of the issuing department)
    "credit/blacklist/": R(lambda w: "/credit/blacklist/", PUBLIC),
    "credit/redlist/": R(lambda w: "/credit/redlist/", PUBLIC),
    "credit/redlist/new/": R(lambda w: "/credit/redlist/new/", expect(other=200, admins=403)),
    "credit/records/<int:pk>/correct/": R(lambda w: f"/credit/records/{w.credit_record.pk}/correct/",
                                          party(party=302, sup=302)),  # GET goes back to the record
    "credit/batches/<str:name>/": R(lambda w: "/credit/batches/export/", POST_ONLY),
    "credit/penalties/": R(lambda w: "/credit/penalties/", PUBLIC),
    "credit/": R(lambda w: "/credit/", LOGIN),
    "credit/new/": R(lambda w: "/credit/new/", expect(other=200, admins=403)),
    "credit/records/": R(lambda w: "/credit/records/", LOGIN),
    "credit/records/<int:pk>/": R(lambda w: f"/credit/records/{w.credit_record.pk}/", party()),
    "credit/records/<int:pk>/<str:name>/": R(lambda w: f"/credit/records/{w.credit_record.pk}/withdraw/",
                                             POST_ONLY),
    "credit/notices/<int:pk>/": R(None, skip="a shared expert-ban notice; none in the demo"),
    "credit/export/penalties.csv": R(lambda w: "/credit/export/penalties.csv", LOGIN),
    "api/v1/credit/records/": R(lambda w: "/api/v1/credit/records/", API_LOGIN),
    "api/v1/credit/eligibility/": R(lambda w: f"/api/v1/credit/eligibility/?code={w.uscc}&domain=engineering",
                                    API_LOGIN),
    # assistance and joint enforcement
    "joint/": R(lambda w: "/joint/", LOGIN),
    "joint/public/": R(lambda w: "/joint/public/", PUBLIC),
    "joint/assistance/": R(lambda w: "/joint/assistance/", LOGIN),
    "joint/actions/": R(lambda w: "/joint/actions/", LOGIN),
    "joint/assistance/new/": R(lambda w: "/joint/assistance/new/", expect(other=200, admins=400)),
    "joint/assistance/<int:pk>/": R(lambda w: f"/joint/assistance/{w.assistance.pk}/", party()),
    "joint/assistance/<int:pk>/<str:name>/": R(lambda w: f"/joint/assistance/{w.assistance.pk}/accept/",
                                               POST_ONLY),
    "joint/actions/new/": R(lambda w: "/joint/actions/new/", expect(other=200, admins=400)),
    "joint/actions/<int:pk>/": R(lambda w: f"/joint/actions/{w.joint_action.pk}/", party()),
    "joint/actions/<int:pk>/plan/print/": R(lambda w: f"/joint/actions/{w.joint_action.pk}/plan/print/", party()),
    "joint/actions/<int:pk>/<str:name>/": R(lambda w: f"/joint/actions/{w.joint_action.pk}/conclude/",
                                            POST_ONLY),
    "api/v1/assistance/": R(lambda w: "/api/v1/assistance/", API_LOGIN),
    "api/v1/assistance/<int:pk>/": R(lambda w: f"/api/v1/assistance/{w.assistance.pk}/", api_party()),
    "api/v1/assistance/<int:pk>/answer/": R(lambda w: f"/api/v1/assistance/{w.assistance.pk}/answer/",
                                            API_POST_ONLY),
    "api/v1/joint-actions/": R(lambda w: "/api/v1/joint-actions/", API_LOGIN),
    "api/v1/joint-actions/<int:pk>/": R(lambda w: f"/api/v1/joint-actions/{w.joint_action.pk}/", api_party()),
    # random inspections
    "inspections/public/": R(lambda w: "/inspections/public/", PUBLIC),
    "inspections/public/plans/<int:pk>/": R(lambda w: f"/inspections/public/plans/{w.published_plan.pk}/",
                                            PUBLIC),
    "inspections/public/plans/<int:pk>/notice.pdf": R(
        lambda w: f"/inspections/public/plans/{w.published_plan.pk}/notice.pdf", PUBLIC),
    "inspections/public/plans/<int:pk>/draws/<int:number>/": R(
        lambda w: f"/inspections/public/plans/{w.published_plan.pk}/draws/1/", PUBLIC),
    "inspections/public/plans/<int:pk>/draws/<int:number>/record.json": R(
        lambda w: f"/inspections/public/plans/{w.published_plan.pk}/draws/1/record.json", PUBLIC),
    "inspections/verify/": R(lambda w: "/inspections/verify/", PUBLIC),
    "inspections/": R(lambda w: "/inspections/", LOGIN),
    "inspections/inspectors/": R(lambda w: "/inspections/inspectors/", LOGIN),
    "inspections/inspectors/import/": R(lambda w: "/inspections/inspectors/import/", POST_ONLY),
    "inspections/inspectors/<int:pk>/": R(lambda w: f"/inspections/inspectors/{w.inspector.pk}/", party(sup=403)),
    "inspections/projects/": R(lambda w: "/inspections/projects/", LOGIN),
    "inspections/projects/import/": R(lambda w: "/inspections/projects/import/", POST_ONLY),
    # the inspection-object directory is shared by the supervising departments
    "inspections/projects/<int:pk>/": R(lambda w: f"/inspections/projects/{w.project.pk}/", party(other=200)),
    "inspections/items/": R(lambda w: "/inspections/items/", LOGIN),
    "inspections/items/<int:pk>/retire/": R(lambda w: f"/inspections/items/{w.item.pk}/retire/", POST_ONLY),
    "inspections/plans/new/": R(lambda w: "/inspections/plans/new/", expect(other=200, admins=403)),
    "inspections/plans/<int:pk>/": R(lambda w: f"/inspections/plans/{w.published_plan.pk}/", party()),
    "inspections/plans/<int:pk>/draws/<int:number>/": R(
        lambda w: f"/inspections/plans/{w.published_plan.pk}/draws/1/", party()),
    "inspections/plans/<int:pk>/draws/<int:number>/record.json": R(
        lambda w: f"/inspections/plans/{w.published_plan.pk}/draws/1/record.json", party()),
    "inspections/plans/<int:pk>/targets/<int:tid>/result/": R(
        lambda w: f"/inspections/plans/{w.published_plan.pk}/targets/1/result/", POST_ONLY),
    "inspections/plans/<int:pk>/targets/<int:tid>/notice/": R(
        lambda w: f"/inspections/plans/{w.published_plan.pk}/targets/"
                  f"{w.published_plan.current_draw.targets.first().pk}/notice/", party()),
    "inspections/plans/<int:pk>/targets/<int:tid>/members/<int:mid>/replace/": R(
        lambda w: f"/inspections/plans/{w.published_plan.pk}/targets/1/members/1/replace/", POST_ONLY),
    "inspections/plans/<int:pk>/<str:action>/": R(lambda w: f"/inspections/plans/{w.published_plan.pk}/draw/",
                                                  POST_ONLY),
    "api/v1/inspections/projects/": R(lambda w: "/api/v1/inspections/projects/", API_LOGIN),
    "api/v1/inspections/plans/": R(lambda w: "/api/v1/inspections/plans/", API_LOGIN),
    "api/v1/inspections/plans/<int:pk>/": R(lambda w: f"/api/v1/inspections/plans/{w.published_plan.pk}/",
                                            api_party()),
    "api/v1/inspections/plans/<int:pk>/draws/<int:number>/": R(
        lambda w: f"/api/v1/inspections/plans/{w.published_plan.pk}/draws/1/", api_party()),
    "api/v1/inspections/draws/verify/": R(lambda w: "/api/v1/inspections/draws/verify/",
                                          expect(anon=405, party=405, other=405, sup=405, admins=405)),
    # consultations (every department of the city is a member unit in the demo)
    "consultations/": R(lambda w: "/consultations/", expect(party=302, other=302, sup=302, admins=200)),
    "consultations/new/": R(lambda w: "/consultations/new/", expect(party=403, other=403, admins=403)),
    "consultations/<int:pk>/": R(lambda w: f"/consultations/{w.mechanism.pk}/", MEMBERS),
    "consultations/<int:pk>/apply/": R(lambda w: f"/consultations/{w.mechanism.pk}/apply/", POST_ONLY),
    "consultations/<int:pk>/applications/<int:aid>/<str:verdict>/": R(
        lambda w: f"/consultations/{w.mechanism.pk}/applications/1/approve/", POST_ONLY),
    "consultations/<int:pk>/members/": R(lambda w: f"/consultations/{w.mechanism.pk}/members/", MEMBERS),
    "consultations/<int:pk>/members.csv": R(lambda w: f"/consultations/{w.mechanism.pk}/members.csv", MEMBERS),
    "consultations/<int:pk>/members/print/": R(lambda w: f"/consultations/{w.mechanism.pk}/members/print/",
                                               MEMBERS),
    "consultations/<int:pk>/members/note-change/": R(
        lambda w: f"/consultations/{w.mechanism.pk}/members/note-change/", POST_ONLY),
    "consultations/<int:pk>/members/<int:mid>/contacts/": R(
        lambda w: f"/consultations/{w.mechanism.pk}/members/{w.member.pk}/contacts/", POST_ONLY),
    "consultations/<int:pk>/meetings/new/": R(lambda w: f"/consultations/{w.mechanism.pk}/meetings/new/", MEMBERS),
    "consultations/<int:pk>/decisions/": R(lambda w: f"/consultations/{w.mechanism.pk}/decisions/", MEMBERS),
    # the mechanism's lists: a member unit sees the meetings it convened or was invited to, the solicitations it
    # drafted or was consulted on (the planted meeting's free text is not shown; tests/consultations/test_lists.py
    # checks it is not searched either)
    "consultations/<int:pk>/meetings/": R(lambda w: f"/consultations/{w.mechanism.pk}/meetings/", MEMBERS),
    "consultations/<int:pk>/solicitations/": R(lambda w: f"/consultations/{w.mechanism.pk}/solicitations/",
                                               MEMBERS),
    "consultations/<int:pk>/solicitations/new/": R(
        lambda w: f"/consultations/{w.mechanism.pk}/solicitations/new/", MEMBERS),
    "consultations/meetings/<int:pk>/": R(lambda w: f"/consultations/meetings/{w.meeting.pk}/", party()),
    "consultations/meetings/<int:pk>/<str:action>/": R(
        lambda w: f"/consultations/meetings/{w.meeting.pk}/minutes/", POST_ONLY),
    "consultations/decisions/<int:pk>/": R(lambda w: f"/consultations/decisions/{w.decision.pk}/", MEMBERS),
    "consultations/decisions/<int:pk>/<str:action>/": R(
        lambda w: f"/consultations/decisions/{w.decision.pk}/progress/", POST_ONLY),
    "consultations/solicitations/<int:pk>/": R(None, skip="no draft rule circulated in the demo"),
    "consultations/solicitations/<int:pk>/<str:action>/": R(None, skip="no draft rule circulated in the demo"),
    "consultations/letters/<int:pk>.pdf": R(lambda w: f"/consultations/letters/{w.minutes_letter.pk}.pdf",
                                            MEMBERS),
    "api/v1/consultations/": R(lambda w: "/api/v1/consultations/", API_LOGIN),
    "api/v1/consultations/<int:pk>/members/": R(lambda w: f"/api/v1/consultations/{w.mechanism.pk}/members/",
                                                API_MEMBERS),
    "api/v1/consultations/<int:pk>/decisions/": R(
        lambda w: f"/api/v1/consultations/{w.mechanism.pk}/decisions/", API_MEMBERS),
    # the mechanism's lists as on their pages: each unit's own meetings and solicitations, free text not listed
    "api/v1/consultations/<int:pk>/meetings/": R(
        lambda w: f"/api/v1/consultations/{w.mechanism.pk}/meetings/", API_MEMBERS),
    "api/v1/consultations/<int:pk>/solicitations/": R(
        lambda w: f"/api/v1/consultations/{w.mechanism.pk}/solicitations/", API_MEMBERS),
    "api/v1/consultations/decisions/<int:pk>/": R(lambda w: f"/api/v1/consultations/decisions/{w.decision.pk}/",
                                                  API_MEMBERS),
    "api/v1/consultations/decisions/<int:pk>/progress/": R(
        lambda w: f"/api/v1/consultations/decisions/{w.decision.pk}/progress/", API_POST_ONLY),
    "api/v1/consultations/decisions/<int:pk>/complete/": R(
        lambda w: f"/api/v1/consultations/decisions/{w.decision.pk}/complete/", API_POST_ONLY),
    # the public portal (信息公开) and its open data; the complaints list carries no complainant identity
    "public/search/": R(lambda w: "/public/search/?q=安置房", PUBLIC),
    "public/<slug:key>/": R(lambda w: "/public/complaints/", PUBLIC),
    "public/circulars/<int:pk>.pdf": R(lambda w: f"/public/circulars/{w.circular.pk}.pdf", PUBLIC),
    "api/v1/public/": R(lambda w: "/api/v1/public/", PUBLIC),
    "api/v1/public/<slug:key>/": R(lambda w: "/api/v1/public/complaints/", PUBLIC),
    # supervision (supervision/access.py): the office and DRC leaders see the jurisdiction, a department leader
    # its own rows with the averages, handlers and liaisons their own department; a 督办函 is seen by the office
    # and the department it is addressed to; an issued 通报 by the member units it went to
    "supervision/dashboard/": R(lambda w: "/supervision/dashboard/", LOGIN_SCOPED),
    "supervision/dashboard/items/": R(lambda w: "/supervision/dashboard/items/?metric=received", LOGIN_SCOPED),
    "supervision/dashboard/case/<int:clock_id>/": R(lambda w: f"/supervision/dashboard/case/{w.clock.pk}/",
                                                    party(party=302, sup=302)),
    "supervision/notices/": R(lambda w: "/supervision/notices/", LOGIN),
    "supervision/notices/new/": R(lambda w: "/supervision/notices/new/", expect(party=403, other=403,
                                                                                admins=403)),
    "supervision/notices/<int:pk>/": R(lambda w: f"/supervision/notices/{w.sv_notice.pk}/", party()),
    "supervision/notices/<int:pk>/reply/": R(lambda w: f"/supervision/notices/{w.sv_notice.pk}/reply/",
                                             POST_ONLY),
    "supervision/circulars/": R(lambda w: "/supervision/circulars/", LOGIN),
    "supervision/circulars/new/": R(lambda w: "/supervision/circulars/new/", POST_ONLY),
    "supervision/circulars/<int:pk>/": R(lambda w: f"/supervision/circulars/{w.circular.pk}/", MEMBERS),
    "supervision/circulars/<int:pk>/<str:action>/": R(lambda w: f"/supervision/circulars/{w.circular.pk}/sign/",
                                                      POST_ONLY),
    "supervision/reports/": R(lambda w: "/supervision/reports/", LOGIN),
    "supervision/reports/<int:pk>/": R(lambda w: f"/supervision/reports/{w.report.pk}/", expect(party=404)),
    "supervision/reports/<int:pk>/file/<str:kind>": R(
        lambda w: f"/supervision/reports/{w.report.pk}/file/draft.pdf", expect(party=404)),
    "supervision/reports/<int:pk>/do/<str:action>/": R(lambda w: f"/supervision/reports/{w.report.pk}/do/sign/",
                                                       POST_ONLY),
    "api/v1/supervision/punctuality/": R(
        lambda w: f"/api/v1/supervision/punctuality/?from={w.today.replace(day=1)}&to={w.today}",
        expect(anon=401, api=200, other=200, admins=404)),
    # risk screening: the warnings of the tenders a department supervises (or pushed), a bidder's history in them
    "risk/": R(lambda w: "/risk/", LOGIN),
    "risk/warnings/<int:pk>/": R(lambda w: f"/risk/warnings/{w.warning.pk}/", party()),
    "risk/warnings/<int:pk>/<str:action>/": R(lambda w: f"/risk/warnings/{w.warning.pk}/dismiss/", POST_ONLY),
    "risk/bidders/<str:uscc>/": R(lambda w: f"/risk/bidders/{w.bidder_uscc}/", party()),
    "api/v1/tenders/": R(lambda w: "/api/v1/tenders/", API_POST_ONLY),
    "api/v1/risk/warnings/": R(lambda w: "/api/v1/risk/warnings/", API_LOGIN),
    "api/v1/risk/warnings/<int:pk>/": R(lambda w: f"/api/v1/risk/warnings/{w.warning.pk}/", api_party()),
}


# --- the URL conf and the OpenAPI schema ----------------------------------------------------------------------
def url_routes() -> list[str]:
    def walk(patterns, prefix=""):
        for p in patterns:
            if isinstance(p, URLResolver):
                yield from walk(p.url_patterns, prefix + str(p.pattern))
            else:
                yield prefix + str(p.pattern)
    return sorted({r for r in walk(get_resolver().url_patterns) if not r.startswith("admin/")})


def _shape(route: str) -> str:
    return re.sub(r"<[^>]+>|\{[^}]+\}", "{}", route.strip("/"))


def test_every_url_is_in_the_matrix():
    missing = [r for r in url_routes() if r not in ROUTES]
    assert not missing, ("URLs missing from the permission matrix (add a line to ROUTES in "
                         f"tests/test_permission_matrix.py): {missing}")
    stale = [r for r in ROUTES if r not in url_routes()]
    assert not stale, f"ROUTES lists URLs that no longer exist: {stale}"


def test_every_openapi_path_is_in_the_matrix():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    covered = {_shape(r) for r in ROUTES}
    missing = [p for p in schema["paths"] if _shape(p) not in covered]
    assert not missing, f"OpenAPI paths missing from the permission matrix: {missing}"


# --- the world ------------------------------------------------------------------------------------------------
class World:
    pass


def _build_world(frozen_now=None) -> World:
    from captcha.models import CaptchaStore
    from django.contrib.auth.models import Permission
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from casework.accounts import services as account_services
    from casework.attachments import services as attachments
    from casework.attachments.models import Attachment
    from casework.letters.models import Letter
    from casework.notifications.models import Notification
    from casework.org.models import Department
    from casework.org.services import create_api_client
    from complaints import services as complaints
    from consultations.models import Decision, Mechanism, Meeting, Member
    from credit.models import CreditRecord
    from inspections.models import Inspector, Item, Plan, Project
    from jointaction.models import AssistanceRequest, JointAction
    from referrals.models import Clue, Transfer
    from risk.models import Warning as RiskWarning
    from supervision import services as supervision
    from supervision.models import Circular, QuarterlyReport

    call_command("seed_demo", allow_production=True, stdout=io.StringIO())
    User = get_user_model()
    w = World()
    housing = Department.objects.get(code="LY-HOUSING")
    u = {username: User.objects.get(username=username) for username in User.objects.filter(
        username__startswith="ly-").values_list("username", flat=True)}
    filed = complaints.file_complaint(data=complaints.ComplaintInput(
        complainant_type="person", complainant_name=NAME, complainant_id_number=ID_NUMBER, contact_phone=PHONE,
        contact_email="ouyang.my@example.invalid", project_code="LYGC2026-301", project_name="洛阳市某安置房工程",
        trading_type="engineering", grounds_category="bid_rigging",
        grounds=f"本人欧阳 明远（身份证号 {ID_NUMBER}，电话 0379 6321 6655）发现两家投标人由同一人报名。",
        requested_outcome="请求依法查处并联系我：6321-6655。", department=housing.code),
        channel="online", submission_key="matrix:1")
    w.complaint, w.secret = filed.complaint, filed.secret
    complaints.accept_complaint(actor=u["ly-housing.handler"], complaint=w.complaint)
    complaints.decide_complaint(actor=u["ly-housing.leader"], complaint=w.complaint, outcome="upheld",
                                decision=f"经查，投诉人欧阳明远（{ID_NUMBER}）所诉属实，投诉成立。")
    complaints.publish_decision(actor=u["ly-housing.leader"], complaint=w.complaint)
    w.complaint.refresh_from_db()
    w.decision_letter = w.complaint.decision_letter
    perm = Permission.objects.get(codename="view_complainant")
    for username in ("ly-drc.supervisor", "ly-drc.admin", "ly-drc.security_admin", "ly-drc.auditor",
                     "ly-housing.liaison", f"{OTHER_DEPT.lower()}.handler"):
        u[username].user_permissions.add(perm)  # cleared by mistake: still only the rule decides
    for user in u.values():  # the demo's initial passwords, changed at first login (the account gate)
        account_services.password_changed(user=user)
    w.users = u
    w.root = User.objects.create_superuser("root", "root@example.invalid", "pw-root")
    w.clock = w.complaint and __import__("casework.clocks.services", fromlist=["x"]).clocks_for(w.complaint).first()
    w.handoff = Transfer.objects.filter(receiver__code="LY-POLICE").first().handoff
    w.note = Notification.objects.filter(recipient=u["ly-housing.handler"]).first() or Notification.objects.first()
    w.public_notice = Letter.objects.filter(kind=Letter.Kind.PUBLIC_NOTICE).first()
    w.clue = Clue.objects.filter(supervising_department=housing).order_by("pk").last()
    w.transfer = Transfer.objects.filter(clue=w.clue).first()
    w.credit_record = CreditRecord.objects.filter(department=housing).first()
    w.assistance = AssistanceRequest.objects.filter(requester=housing).first()
    w.joint_action = JointAction.objects.filter(initiator=housing).first()
    plans = Plan.objects.filter(lead_department=housing)
    w.published_plan = plans.filter(published_at__isnull=False).first() or plans.first()
    w.inspector = Inspector.objects.filter(department=housing).first()
    w.project = Project.objects.filter(supervising_department=housing).first()
    w.item = Item.objects.filter(department=housing).first()
    w.mechanism = Mechanism.objects.first()
    w.member = Member.objects.filter(mechanism=w.mechanism, department=housing).first()
    w.meeting = Meeting.objects.filter(mechanism=w.mechanism).first()
    w.decision = Decision.objects.filter(meeting__mechanism=w.mechanism).first()
    w.minutes_letter = Letter.objects.filter(kind=Letter.Kind.MINUTES).first()
    _plant(w)
    w.export_job = _export_job(u["ly-housing.handler"])
    w.today = timezone.localdate()
    w.uscc = CreditRecord.objects.filter(department=housing).exclude(subject__code="").first().subject.code
    w.attachment = (Attachment.objects.filter(department=housing).order_by("pk").first()
                    or attachments.store(actor=u["ly-housing.handler"], owner=w.complaint, purpose="evidence",
                                         department=housing, upload=SimpleUploadedFile("证据.pdf", MINI_PDF))[0])
    w.captcha_key = CaptchaStore.generate_key()
    from casework.letters import signoff

    w.letter_draft = signoff.submit(actor=u["ly-housing.handler"], issuer=housing, kind=Letter.Kind.REPORT,
                                    title="关于投诉办理情况的报告", body=["现将投诉办理情况报告如下。"],
                                    subject=w.complaint, addressee_name="洛阳市人民政府")
    # supervision: the demo's published circular and drafted report; a 督办函 to the party department
    w.circular = Circular.objects.filter(state=Circular.State.ISSUED, published=True).first()
    w.report = QuarterlyReport.objects.exclude(state=QuarterlyReport.State.PENDING).first()
    office = w.circular.office
    w.sv_notice = supervision.issue_notice(
        actor=u[f"{office.code.lower()}.supervisor"], office=office, department=housing, title="请说明办理进度",
        requirements="请于期限内书面说明该投诉的办理进度。", due_on=w.today + dt.timedelta(days=7),
        idempotency_key="matrix:notice", about_clock=w.clock)
    # risk: a warning on a tender the party department supervises, and one of its bidders
    w.warning = RiskWarning.objects.filter(supervising_department=housing).order_by("pk").first()
    w.bidder_uscc = w.warning.bidders[0]["uscc"]
    _, w.api_token = create_api_client(name="matrix-other", department=Department.objects.get(code=OTHER_DEPT))
    return w


def _export_job(owner):
    """A finished background export of the complaint ledger (planted free text and identities included)."""
    from casework.exportjobs import services as export_jobs

    job = export_jobs.request_export(actor=owner, ledger="complaints.complaints", query="", fmt="xlsx",
                                     path="/complaints/")
    export_jobs.run(job.pk)
    return job


def _plant(w: World) -> None:
    """Write PLANTED into the free text the routes show (after the demo issued its letters)."""
    from casework.handoffs.models import Handoff
    from consultations.models import Decision, Meeting
    from inspections.models import Target
    from jointaction.models import AssistanceRequest, Finding, JointAction
    from referrals.models import Clue, Transfer

    Clue.objects.filter(pk=w.clue.pk).update(summary=PLANTED, result=PLANTED)
    Transfer.objects.filter(clue=w.clue).update(result=PLANTED, return_reasons=PLANTED)
    AssistanceRequest.objects.filter(pk=w.assistance.pk).update(case_summary=PLANTED, matters=PLANTED,
                                                                reasons=PLANTED, result=PLANTED)
    JointAction.objects.filter(pk=w.joint_action.pk).update(trigger_note=PLANTED, summary=PLANTED)
    Finding.objects.filter(action=w.joint_action).update(description=PLANTED, measures=PLANTED)
    Target.objects.filter(draw__plan=w.published_plan).update(findings=PLANTED, follow_up=PLANTED)
    Meeting.objects.filter(pk=w.meeting.pk).update(purpose=PLANTED, summary=PLANTED)
    Decision.objects.filter(pk=w.decision.pk).update(text=PLANTED, result=PLANTED)
    Handoff.objects.filter(pk=w.handoff.pk).update(description=PLANTED, result=PLANTED)


def _client(w: World, persona: str, party_code: str) -> Client:
    c = Client()
    roles = {"handler", "leader", "liaison"}
    if persona == "public":
        session = c.session
        session["complaints_tracked"] = [w.complaint.pk]
        session.save()
    elif persona == "api_other":
        c.defaults["HTTP_AUTHORIZATION"] = f"Bearer {w.api_token}"
    elif persona.startswith("party_") and persona[6:] in roles:
        c.force_login(w.users[f"{party_code.lower()}.{persona[6:]}"])
    elif persona.startswith("other_") and persona[6:] in roles:
        c.force_login(w.users[f"{OTHER_DEPT.lower()}.{persona[6:]}"])
    elif persona == "supervisor":
        c.force_login(w.users["ly-drc.supervisor"])
    elif persona in ("sysadmin", "secadmin", "auditor"):
        c.force_login(w.users[{"sysadmin": "ly-drc.admin", "secadmin": "ly-drc.security_admin",
                               "auditor": "ly-drc.auditor"}[persona]])
    elif persona == "superuser":
        c.force_login(w.root)
    return c


def text_of(response) -> str:
    """What a person (or a program) reads in the response: HTML/JSON/CSV text, PDF text, XLSX cells."""
    body = b"".join(response.streaming_content) if response.streaming else response.content
    kind = response.get("Content-Type", "")
    if body.startswith(b"%PDF"):
        return subprocess.run(["pdftotext", "-layout", "-", "-"], input=body, capture_output=True,
                              check=True).stdout.decode("utf-8", "replace")
    if "spreadsheet" in kind or body.startswith(b"PK"):
        with zipfile.ZipFile(io.BytesIO(body)) as z:
            return "".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
    return body.decode("utf-8", "replace")


def leaked(text: str) -> list[str]:
    flat = re.sub(r"\s+", "", text)
    return [s for s in SECRETS if s in text or re.sub(r"\s+", "", s) in flat]


def admin_urls() -> list[tuple[str, str]]:
    return [(f"admin/{m._meta.app_label}/{m._meta.model_name}/", f"/admin/{m._meta.app_label}/{m._meta.model_name}/")
            for m in admin.site._registry]


ADMIN_SYSADMIN = {"casework/calendaryear", "casework/rule", "casework/ruleprofile", "casework/jurisdiction",
                  "casework/department", "casework/apiclient", "referrals/penaltypowermove", "auth/user",
                  "credit/expertpoolmembership",  # which department manages which expert pool
                  "axes/accessattempt"}  # locked-out usernames, unlocked by the audited action
ADMIN_SECADMIN = {"auth/group", "auth/user", "casework/membership"}
ADMIN_AUDITOR = {"casework/event"}


# Case content in the admin: no administrator reads it, a superuser included (the auditor reads the audit trail).
ADMIN_CASE_CONTENT = {"casework/clock", "casework/event", "casework/handoff", "casework/letter",
                      "consultations/mechanism", "consultations/meeting", "consultations/decision",
                      "consultations/solicitation"}


def admin_expected(path: str) -> dict[str, int]:
    key = "/".join(path.removeprefix("/admin/").strip("/").split("/")[:2])
    return expect(anon=302, api=302, party=302, other=302, sup=302, admins=403,
                  sysadmin=200 if key in ADMIN_SYSADMIN else 403, secadmin=200 if key in ADMIN_SECADMIN else 403,
                  auditor=200 if key in ADMIN_AUDITOR else 403,
                  superuser=403 if key in ADMIN_CASE_CONTENT else 200)


@pytest.mark.django_db(transaction=False)
def test_permission_matrix(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    w = _build_world()
    cells, failures, observed, planted_seen = 0, [], {}, 0
    targets = [(route, spec) for route, spec in ROUTES.items() if spec.url is not None]
    targets += [(route, R(lambda w, p=path: p, admin_expected(path))) for route, path in admin_urls()]
    targets += [("admin/casework/letter/<id>/change/", R(
        lambda w: f"/admin/casework/letter/{w.decision_letter.pk}/change/",
        admin_expected("/admin/casework/letter/")))]
    # the admin's letter register, as a register with the view permission explicitly granted, stays masked
    from django.contrib.auth.models import Permission

    w.users["ly-drc.auditor"].user_permissions.add(Permission.objects.get(codename="view_letter"))
    for route, spec in targets:
        if route.startswith("admin/casework/letter/"):
            spec.expected["auditor"] = 200
    for route, spec in targets:
        path = spec.url(w)
        for persona in PERSONAS:
            response = _client(w, persona, spec.party).get(path)
            cells += 1
            observed[(route, persona)] = response.status_code
            want = spec.expected.get(persona)
            if want is not None and response.status_code != want:
                failures.append(f"{path} as {persona}: {response.status_code}, expected {want}")
            if response.status_code == 200 and persona not in spec.identity:
                text = text_of(response)
                planted_seen += "4103**********1234" in text  # the planted ID number, shown masked
                found = leaked(text)
                if found:
                    failures.append(f"LEAK {path} as {persona}: {found}")
    if os.environ.get("MATRIX_DUMP"):
        print(f"\n{'route':<62}" + " ".join(p[:9].rjust(9) for p in PERSONAS))
        for route, _ in targets:
            print(f"{route[:61]:<62}" + " ".join(str(observed[(route, p)]).rjust(9) for p in PERSONAS))
        print(f"cells: {cells}; responses showing the planted personal data masked: {planted_seen}")
    assert cells >= len(PERSONAS) * 100
    assert planted_seen >= 20, "the planted free text no longer reaches the pages: the body check proves nothing"
    assert not failures, f"{len(failures)} of {cells} cells failed:\n" + "\n".join(failures)
