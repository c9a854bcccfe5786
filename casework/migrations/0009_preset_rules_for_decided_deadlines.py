"""Profiles created from a preset before these steps existed get their rules, as the preset
defines them (version 1, "预设 <name>"); rules an administrator already has are left alone."""

from django.db import migrations

from casework import presets

NEW_KEYS = ("assistance.result", "jointaction.plan_reply", "consultation.meeting_reply",
            "consultation.decision", "consultation.rule_comments")
TERMS = ("amount", "unit", "starts_on", "source", "clause", "note")


def add_rules(apps, schema_editor):
    RuleProfile = apps.get_model("casework", "RuleProfile")
    Rule = apps.get_model("casework", "Rule")
    RuleVersion = apps.get_model("casework", "RuleVersion")
    for profile in RuleProfile.objects.exclude(preset=""):
        if profile.preset not in presets.PRESETS:
            continue
        for item in presets.read("rules", profile.preset)["rules"]:
            if item["key"] not in NEW_KEYS or Rule.objects.filter(profile=profile, key=item["key"]).exists():
                continue
            rule = Rule.objects.create(profile=profile, key=item["key"], name=item["name"])
            version = RuleVersion.objects.create(
                rule=rule, number=1, change_reason=f"预设 {profile.preset}",
                **{k: (item.get(k) if k == "amount" else (item.get(k) or "")) for k in TERMS})
            rule.current_version = version
            rule.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("casework", "0008_clock_set_due_and_letter_kinds")]
    operations = [migrations.RunPython(add_rules, migrations.RunPython.noop)]
