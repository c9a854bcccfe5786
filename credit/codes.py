"""Which codes a credit subject may carry, and why a code is not one of them.

- enterprises and agencies: the unified social credit code (统一社会信用代码, GB 32100, 18 characters, the
  last a check character);
- natural persons: the resident identity number (居民身份证号码, GB 11643, 18 characters, the last a check
  character);
- evaluation experts: the expert number of the expert pool, ``EXP-`` and 4 to 12 digits.

A code typed at the eligibility check carries no type: it is read as an expert number when it starts with
``EXP-``, otherwise as a USCC or, where all its first 17 characters are digits, as either (a USCC may be
all digits too); it is valid when it passes one of the checks that apply.
"""

from __future__ import annotations

import re
from operator import mul

from casework.validators import ID_CHECK, ID_WEIGHTS, USCC_CHARSET, USCC_WEIGHTS

EXPERT_NUMBER = re.compile(r"^EXP-\d{4,12}$")
EXPERT_FORMAT = "EXP- 加 4 至 12 位数字（如 EXP-0001）"


_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARSET)}
_DIGIT = {str(i): i for i in range(10)}


def normalise(code: str) -> str:
    return (code or "").strip().upper()


def uscc_check(first17: str) -> str | None:
    """The GB 32100 check character of 17 characters, or None when they cannot carry one. (A bulk check of
    1,000 codes runs this 1,000 times: dictionary lookups, no per-character search.)"""
    if len(first17) != 17:
        return None
    try:
        total = sum(map(mul, map(_USCC_VALUE.__getitem__, first17), USCC_WEIGHTS))
    except KeyError:
        return None
    return USCC_CHARSET[(31 - total % 31) % 31]


def resident_id_check(first17: str) -> str | None:
    if len(first17) != 17:
        return None
    try:
        total = sum(map(mul, map(_DIGIT.__getitem__, first17), ID_WEIGHTS))
    except KeyError:
        return None
    return ID_CHECK[total % 11]


def uscc_problem(code: str) -> str | None:
    if len(code) != 18:
        return f"统一社会信用代码应为18位，实为{len(code)}位"
    bad = sorted({c for c in code if c not in USCC_CHARSET})
    if bad:
        return f"统一社会信用代码含有不允许的字符：{''.join(bad)}（不使用 I、O、S、V、Z）"
    expected = uscc_check(code[:17])
    if code[17] != expected:
        return f"统一社会信用代码校验位错误：第18位应为 {expected}，实为 {code[17]}（GB 32100）"
    return None


def resident_id_problem(code: str) -> str | None:
    if len(code) != 18:
        return f"居民身份证号码应为18位，实为{len(code)}位"
    if not code[:17].isdigit() or code[17] not in "0123456789X":
        return "居民身份证号码前17位应为数字，第18位为数字或 X"
    expected = resident_id_check(code[:17])
    if code[17] != expected:
        return f"居民身份证号码校验位错误：第18位应为 {expected}，实为 {code[17]}（GB 11643）"
    return None


def expert_number_problem(code: str) -> str | None:
    if not EXPERT_NUMBER.match(code):
        return f"专家编号格式有误：应为 {EXPERT_FORMAT}"
    return None


# subject type -> the check its code must pass
BY_TYPE = {"enterprise": uscc_problem, "agency": uscc_problem, "individual": resident_id_problem,
           "expert": expert_number_problem}


def code_problem(code: str, subject_type: str | None = None) -> str | None:
    """Why `code` (already normalised) is not a valid code for `subject_type`, or for any subject when no
    type is given; None when it is valid."""
    if not code:
        return "请填写统一社会信用代码、居民身份证号码或专家编号"
    if subject_type:
        check = BY_TYPE.get(subject_type)
        return check(code) if check else None
    if len(code) == 18 and uscc_check(code[:17]) == code[17]:
        return None  # the common case, first: a valid USCC
    if code.startswith("EXP-") or code.startswith("EXP"):
        return expert_number_problem(code)
    if len(code) != 18:
        return (f"代码应为18位统一社会信用代码或居民身份证号码（实为{len(code)}位），"
                f"或专家编号（{EXPERT_FORMAT}）")
    uscc = uscc_problem(code)
    if uscc is None:
        return None
    if code[:17].isdigit():  # could be either: valid if it passes one of the two checks
        rid = resident_id_problem(code)
        if rid is None:
            return None
        return (f"代码校验位错误：按统一社会信用代码第18位应为 {uscc_check(code[:17])}，"
                f"按居民身份证号码第18位应为 {resident_id_check(code[:17])}，实为 {code[17]}")
    return uscc
