"""One filter definition for the clue list: the page, its CSV/XLSX export and GET /api/v1/clues/ all use it."""

from __future__ import annotations

import django_filters
from django.contrib.contenttypes.models import ContentType
from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import Func, Q, TextField, Value
from django.db.models.functions import StrIndex, Upper
from django.utils import timezone

from casework.clocks.models import Clock
from casework.handoffs.models import Handoff
from casework.listing import CaseListFilter, date_from, date_to
from referrals.models import Clue, SignalType, Transfer, is_pair


def overdue_clue_ids() -> set[int]:
    """Clues with an open clock past its deadline, on the clue itself or on one of its transfers (few rows:
    only overdue clocks are read, whatever the number of clues)."""
    types = ContentType.objects.get_for_models(Clue, Handoff)
    late = Clock.objects.filter(
        Q(state__in=[Clock.State.RUNNING, Clock.State.PAUSED], due_at__lt=timezone.now())
        | Q(state=Clock.State.BREACHED, closed_at__isnull=True),
        subject_type__in=[types[Clue], types[Handoff]]).values_list("subject_type_id", "subject_id")
    direct, handoffs = set(), set()
    for type_id, subject_id in late:
        (direct if type_id == types[Clue].pk else handoffs).add(int(subject_id))
    if handoffs:
        direct |= set(Transfer.objects.filter(handoff_id__in=handoffs).values_list("clue_id", flat=True))
    return direct


class Unindexed(Func):
    """`search_text || ''`: the same text, as an expression no index serves."""

    template = "(%(expressions)s || '')"
    output_field = TextField()


class Pairs(Func):
    """`portal_pairs(search_pairs)`: the clue's character pairs as an array, as the GIN index clue_search_pairs
    (referrals 0010) holds them."""

    function = "portal_pairs"
    output_field = ArrayField(TextField())


def has_pair(word: str) -> bool:
    """Whether the pairs index can answer a search for `word`: two characters, the same in upper case (Python's
    upper case, as the index was written), one of them non-ASCII, no space."""
    upper = word.upper()
    return len(word) == 2 and is_pair(upper)


COMMON_SHARE = 0.05  # a trigram in more than this share of clues is "common"
COMMON_SAMPLE = 1_000  # clues sampled to find them
COMMON_TTL = 600.0  # seconds a process keeps the sample
_common: dict[str, tuple[float, frozenset[str]]] = {}


def common_trigrams() -> frozenset[str]:
    """Trigrams in more than COMMON_SHARE of the clues' search text, from a sample (PostgreSQL; empty below 10,000
    clues). Every Luoyang USCC begins 91410300, every company name 洛阳…有限公司: the trigram index reads a posting
    list of a million entries for each such trigram of a search word (a whole USCC over 1,000,000 clues: 300 ms,
    its last eight characters: 9 ms)."""
    import time
    from collections import Counter

    if connection.vendor != "postgresql":
        return frozenset()
    now = time.monotonic()
    cached = _common.get(connection.alias)
    if cached and cached[0] > now:
        return cached[1]
    common: frozenset[str] = frozenset()
    with connection.cursor() as cur:
        cur.execute("SELECT reltuples FROM pg_class WHERE oid = 'referrals_clue'::regclass")
        rows = cur.fetchone()[0] or 0
        if rows >= 10_000:
            cur.execute("SELECT show_trgm(UPPER(search_text)) FROM referrals_clue TABLESAMPLE SYSTEM (%s) LIMIT %s",
                        [min(100.0, 150.0 * COMMON_SAMPLE / rows), COMMON_SAMPLE])
            samples = [set(row[0]) for row in cur.fetchall()]
            counts = Counter(t for sample in samples for t in sample)
            common = frozenset(t for t, c in counts.items() if c > COMMON_SHARE * len(samples))
    _common[connection.alias] = (now + COMMON_TTL, common)
    return common


