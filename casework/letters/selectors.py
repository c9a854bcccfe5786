"""Reads for the letters list: each visible letter as the user may see it (the page and its ledger alike)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import ForeignKey, prefetch_related_objects

from casework import privacy
from casework.letters.models import Letter
from casework.letters.services import may_open, readable_ids, visible_letters
from casework.listing import Ledger, ledger


def letters_for_list(user):
    """Every letter the user may see, newest first, with what a row shows fetched in a fixed number of queries."""
    return visible_letters(user).prefetch_related("subject").order_by("-issued_at", "-pk")


@dataclass(frozen=True)
class LetterRow:
    """A letter as the list shows it: a letter that carries a protected identity has its addressee, title and case
    masked for anyone who may not open it (casework.privacy), and then links to no PDF."""

    letter: Letter
    readable: bool
    title: str
    addressee: str
    subject: str


def _subject_label(letter: Letter) -> str:
    subject = letter.subject
    return "" if subject is None else str(subject)


def row_for(user, letter: Letter, readable: bool) -> LetterRow:
    cached = getattr(letter, "_list_row", None)
    if cached is not None:
        return cached
    restricted = bool(letter.restricted_to_perm)
    if letter.addressee_id and not letter.addressee_name:
        addressee = letter.addressee.name
    elif restricted:
        addressee = letter.addressee_name if readable else privacy.mask_name(letter.addressee_name)
    else:
        addressee = privacy.mask_for(letter, letter.addressee_name)
    if restricted and readable:
        title, subject = letter.title, _subject_label(letter)
    else:
        title = privacy.mask_for(letter, letter.title) if restricted else letter.title
        subject = privacy.mask_for(letter, _subject_label(letter))
    row = LetterRow(letter=letter, readable=readable, title=title, addressee=addressee, subject=subject)
    letter._list_row = row
    return row


def _prefetch_handling(letters: list[Letter]) -> None:
    """The restricted letters' cases with their department, so the identity rule reads no row per letter."""
    by_model: dict[type, list] = {}
    for letter in letters:
        subject = letter.subject if letter.restricted_to_perm else None
        if subject is not None:
            by_model.setdefault(type(subject), []).append(subject)
    for model, subjects in by_model.items():
        field = next((f for f in model._meta.get_fields() if f.name == "department"), None)
        if isinstance(field, ForeignKey):
            prefetch_related_objects(subjects, "department")


def letter_rows(user, letters) -> list[LetterRow]:
    """One page of the list: which rows open is read in one query (readable_ids)."""
    letters = list(letters)
    _prefetch_handling(letters)
    ids = readable_ids(user, letters)
    return [row_for(user, x, x.pk in ids) for x in letters]


def letter_ledger(user):
    """The ledger of the list: the same masking as the page (a row the user may not open shows masked)."""
    from casework.ledger import Column

    def row(letter):
        return row_for(user, letter, may_open(user, letter))

    return [
        Column("发文字号", lambda x: x.doc_number), Column("文种", lambda x: x.get_kind_display()),
        Column("标题", lambda x: row(x).title), Column("发文单位", lambda x: x.issuer.name),
        Column("主送", lambda x: row(x).addressee), Column("所属事项", lambda x: row(x).subject),
        Column("成文时间", lambda x: x.issued_at),
        Column("含保密身份信息", lambda x: "是" if x.restricted_to_perm else "否"),
        Column("可查阅", lambda x: "是" if row(x).readable else "否"),
    ]


@ledger("casework.letters.all")
def letter_list_ledger(user) -> Ledger:
    """The letters list as `user` sees it (masked where the user is not cleared), for the page and its ledger."""
    from casework.letters.filters import LetterFilter

    return Ledger(LetterFilter, letters_for_list(user), letter_ledger(user), "公文函件台账")
