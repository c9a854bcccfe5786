"""Letters to PDF: a Django template per kind (templates/letters/<kind>.html, all extending
letters/base.html, laid out after GB/T 9704-2012), rendered with WeasyPrint.

Fonts are system fonts; WeasyPrint embeds subsets of them. GB/T 9704 sets the body in 仿宋, the masthead and
title in 小标宋 and first-level headings in 黑体. The body uses the official 仿宋_GB2312 / FangSong where the
server has it, and otherwise Noto Serif CJK SC (fonts-noto-cjk). cwTeXFangSong (fonts-cwtex-fs) is not in the
default stack: it is a Traditional-Chinese font that lacks about a third of the simplified characters (2,379 of
GB 2312's 6,763; 36 % of the characters of a typical 移送函), so a body set in it falls back to the Song face
character by character and reads like a ransom note, with Taiwan-style centred punctuation. Override the stacks
with settings.LETTER_FONTS (a dict with any of the keys of FONTS) to use another installed face.
"""

from __future__ import annotations

import atexit
import hashlib
import logging
import re
import threading

from django.conf import settings
from django.template.loader import render_to_string

from casework.clocks.timing import SHANGHAI
from casework.letters.models import Letter

# CSS font-family values. Names that are not installed are skipped.
FONTS = {
    "body": '"仿宋_GB2312", "FangSong_GB2312", "FangSong", "Noto Serif CJK SC", serif',  # 仿宋
    "title": '"Noto Serif CJK SC", serif',  # set bold: the stand-in for 小标宋
    "heading": '"Noto Sans CJK SC", sans-serif',  # 黑体
    "folio": '"Noto Serif CJK SC", serif',  # 页码: 宋体
}


def fonts() -> dict[str, str]:
    """The font stacks, each with its cut-down face first where one was built (casework.letters.fonts)."""
    from casework.letters import fonts as cut

    stacks = {**FONTS, **getattr(settings, "LETTER_FONTS", {})}
    return {role: cut.with_subsets(stack, bold=(role == "title")) for role, stack in stacks.items()}


# The text block (版心) is 156 mm wide; the masthead may use at most this much of it.
MASTHEAD_WIDTH_MM = 150.0
# GB/T 9704 "一般应小于22mm×15mm": the masthead characters are at most 15 mm wide.
MASTHEAD_MAX_CHAR_MM = 15.0
MASTHEAD_MIN_CHAR_MM = 8.0

# Pango and fontconfig are not documented as thread-safe: one render at a time per process. Issuing a
# letter holds the numbering lock anyway, so this costs nothing there.
_render_lock = threading.Lock()
_font_config = None

# WeasyPrint logs every layout step at INFO ("Step 2 - Fetching and parsing CSS"); keep the portal's log readable.
_progress_log = logging.getLogger("weasyprint.progress")
if _progress_log.level == logging.NOTSET:
    _progress_log.setLevel(logging.WARNING)


def template_name(kind: str) -> str:
    return f"letters/{kind}.html"


def chinese_date(when) -> str:
    """成文日期: Arabic numerals, year, month and day in full, no leading zeros (GB/T 9704 7.3.5.3)."""
    day = when.astimezone(SHANGHAI).date() if hasattr(when, "astimezone") else when
    return f"{day.year}年{day.month}月{day.day}日"


def _width_em(text: str) -> float:
    """Approximate printed width in em: CJK characters are one em, ASCII letters and digits half."""
    return sum(0.5 if ord(c) < 0x2E80 else 1.0 for c in text)


def masthead(name: str, *others: str) -> dict:
    """The issuing organ's name as a masthead: one line per organ for a joint name ("甲 乙") and for each joint
    issuer after the lead organ (联合行文, GB/T 9704 7.2.3: 主办机关名称排列在前), sized so the longest line fits
    the text block."""
    lines = [line for n in (name, *others) for line in (n.split() or [n])]
    longest = max(_width_em(line) for line in lines)
    size = max(MASTHEAD_MIN_CHAR_MM, min(MASTHEAD_MAX_CHAR_MM, MASTHEAD_WIDTH_MM / max(longest, 1)))
    return {"lines": lines, "size_mm": round(size, 2)}


def _clean_item(text: str) -> str:
    # 附件名称后不加标点符号 (GB/T 9704 7.3.4)
    return text.strip().rstrip("。；;，,、：:")


CN_DIGITS = "零一二三四五六七八九"


def cn_ordinal(n: int) -> str:
    """一, 二 … 十, 十一 … 九十九: the numbering of first-level headings (一、二、…)."""
    if n < 10:
        return CN_DIGITS[n]
    tens, ones = divmod(n, 10)
    return ("" if tens == 1 else CN_DIGITS[tens]) + "十" + (CN_DIGITS[ones] if ones else "")


def subject_label(subject) -> str:
    if subject is None:
        return ""
    label = getattr(subject, "letter_label", None)
    if callable(label):
        label = label()
    return str(label or subject)