def index_part(word: str, common) -> str:
    """The longest part of `word` (three characters or more, letters and digits: a run pg_trgm reads as one word)
    with no common trigram, for the index to look for; the word itself if it has no common trigram or no such
    part. A clue whose text contains the word contains every part of it, so filtering on the part and then on the
    whole word finds exactly the clues containing the word."""
    lowered = word.lower()[:64]
    if len(lowered) != len(word[:64]):  # a letter whose lower case is longer: leave the word whole
        return word

    def trigrams(text: str) -> set[str]:
        return {text[i:i + 3] for i in range(len(text) - 2)}

    if not common or not (trigrams(lowered) & common):
        return word
    best = ""
    for i in range(len(lowered)):
        for j in range(len(lowered), i + 2, -1):
            if j - i <= len(best):
                break
            if lowered[i:j].isalnum() and not (trigrams(lowered[i:j]) & common):
                best = word[:64][i:j]
                break
    return best or word


class ClueFilter(CaseListFilter):
    """The clue list: search over the denormalised `search_text` (pg_trgm GIN index), the rest from the base."""

    clock_paths = ("", "transfers__handoff")
    status = django_filters.ChoiceFilter(choices=Clue.Status.choices, label="状态")
    signal_type = django_filters.ChoiceFilter(choices=SignalType.choices, label="预警类型")
    department = django_filters.CharFilter(method="filter_department", label="单位代码（推送、监管或接收）")
    received_from = date_from("received_at", "接收日期自")
    received_to = date_to("received_at", "接收日期至")
    ordering = django_filters.OrderingFilter(fields=(("received_at", "received_at"), ("reference", "reference"),
                                                     ("project_name", "project_name"), ("status", "status")),
                                             label="排序")

    class Meta:
        model = Clue
        fields: list[str] = []

    private_handling_field = "supervising_department"

    def filter_search(self, queryset, name, value):
        """The index (`search_text`) holds the masked summary; the original summary (`private_search_text`) is
        searched only on the clues whose summary the user reads unmasked (casework.privacy), so a search cannot
        confirm what a page masks."""
        words = (value or "").split()[:5]
        readable = self._readable_rows() if words else None
        common = common_trigrams() if words else frozenset()
        for n, word in enumerate(words):
            alias = f"_word_{n}"
            # icontains' test, without LIKE; a word without case (Chinese, digits) skips UPPER over every row read
            caseless = word.upper() == word.lower()
            whole = {alias: StrIndex("search_text", Value(word)) if caseless
                     else StrIndex(Upper("search_text"), Upper(Value(word)))}
            if connection.vendor == "postgresql" and has_pair(word):
                # A two-character word holding a Chinese character: one lookup in the pairs index (referrals 0010).
                queryset = queryset.alias(**{alias: Pairs("search_pairs")})
                cond = Q(**{f"{alias}__contains": [word.upper()]})
            elif len(word) < 3 and connection.vendor == "postgresql":
                # One character, or two ASCII ones: no trigram, no indexed pair. As LIKE, PostgreSQL would read the
                # whole trigram index and recheck every clue (7 s over 1,000,000 measured). Written so that the
                # index is not used, the newest clues are read backwards (clue_received_order) until the page is
                # full.
                queryset = queryset.alias(**whole)
                cond = Q(**{f"{alias}__gt": 0})
            elif (part := index_part(word, common)) != word:
                # The index looks for the word's distinctive part; the whole word is checked on the rows found, as
                # icontains on an expression the index does not serve and the planner has no statistics for: it then
                # expects few rows (strpos' default of a third sent it reading 1,000,000 clues in date order).
                queryset = queryset.alias(**{alias: Unindexed("search_text")})
                cond = Q(search_text__icontains=part) & Q(**{f"{alias}__icontains": word})
            else:
                cond = Q(search_text__icontains=word)
            if readable is not None:  # the summary as written, kept (and indexed) only where masking changed it
                cond |= Q(private_search_text__gt="", private_search_text__icontains=word) & readable
            queryset = queryset.filter(cond)
        return queryset

    def filter_department(self, queryset, name, value):
        code = (value or "").strip()
        if not code:
            return queryset
        return queryset.filter(Q(supervising_department__code=code) | Q(source_department__code=code)
                               | Q(transfers__receiver__code=code)).distinct()

    def filter_overdue(self, queryset, name, value):
        if value is None:
            return queryset
        ids = overdue_clue_ids()
        return queryset.filter(pk__in=ids) if value else queryset.exclude(pk__in=ids)
