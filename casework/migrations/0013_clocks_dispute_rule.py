"""Profiles created from a preset get the jurisdiction-dispute rule (referral.dispute_decide) as the
preset defines it, and the preset's per-rule reminder leads for long periods (regular meetings,
supervision reports); what an administrator already set is left alone."""

from django.db import migrations

from casework import presets

NEW_KEYS = ("referral.dispute_decide",)
TERMS = ("amount", "unit", "starts_on", "source", "clause", "note")


def forwards(apps, schema_editor):
    RuleProfile = apps.get_model("casework", "RuleProfile")
    Rule = apps.get_model("casework", "Rule")
    RuleVersion = apps.get_model("casework", "RuleVersion")
    for profile in RuleProfile.objects.exclude(preset=""):
        if profile.preset not in presets.PRESETS:
            continue
        for item in presets.read("rules", profile.preset)["rules"]:
            existing = Rule.objects.filter(profile=profile, key=item["key"]).first()
            if existing is not None:
                if item.get("reminder_working_days") is not None and existing.reminder_working_days is None:
                    existing.reminder_working_days = item["reminder_working_days"]
                    existing.save(update_fields=["reminder_working_days"])
                continue
            if item["key"] not in NEW_KEYS:
                continue
            rule = Rule.objects.create(profile=profile, key=item["key"], name=item["name"],
                                       reminder_working_days=item.get("reminder_working_days"))
            version = RuleVersion.objects.create(
                rule=rule, number=1, change_reason=f"预设 {profile.preset}",
                **{k: (item.get(k) if k == "amount" else (item.get(k) or "")) for k in TERMS})
            rule.current_version = version
            rule.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("casework", "0012_clocks_rule_reminder")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
