"""The clue search index holds the masked summary from now on (a search must not confirm personal data that the
clue page masks): recompute it for the clues already stored."""

from django.db import migrations


def remask(apps, schema_editor):
    from referrals.models import search_text_of

    Clue = apps.get_model("referrals", "Clue")
    batch = []
    for clue in Clue.objects.only("pk", "reference", "external_id", "project_code", "project_name", "bidders",
                                  "summary").iterator(chunk_size=2000):
        clue.search_text = search_text_of(clue)
        batch.append(clue)
        if len(batch) == 2000:
            Clue.objects.bulk_update(batch, ["search_text"])
            batch = []
    Clue.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("referrals", "0006_merge_0003_risk_price_signal_0005_merge_20261129_2309")]
    operations = [migrations.RunPython(remask, migrations.RunPython.noop)]
