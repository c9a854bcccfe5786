"""The request-scoped memo of reference data (issue 18): read once inside a request, never outside one, and
switched off for the rest of a request that changes what it holds."""

import pytest
from django.db import transaction

from casework import memo
from casework.rules.models import Rule
from casework.rules.services import rule_for, update_rule


def test_outside_a_request_nothing_is_memoised():
    calls = []
    assert memo.memo("k", lambda: calls.append(1) or len(calls)) == 1
    assert memo.memo("k", lambda: calls.append(1) or len(calls)) == 2
    assert not memo.active()


def test_inside_a_request_read_once_and_forget_switches_it_off():
    calls = []

    def compute():
        calls.append(1)
        return len(calls)

    with memo.scope():
        assert memo.memo("k", compute) == 1 and memo.memo("k", compute) == 1
        memo.forget()
        assert not memo.active()
        assert memo.memo("k", compute) == 2 and memo.memo("k", compute) == 3
    with memo.scope():  # the next request starts afresh
        assert memo.memo("k", compute) == 4 and memo.memo("k", compute) == 4


def test_a_rule_changed_in_the_request_is_read_anew(luoyang, carol):
    with memo.scope():
        rule = rule_for(luoyang["housing"], "referral.transfer")
        assert rule_for(luoyang["housing"], "referral.transfer") is rule  # memoised
        number = rule.current_version.number
        update_rule(actor=carol, rule=rule, reason="测试：修改期限", amount=(rule.current_version.amount or 5) + 1)
        fresh = rule_for(luoyang["housing"], "referral.transfer")
        assert fresh is not rule and fresh.current_version.number == number + 1


def test_a_page_request_runs_inside_a_memo_scope(client, bob):
    client.force_login(bob)
    assert client.get("/referrals/").status_code == 200
    assert not memo.active()  # and the scope ends with the request


def test_process_memo_lasts_across_requests_until_migrations_run():
    from django.db.models.signals import post_migrate

    calls = []
    compute = lambda: calls.append(1) or len(calls)  # noqa: E731
    memo.forget_process()
    assert memo.for_process("p", compute) == 1
    with memo.scope():
        assert memo.for_process("p", compute) == 1  # no request scope needed, and none ends it
    # emptied whenever migrations run (a flushed test database sends post_migrate too): ids may have changed
    assert post_migrate.disconnect(dispatch_uid="casework.memo.forget_process")
    post_migrate.connect(memo.forget_process, dispatch_uid="casework.memo.forget_process")
    memo.forget_process()
    assert memo.for_process("p", compute) == 2


def test_rules_are_kept_across_requests_while_their_revision_is_unchanged(luoyang, carol, django_assert_num_queries):
    """One indexed read of the revision token a request instead of the profile and its rules (issue 18)."""
    with memo.scope():
        rule = rule_for(luoyang["housing"], "referral.transfer")
    with memo.scope(), django_assert_num_queries(1):  # the token
        assert rule_for(luoyang["housing"], "referral.transfer") is rule
        assert rule_for(luoyang["housing"], "referral.push") is not None
    # changed elsewhere (outside this process's requests, e.g. in the admin of another web process)
    update_rule(actor=carol, rule=Rule.objects.get(pk=rule.pk), reason="测试：修改期限",
                amount=(rule.current_version.amount or 5) + 1)
    with memo.scope():
        fresh = rule_for(luoyang["housing"], "referral.transfer")
        assert fresh is not rule and fresh.current_version.number == rule.current_version.number + 1


def test_a_rolled_back_rule_change_leaves_no_stale_rules_in_memory(luoyang, carol):
    """The token is new on every change, never a counter: rolled back, the rules are those of the restored token."""
    with memo.scope():
        before = rule_for(luoyang["housing"], "referral.transfer").current_version.number
    with pytest.raises(RuntimeError), transaction.atomic():
        profile = rule_for(luoyang["housing"], "referral.transfer").profile
        update_rule(actor=carol, rule=Rule.objects.get(key="referral.transfer", profile=profile),
                    reason="测试：撤回的修改", amount=99)
        with memo.scope():  # a request that read the changed rules before the rollback
            assert rule_for(luoyang["housing"], "referral.transfer").current_version.amount == 99
        raise RuntimeError("rolled back")
    with memo.scope():
        assert rule_for(luoyang["housing"], "referral.transfer").current_version.number == before


def test_the_admin_changing_a_profile_renews_the_revision(luoyang):
    from casework.rules.models import RuleProfile, RulesRevision

    token = RulesRevision.objects.get(pk=1).token
    profile = RuleProfile.objects.get(pk=rule_for(luoyang["housing"], "referral.push").profile_id)
    profile.reminder_working_days += 1
    profile.save()  # as the admin's change form saves it
    assert RulesRevision.objects.get(pk=1).token != token
