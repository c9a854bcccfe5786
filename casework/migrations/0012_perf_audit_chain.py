"""The audit chain no longer serialises the portal (issue 18): events are inserted unchained with a
lock-free `seq`, and linked after commit into an HMAC-keyed chain (`chain_seq`, `prev_hash`, `hash`).

Existing events lose their plain-SHA-256 links and are re-linked, with the key, by the chainer's first run.
The append-only triggers now allow exactly one UPDATE per row (writing the three chain columns, nothing
else) and a DELETE only inside the retention purge (`casework.audit_purge` set for that transaction)."""

from django.conf import settings
from django.db import migrations, models

COLUMNS = ["id", "seq", "at", "actor_id", "actor_label", "ip", "object_type", "object_id", "action",
           "before", "after", "reason"]

APPEND_ONLY_PG = """
CREATE OR REPLACE FUNCTION casework_event_append_only() RETURNS trigger AS $$
BEGIN
  IF TG_OP = 'DELETE' THEN
    IF current_setting('casework.audit_purge', true) = 'on' THEN RETURN OLD; END IF;
    RAISE EXCEPTION 'casework_event is append-only';
  END IF;
  IF OLD.chain_seq IS NULL AND OLD.hash IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.hash IS NOT NULL
     AND (%(new)s) IS NOT DISTINCT FROM (%(old)s) THEN
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'casework_event is append-only';
END; $$ LANGUAGE plpgsql;
CREATE TRIGGER casework_event_no_update BEFORE UPDATE OR DELETE ON casework_event
FOR EACH ROW EXECUTE FUNCTION casework_event_append_only();
""" % {"new": ", ".join(f"NEW.{c}" for c in COLUMNS), "old": ", ".join(f"OLD.{c}" for c in COLUMNS)}

APPEND_ONLY_SQLITE = """
CREATE TRIGGER casework_event_no_update BEFORE UPDATE ON casework_event
WHEN NOT (OLD.chain_seq IS NULL AND OLD.hash IS NULL AND NEW.chain_seq IS NOT NULL AND NEW.hash IS NOT NULL
          AND %s)
BEGIN SELECT RAISE(ABORT, 'casework_event is append-only'); END;
""" % " AND ".join(f"NEW.{c} IS OLD.{c}" for c in COLUMNS)


def drop_trigger(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_event_no_update ON casework_event")
    elif vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS casework_event_no_update")


def unchain_and_guard(apps, schema_editor):
    """Existing events go back to the chainer's queue; the counter continues after the last seq."""
    vendor = schema_editor.connection.vendor
    schema_editor.execute("UPDATE casework_event SET chain_seq = NULL, prev_hash = NULL, hash = NULL")
    schema_editor.execute("UPDATE casework_audithead SET seq = 0, hash = '%s'" % ("0" * 64))
    if vendor == "postgresql":
        schema_editor.execute("CREATE SEQUENCE IF NOT EXISTS casework_event_seq_counter")
        schema_editor.execute("SELECT setval('casework_event_seq_counter', "
                              "COALESCE((SELECT MAX(seq) FROM casework_event), 0) + 1, false)")
        schema_editor.execute(APPEND_ONLY_PG)
    elif vendor == "sqlite":
        schema_editor.execute(APPEND_ONLY_SQLITE)


def guard_again(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP SEQUENCE IF EXISTS casework_event_seq_counter")


class Migration(migrations.Migration):

    dependencies = [
        ('casework', '0011_letter_doc_number_per_issuer'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(drop_trigger, guard_again),
        migrations.AlterModelOptions(
            name='event',
            options={'ordering': ['seq'], 'permissions': [('view_auditlog', '查阅审计日志')], 'verbose_name': '审计事件', 'verbose_name_plural': '审计事件'},
        ),
        migrations.AddField(
            model_name='event',
            name='chain_seq',
            field=models.BigIntegerField(blank=True, null=True, unique=True, verbose_name='链序号'),
        ),
        migrations.AlterField(
            model_name='event',
            name='hash',
            field=models.CharField(blank=True, max_length=64, null=True, unique=True),
        ),
        migrations.AlterField(
            model_name='event',
            name='prev_hash',
            field=models.CharField(blank=True, max_length=64, null=True),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['actor', 'at'], name='event_actor_at'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(fields=['action', 'at'], name='event_action_at'),
        ),
        migrations.AddIndex(
            model_name='event',
            index=models.Index(condition=models.Q(('chain_seq__isnull', True)), fields=['seq'], name='event_unchained'),
        ),
        migrations.RunPython(unchain_and_guard, drop_trigger),
    ]
