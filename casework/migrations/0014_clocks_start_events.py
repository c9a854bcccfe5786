"""Start events corrected in the presets, carried to profiles loaded before: 《政府采购质疑和投诉办法》
第二十八条 counts the 30 working days from receipt of the complaint, not from acceptance; the assistance
result clock starts at the decision to assist, not at "办结之日". A profile whose rule still has the old
start event gets a new version (running clocks keep theirs; an administrator moves them with the
audited rule correction)."""

from django.db import migrations

from casework import presets

FIXES = {"complaint.decide_procurement": ("acceptance", "receipt", "更正起算点：第二十八条自收到投诉之日起计算"),
         "assistance.result": ("completion", "decision", "更正起算点：自决定协助办理之日起计算")}
TERMS = ("amount", "unit", "starts_on", "source", "clause", "note")


def forwards(apps, schema_editor):
    RuleProfile = apps.get_model("casework", "RuleProfile")
    Rule = apps.get_model("casework", "Rule")
    RuleVersion = apps.get_model("casework", "RuleVersion")
    for profile in RuleProfile.objects.exclude(preset=""):
        if profile.preset not in presets.PRESETS:
            continue
        items = {i["key"]: i for i in presets.read("rules", profile.preset)["rules"]}
        for key, (old, new, why) in FIXES.items():
            rule = Rule.objects.filter(profile=profile, key=key).first()
            if rule is None or rule.current_version_id is None:
                continue
            current = RuleVersion.objects.get(pk=rule.current_version_id)
            if current.starts_on != old:
                continue
            version = RuleVersion.objects.create(
                rule=rule, number=current.number + 1, change_reason=why,
                amount=current.amount, unit=current.unit, starts_on=new, source=current.source,
                clause=current.clause, note=items[key]["note"] if key in items else current.note)
            rule.current_version = version
            rule.save(update_fields=["current_version"])


class Migration(migrations.Migration):
    dependencies = [("casework", "0013_clocks_dispute_rule")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
