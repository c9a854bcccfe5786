"""Every kind of letter, as a clerk would check it: numbered in its own series per issuer and year with the
organ's 机关代字 (a 回执 carries its 移送函's number and has none of its own); no doubled punctuation where texts
are joined; signature never alone on its page, "附件：" never alone at a page foot, page 1 never left half blank.
Each kind is rendered to PNG (var/screenshots/letters/, and /work/notes/shots/ when present) for a person to look at."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from casework.letters.models import Letter
from casework.letters.services import issue_letter, tidy
from tests.conftest import at

SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots" / "letters"
NOTES = Path("/work/notes/shots")
DOUBLED = re.compile(r"[。；，、][。；，、]|[？！][。；，]")
PLAIN_KINDS = [k for k in Letter.Kind.values if k not in ("minutes", "solicit", "receipt")]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def text_of(path: Path, page: int | None = None) -> str:
    args = ["pdftotext"] + (["-f", str(page), "-l", str(page)] if page else []) + [str(path), "-"]
    return subprocess.run(args, check=True, capture_output=True, text=True).stdout


def text_bottom(path: Path, page: int) -> float:
    """Where the last line of text (not the folio) ends on a page, as a fraction of the page height."""
    html = subprocess.run(["pdftotext", "-bbox", "-f", str(page), "-l", str(page), str(path), "-"], check=True,
                          capture_output=True, text=True).stdout
    height = float(re.search(r'<page width="[\d.]+" height="([\d.]+)"', html).group(1))
    words = re.findall(r'<word xMin="[\d.]+" yMin="[\d.]+" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)</word>', html)
    return max(float(y) for y, w in words if "—" not in w and not w.strip().isdigit()) / height


def pages_of(path: Path) -> int:
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    return int(re.search(r"^Pages:\s+(\d+)", info, re.M).group(1))


def png(path: Path, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-png", "-r", "45", str(path), str(SHOTS / name)], check=True)
    if NOTES.is_dir():
        for page in SHOTS.glob(f"{name}-*.png"):
            shutil.copy(page, NOTES / f"docs-letter-{page.name}")


def issue(luoyang, actor, kind, n=1, **kw):
    reasons = ["该项目由市卫生健康委员会审批。", "线索应移送项目所属行业主管部门。"] if kind == "return" else []
    values = dict(actor=actor, issuer=luoyang["housing"], kind=kind, subject=luoyang["housing"],
                  addressee=luoyang["police"], issued_at=at(2026, 11, 21),
                  title=f"关于{Letter.Kind(kind).label}测试事项的函（{n}）",
                  body=["你单位移交的投诉已收悉。",
                        "经审查，该投诉属于贵单位管辖：该项目为交通工程。。现移交贵单位依法处理。",
                        "处理结果：已责令改正。；并处罚款。，记入信用记录？。"],
                  materials=["问题线索登记表。", "比对报告.pdf（193 字节）"], reasons=reasons)
    values.update(kw)
    return issue_letter(**values)


def test_every_kind_is_numbered_in_its_own_series_with_the_organs_abbreviation(luoyang, bob, media):
    housing = luoyang["housing"]
    assert housing.doc_abbr == "洛建"  # from the preset (marked as invented there)
    for kind in PLAIN_KINDS:
        first, second = issue(luoyang, bob, kind, 1), issue(luoyang, bob, kind, 2)
        char = Letter.DOC_CHAR[kind]
        assert (first.doc_number, second.doc_number) == (f"洛建{char}〔2026〕1号", f"洛建{char}〔2026〕2号"), kind
        layer = "".join(text_of(media / second.file.name).split())
        if kind not in Letter.WITHOUT_ADDRESSEE or kind == "public_notice":
            assert second.doc_number in layer, kind
        assert not DOUBLED.search(layer), (kind, DOUBLED.search(layer).group(0))
        png(media / second.file.name, kind)
    transfer = Letter.objects.filter(kind="transfer").order_by("number").last()
    receipt = issue(luoyang, bob, "receipt", title="移送回执", accompanies=transfer, body=["下列材料已收到。"])
    layer = "".join(text_of(media / receipt.file.name).split())
    assert "执〔" not in layer and f"随{transfer.doc_number}" in layer and not DOUBLED.search(layer)
    png(media / receipt.file.name, "receipt")


def test_joined_texts_keep_one_mark():
    assert tidy("管辖：该项目为交通工程。。现移交") == "管辖：该项目为交通工程。现移交"
    assert tidy("已责令改正。；并处罚款。，记入") == "已责令改正；并处罚款，记入"
    assert tidy("是否属实？。") == "是否属实？" and tidy("甲、乙、丙") == "甲、乙、丙"


@pytest.mark.parametrize("paragraphs", [2, 3, 4, 6])
def test_signature_travels_with_text_and_no_page_is_left_half_blank(luoyang, bob, media, paragraphs):
    para = ("经查，该项目施工招标共有5家投标人，其中3家投标文件的制作机器码相同，报价呈等差排列，"
            "投标保证金由同一账户转出，涉嫌串通投标。")
    letter = issue(luoyang, bob, "result_notice", body=[para] * paragraphs,
                   materials=["立案决定书", "询问笔录", "比对报告"])
    path = media / letter.file.name
    count = pages_of(path)
    last = [line.strip() for line in text_of(path, count).splitlines() if line.strip()]
    signature_at = last.index("2026年11月21日")
    body_lines = [line for line in last[:signature_at] if "涉嫌串通投标" in line or "。" in line or "，" in line]
    assert body_lines, f"the signature page has no text of the letter: {last}"
    for page in range(1, count + 1):
        lines = [line.strip() for line in text_of(path, page).splitlines() if line.strip() and "—" not in line]
        assert lines[-1] != "附件：" and not lines[-1].startswith("附件："), (page, lines[-3:])
    if count > 1:  # page 1 is not left half blank: its text runs well down the page
        assert text_bottom(path, 1) > 0.6, text_bottom(path, 1)
    png(path, f"pagination-{paragraphs}")