def signer_name(letter: Letter) -> str:
    """签发人: the leader who signed the letter off (the issuing user), by full name where one is recorded."""
    user = letter.issued_by if letter.issued_by_id else None
    if user is None:
        return ""
    return (user.get_full_name() or user.get_username()).strip()


def context(letter: Letter, subject=None) -> dict:
    date = chinese_date(letter.issued_at)
    # 联合行文: the joint issuers set by issue_letter(co_issuers=...) before the letter is saved, else as stored
    co = getattr(letter, "co_issuers", None)
    if co is None:
        co = list(letter.joint_issuers.order_by("code")) if letter.pk else []
    co_issuers = [d.name for d in co]
    reasons = [r.strip() for r in letter.reasons if r and r.strip()]
    materials = [_clean_item(m) for m in letter.materials if m and m.strip()]
    related = {}
    if letter.kind == Letter.Kind.RECEIPT and letter.subject_type_id:
        transfer = (Letter.objects.filter(issuer_id=letter.issuer_id, kind=Letter.Kind.TRANSFER,
                                          subject_type_id=letter.subject_type_id, subject_id=letter.subject_id)
                    .order_by("-issued_at", "-id").first())
        related["transfer_letter"] = transfer
    return {
        "letter": letter,
        "fonts": fonts(),
        "font_faces": _font_faces(),
        "issuer": letter.issuer,
        "masthead": masthead(letter.issuer.name, *co_issuers),
        "addressee": letter.addressee_display,
        "paragraphs": letter.paragraphs(),
        "reasons": reasons,
        "numbered_reasons": [(cn_ordinal(i), r) for i, r in enumerate(reasons, 1)],
        "materials": materials,
        "cc": [c.strip() for c in letter.cc if c and c.strip()],
        "date": date,
        "subject_label": subject_label(subject if subject is not None else letter.subject),
        # 成文日期右空四字; a signature longer than the date is set 右空二字 instead
        "sign_right_em": 4 if max(_width_em(x) for x in letter.issuer.name.split() or [""]) <= _width_em(date) else 2,
        # 联合发布: every participating organ signs (set by issue_letter(co_issuers=...) before rendering)
        "signer": signer_name(letter) if letter.kind in Letter.UPWARD else "",
        "co_issuers": co_issuers,
        **related,
    }


def _font_faces() -> str:
    from casework.letters import fonts as cut

    return cut.font_face_css()


def render_html(letter: Letter, subject=None) -> str:
    return render_to_string(template_name(letter.kind), context(letter, subject))


_fetcher = None


def _letter_fetcher():
    """Letters use no external resource: every URL (file://, http://) a template or text might name is refused,
    but our own cut-down font files."""
    global _fetcher
    if _fetcher is None:
        from weasyprint.urls import URLFetcher

        from casework.letters import fonts as cut

        class LetterFetcher(URLFetcher):
            def fetch(self, url, headers=None):
                if cut.allowed_file(url):
                    return super().fetch(url, headers)
                raise ValueError(f"letters fetch no resources: {url}")

        _fetcher = LetterFetcher(allowed_protocols=("file",))
    return _fetcher


def _release() -> None:
    """Drop the process-wide WeasyPrint objects while the interpreter can still run their finalisers."""
    global _font_config
    _parsed_css.clear()
    _font_config = None


atexit.register(_release)

_STYLE = re.compile(r"<style>(.*?)</style>", re.S)
_parsed_css: dict[str, object] = {}


def _stylesheet(css: str):
    """The parsed stylesheet for this CSS text: parsed once per process (the base layout's CSS is the same for
    every letter of a kind; parsing it was a tenth of a render), @font-face rules registered with the
    process-wide FontConfiguration."""
    from weasyprint import CSS

    key = hashlib.sha256(css.encode()).hexdigest()
    sheet = _parsed_css.get(key)
    if sheet is None:
        if len(_parsed_css) >= 64:
            _parsed_css.clear()
        sheet = _parsed_css[key] = CSS(string=css, font_config=_font_config, url_fetcher=_letter_fetcher())
    return sheet


def html_to_pdf(html: str) -> bytes:
    # Imported here: importing WeasyPrint parses its stylesheets, which no other command needs.
    from weasyprint import HTML
    from weasyprint.text.fonts import FontConfiguration

    global _font_config
    with _render_lock:
        if _font_config is None:
            _font_config = FontConfiguration()
        # The <style> blocks, in document order, become cached author stylesheets: same cascade, parsed once.
        sheets = [_stylesheet(css) for css in _STYLE.findall(html)]
        return HTML(string=_STYLE.sub("", html), base_url=None, url_fetcher=_letter_fetcher()).write_pdf(
            font_config=_font_config, stylesheets=sheets)


def render_pdf(letter: Letter, subject=None) -> bytes:
    """The PDF of a letter that has its number, issuer, addressee, text and issue time set."""
    return html_to_pdf(render_html(letter, subject))
