"""Default thresholds of every screen. A jurisdiction overrides any of them with its screening profile
(risk.models.ScreenProfile, edited in /admin/); a district without one uses its city's, then these."""

from __future__ import annotations

import copy

DEFAULTS: dict[str, dict] = {
    "fingerprint": {
        # Fields that, shared by two different bidders in one tender, point at one hand behind both bids.
        "fields": ["file_fingerprint", "mac", "ip", "contact_phone", "legal_rep"],
    },
    "related": {
        "fields": ["legal_rep", "key_staff", "contact_phone"],
        # A value shared by more bidders than this is an agency's switchboard or a common name, not a tie.
        "max_sharing": 6,
        "min_cobids": 1,  # related firms are reported only when they bid against each other
    },
    "ring": {
        "min_cobids": 5,  # a pair must have bid together at least this often ...
        "min_lift": 8.0,  # ... this many times more than chance ...
        "max_pair_p": 1e-6,  # ... with a Poisson tail probability at most this
        "min_group_size": 3,
        "together_share": 0.75,  # "bid together": at least this share of the members in one tender
        "max_tender_size": 40,  # larger tenders add no pairs (framework agreements, open lists)
    },
    "rotation": {
        "min_tenders": 5,
        "min_member_win_share": 0.7,  # the group wins most of the tenders it bids in together
        "min_distinct_winners": 2,
        "min_evenness": 0.6,  # normalised entropy of who wins: 1 = perfectly shared
    },
    "win_rate": {
        "min_bids": 20,
        "alpha": 1e-4,  # exact Poisson-binomial tail probability
        "cover_max_ratio": 0.25,  # 陪标专业户: wins at most this share of what chance gives
        "king_min_ratio": 2.5,  # 标王: wins at least this multiple of what chance gives
    },
    "price": {
        # With four bids or fewer the sample CV of honest bids falls under 2 % too often (about 3.5 % of
        # honest four-bid tenders in the synthetic market); five is the smallest size the screen trusts.
        "min_bids": 5,
        "cv_max": 0.02,  # coefficient of variation of all bids (required)
        "rd_min": 2.0,  # (2nd lowest - lowest) / std of the losing bids (required)
        "spread_max": 0.05,  # (max - min) / min
        "kurtosis_min": 0.0,  # excess kurtosis
        "skewness_max": -0.5,
        "min_triggers": 3,  # of the five above, CV and RD among them
    },
    "fixed_ratio": {
        "step": 0.001,  # ratios to the estimate on a grid of this step (per mille)
        "tolerance_yuan": 0.01,
        "min_bids": 3,
    },
}


def merged(overrides: dict | None) -> dict[str, dict]:
    """DEFAULTS with a profile's overrides laid over them, screen by screen."""
    out = copy.deepcopy(DEFAULTS)
    for screen, values in (overrides or {}).items():
        if screen in out and isinstance(values, dict):
            out[screen].update(values)
    return out


def problems(overrides: dict) -> list[str]:
    """What is wrong with a profile's overrides (unknown screens or keys, wrong types)."""
    errors = []
    if not isinstance(overrides, dict):
        return ["阈值须为对象（JSON）"]
    for screen, values in overrides.items():
        if screen not in DEFAULTS:
            errors.append(f"未知的筛查：{screen}")
            continue
        if not isinstance(values, dict):
            errors.append(f"{screen}：须为对象")
            continue
        for key, value in values.items():
            if key not in DEFAULTS[screen]:
                errors.append(f"{screen}.{key}：未知的阈值")
            elif isinstance(DEFAULTS[screen][key], (int, float)) and (
                    isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0):
                errors.append(f"{screen}.{key}：须为非负数")
            elif isinstance(DEFAULTS[screen][key], list) and not isinstance(value, list):
                errors.append(f"{screen}.{key}：须为列表")
    return errors
