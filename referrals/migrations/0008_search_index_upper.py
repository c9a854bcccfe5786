"""The clue search's trigram index must match the query: Django's icontains on PostgreSQL compares
UPPER(search_text) LIKE UPPER(%term%), which a GIN index on the bare column cannot serve (measured: a sequential
scan, ~3 s over 1,000,000 clues). Index UPPER(search_text) instead."""

from django.db import migrations


def upper_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    schema_editor.execute("CREATE INDEX IF NOT EXISTS clue_search_trgm_upper ON referrals_clue "
                          "USING gin (UPPER(search_text) gin_trgm_ops)")
    schema_editor.execute("DROP INDEX IF EXISTS clue_search_trgm")


def bare_index(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE INDEX IF NOT EXISTS clue_search_trgm ON referrals_clue "
                          "USING gin (search_text gin_trgm_ops)")
    schema_editor.execute("DROP INDEX IF EXISTS clue_search_trgm_upper")


class Migration(migrations.Migration):
    dependencies = [("referrals", "0007_mask_search_text")]
    operations = [migrations.RunPython(upper_index, bare_index)]
