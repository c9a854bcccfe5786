"""Two indexes the clue search was missing (issue 16: a search over 1,000,000 clues in under 100 ms).

- Two-character words (most Chinese given names, 建设, 市政…) have no trigram for pg_trgm to look up: the search read
  the newest clues one by one until a page was full, 0.4–1.2 s for a search made only of such words. `search_pairs`
  holds the distinct character pairs of the search text that contain a non-ASCII character (computed in Python
  when the text is written), with a GIN index over them as an array (portal_pairs), so such a word is one index lookup. ASCII
  pairs are left out: they would double the index for searches nobody makes (a code is searched by three
  characters or more). A pair in SQL (generate_series and a regular expression per row) cost 0.6 ms a row.
- Those cleared to read a clue's personal data also search its summary as written. That was `summary ILIKE` with
  no index, OR-ed with the indexed search text: the planner could use neither index and read every clue the
  department handles. The summary as written is now kept only where masking changed it, with a partial trigram
  index over those few rows, so both halves of the OR are index lookups.

Stored clues are filled in Python, in batches (minutes per million)."""

from django.db import migrations, models


# string_to_array(search_pairs, ' ') in a function the planner cannot inline, priced as what it is per row (an array
# built from ~100 pairs): at the builtin's price of one operator (or at COST 100), the planner read the newest clues
# one by one to fill a page for a rare pair (0.16-0.4 s over 1,000,000 clues) rather than look it up in the index
# (20 ms). PARALLEL RESTRICTED: priced this high, it was handed to parallel workers, whose start cost 60 ms here.
PAIRS_FUNCTION = """
CREATE OR REPLACE FUNCTION portal_pairs(t text) RETURNS text[]
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL RESTRICTED COST 1000 AS $$ BEGIN RETURN string_to_array(t, ' '); END $$
"""


class _Fields:
    """The stored clue's fields that search_texts_of reads, from the historical model."""

    def __init__(self, clue):
        for name in ("reference", "external_id", "project_code", "project_name", "bidders", "summary"):
            setattr(self, name, getattr(clue, name))


def fill(apps, schema_editor):
    from referrals.models import search_texts_of

    Clue = apps.get_model("referrals", "Clue")
    fields = ["search_pairs", "private_search_text"]
    batch = []
    for clue in Clue.objects.only("id", "reference", "external_id", "project_code", "project_name", "bidders",
                                  "summary").iterator(chunk_size=2000):
        _text, clue.search_pairs, clue.private_search_text = search_texts_of(_Fields(clue))
        batch.append(clue)
        if len(batch) >= 2000:
            Clue.objects.bulk_update(batch, fields)
            batch = []
    Clue.objects.bulk_update(batch, fields)
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PAIRS_FUNCTION)
        schema_editor.execute("CREATE INDEX IF NOT EXISTS clue_search_pairs ON referrals_clue "
                              "USING gin (portal_pairs(search_pairs))")
        schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
        schema_editor.execute("CREATE INDEX IF NOT EXISTS clue_private_search_trgm ON referrals_clue "
                              "USING gin (UPPER(private_search_text) gin_trgm_ops) WHERE private_search_text > ''")


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS clue_search_pairs")
        schema_editor.execute("DROP FUNCTION IF EXISTS portal_pairs(text)")
        schema_editor.execute("DROP INDEX IF EXISTS clue_private_search_trgm")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0009_clue_received_order_index")]
    operations = [
        migrations.AddField(
            model_name="clue", name="search_pairs",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="检索字对")),
        migrations.AddField(
            model_name="clue", name="private_search_text",
            field=models.TextField(blank=True, default="", editable=False, verbose_name="含个人信息的摘要（检索用）")),
        migrations.RunPython(fill, drop),
    ]
