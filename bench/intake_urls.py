"""The portal's URLs plus two bench-only endpoints: a bare DRF create of a row of the clue and complaint tables
(the same input validation, then one INSERT copying a template row; no service, no clock, no audit, no letter).
Measured in the same run as the real endpoints, they show what the business logic costs on top of DRF."""

import uuid

from django.urls import path
from rest_framework import status
from rest_framework.response import Response
from rest_framework.views import APIView

from complaints.api import ComplaintIn
from complaints.models import Complaint
from config.urls import urlpatterns as portal_urls
from referrals.api import ClueIn
from referrals.models import Clue


class BareClueCreate(APIView):
    def post(self, request):
        incoming = ClueIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        row = Clue.objects.order_by("pk").first()
        row.pk, key = None, uuid.uuid4().hex
        row.reference, row.intake_key, row.external_id = f"BARE-{key[:20]}", key, incoming.validated_data["external_id"]
        row.save(force_insert=True)
        return Response({"id": row.pk, "reference": row.reference}, status=status.HTTP_201_CREATED)


class BareComplaintCreate(APIView):
    def post(self, request):
        incoming = ComplaintIn(data=request.data)
        incoming.is_valid(raise_exception=True)
        row = Complaint.objects.order_by("pk").first()
        row.pk, key = None, uuid.uuid4().hex
        row.reference, row.tracking_code, row.submission_key = f"BARE-{key[:20]}", key[:16], key
        row.save(force_insert=True)
        return Response({"id": row.pk, "reference": row.reference}, status=status.HTTP_201_CREATED)


urlpatterns = [
    path("bench/bare-clues/", BareClueCreate.as_view()),
    path("bench/bare-complaints/", BareComplaintCreate.as_view()),
    *portal_urls,
]
