"""Preset data for the five seed jurisdictions: rule profiles and departments (TOML)."""

import tomllib
from pathlib import Path

PRESET_DIR = Path(__file__).resolve().parent
PRESETS = ("luoyang", "pingdingshan", "hegang", "weihai", "zengdu")


def read(kind: str, preset: str) -> dict:
    if preset not in PRESETS:
        raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}")
    with open(PRESET_DIR / kind / f"{preset}.toml", "rb") as fh:
        return tomllib.load(fh)
