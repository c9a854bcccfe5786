"""Validators shared by the mechanisms."""

USCC_CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # GB 32100-2015: 31 characters, no I O S V Z
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_problem(code: str) -> str | None:
    """Why `code` is not a valid unified social credit code (统一社会信用代码), or None."""
    if not isinstance(code, str) or len(code) != 18:
        return "统一社会信用代码应为18位"
    if not code.isascii():
        return "统一社会信用代码只能使用半角数字和大写字母（请关闭全角输入）"
    code = code.upper()
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}"
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(code[:17], USCC_WEIGHTS, strict=True))
    expected = USCC_CHARSET[(31 - total % 31) % 31]
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：应为 {expected}，实为 {code[17]}"
    return None


def uscc_with_check(first17: str) -> str:
    """Complete 17 characters with their GB 32100 check character (for tests and demo data)."""
    total = sum(USCC_CHARSET.index(c) * w for c, w in zip(first17, USCC_WEIGHTS, strict=True))
    return first17 + USCC_CHARSET[(31 - total % 31) % 31]


ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"


def resident_id_problem(number: str) -> str | None:
    """Why `number` is not a valid resident identity number (GB 11643, 18 characters, the last a check
    character), or None."""
    number = (number or "").upper()
    if not number.isascii():
        # Full-width, superscript or Arabic-Indic digits look like digits but are not the number.
        return "居民身份证号码只能使用半角数字 0–9 和校验位 X（请关闭全角输入）"
    if len(number) != 18 or not number[:17].isdigit():
        return "居民身份证号码应为18位"
    expected = ID_CHECK[sum(int(c) * w for c, w in zip(number[:17], ID_WEIGHTS, strict=True)) % 11]
    if number[17] != expected:
        return f"居民身份证号码校验位错误：应为 {expected}"
    return None
