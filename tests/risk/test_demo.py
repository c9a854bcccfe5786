import io

import pytest
from django.core.management import call_command

from referrals.models import Clue
from risk.models import Tender, Warning

pytestmark = pytest.mark.django_db


def test_the_demo_has_tenders_and_warnings_in_every_state(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command("seed_demo", "--preset", "luoyang", stdout=out)
    assert "风险筛查：洛阳市 载入 400 次招标" in out.getvalue()
    counts = (Tender.objects.count(), Warning.objects.count())
    assert counts[0] == 400 and counts[1] > 10
    assert set(Warning.objects.values_list("screen", flat=True)) >= {"ring", "rotation", "cover", "king", "related",
                                                                      "fingerprint", "price", "fixed_ratio"}
    clued = Warning.objects.get(status="clued")
    assert clued.screen == "ring" and Clue.objects.filter(pk=clued.clue_id, signal_type="related_bidders").exists()
    assert Warning.objects.filter(status="dismissed", screen="fingerprint").count() == 1
    call_command("seed_demo", "--preset", "luoyang", stdout=io.StringIO())
    assert (Tender.objects.count(), Warning.objects.count()) == counts
