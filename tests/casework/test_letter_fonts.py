"""The letter faces are cut down to GB 2312 once per process (casework.letters.fonts): letters embed the small
faces, and a character outside the set (a rare one in a name) still prints, from the full system font."""

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType

from casework.clocks.timing import SHANGHAI
from casework.letters import fonts, render
from casework.letters.models import Letter
from tests.casework.test_letters import poppler


def letter(luoyang, body: str) -> Letter:
    issuer, addressee = luoyang["housing"], luoyang["drc"]
    return Letter(issuer=issuer, addressee=addressee, kind=Letter.Kind.GENERIC, year=2026, number=1,
                  doc_number="洛建函〔2026〕1号", title="关于核实有关情况的函", body=body,
                  issued_at=dt.datetime(2026, 11, 21, 10, tzinfo=SHANGHAI),
                  subject_type=ContentType.objects.get_for_model(addressee), subject_id=str(addressee.pk))


def test_cut_faces_are_built_cached_and_embedded(luoyang, tmp_path):
    built = fonts.faces()
    if not built:
        pytest.skip("no HarfBuzz-subset or no Noto CJK fonts here: letters use the system faces")
    assert all(p.exists() and p.stat().st_size < 8_000_000 for p in built.values())
    pdf = tmp_path / "a.pdf"
    pdf.write_bytes(render.render_pdf(letter(luoyang, "请核实投标人王喆、李珺提交的业绩材料。")))
    listing = poppler("pdffonts", pdf)
    assert "Letter" in listing  # the cut-down faces
    rows = listing.splitlines()[2:]
    assert all(" yes " in row for row in rows), listing  # every face embedded
    text = "".join(poppler("pdftotext", pdf).split())
    assert "王喆、李珺" in text  # outside GB 2312: from the full font, not tofu
    assert len(pdf.read_bytes()) < 300 * 1024
