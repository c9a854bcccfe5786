"""The letter fonts, cut down once per process so that each render embeds its subsets quickly and small.

Where the time went (bench/letters.py, WeasyPrint 70, profiled): of ~0.2 s a letter, about 90 ms per font face
went into HarfBuzz subsetting the full Noto CJK collections (65,535 glyphs, 20–27 MB each, read whole for every
render) and the subset kept every glyph id up to the highest one used (RETAIN_GIDS), so a CJK letter carried
~130 KB per face. Layout and drawing were the rest.

So the faces the letters use are first reduced to the characters an official letter is written in (GB 2312's
symbols and 6,763 hanzi, ASCII, CJK and full-width punctuation): ~7,500 glyphs in a standalone OpenType file a
tenth of the size, built with HarfBuzz on first use, kept in the var directory (rebuilt when the source font
changes) and declared with @font-face under a family name of our own. A character outside that set (a rare
character in a name) falls through to the full system font named next in the stack, so nothing prints as tofu;
that letter is only slower. Without HarfBuzz-subset or without the Noto fonts the stacks stay as they were.
"""

from __future__ import annotations

import hashlib
import logging
import os
import subprocess
import threading
from pathlib import Path

from django.conf import settings

log = logging.getLogger(__name__)

# family of our own -> (system family, weight): every face a letter uses. One family per weight.
FACES = {
    "Noto Serif CJK SC Letter": ("Noto Serif CJK SC", 400),
    "Noto Serif CJK SC Letter Bold": ("Noto Serif CJK SC", 700),
    "Noto Sans CJK SC Letter": ("Noto Sans CJK SC", 400),
}

_lock = threading.Lock()
_built: dict[str, Path] | None = None


def repertoire() -> list[tuple[int, int]]:
    """Code point ranges kept: ASCII, Latin-1 punctuation, general punctuation, CJK symbols, full-width forms,
    and every character of GB 2312 (rows 1–9 symbols, 16–87 hanzi)."""
    ranges = [(0x20, 0x7E), (0xA0, 0xFF), (0x2000, 0x206F), (0x2100, 0x218F), (0x2460, 0x24FF),
              (0x2500, 0x257F), (0x25A0, 0x25FF), (0x3000, 0x303F), (0xFE30, 0xFE4F), (0xFF00, 0xFFEF)]
    cps = set()
    for hi in list(range(0xA1, 0xAA)) + list(range(0xB0, 0xF8)):
        for lo in range(0xA1, 0xFF):
            try:
                cps.add(ord(bytes([hi, lo]).decode("gb2312")))
            except UnicodeDecodeError:
                continue
    ranges += [(c, c) for c in sorted(cps)]
    return ranges


def _cache_dir() -> Path:
    return Path(getattr(settings, "LETTER_FONT_CACHE", settings.VAR_DIR / "cache" / "letter-fonts"))


def _locate(family: str, weight: int) -> tuple[str, int] | None:
    style = "bold" if weight >= 600 else "regular"
    try:
        out = subprocess.run(["fc-match", "-f", "%{family}|%{file}|%{index}", f"{family}:{style}"],
                             capture_output=True, text=True, timeout=10, check=False).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    families, _, rest = out.partition("|")
    path, _, index = rest.partition("|")
    if family not in families.split(",") or not path:
        return None
    return path, int(index or 0)


def _harfbuzz():
    import cffi

    ffi = cffi.FFI()
    ffi.cdef("""
        typedef struct hb_blob_t hb_blob_t; typedef struct hb_face_t hb_face_t;
        typedef struct hb_subset_input_t hb_subset_input_t; typedef struct hb_set_t hb_set_t;
        hb_blob_t *hb_blob_create_from_file(const char *file_name);
        void hb_blob_destroy(hb_blob_t *blob);
        const char *hb_blob_get_data(hb_blob_t *blob, unsigned int *length);
        hb_face_t *hb_face_create(hb_blob_t *blob, unsigned int index);
        void hb_face_destroy(hb_face_t *face);
        hb_blob_t *hb_face_reference_blob(hb_face_t *face);
        void hb_set_add_range(hb_set_t *set, uint32_t first, uint32_t last);
        hb_subset_input_t *hb_subset_input_create_or_fail(void);
        void hb_subset_input_destroy(hb_subset_input_t *input);
        hb_set_t *hb_subset_input_unicode_set(hb_subset_input_t *input);
        hb_face_t *hb_subset_or_fail(hb_face_t *source, const hb_subset_input_t *input);
    """)
    return ffi, _open(ffi, "harfbuzz"), _open(ffi, "harfbuzz-subset")


def _open(ffi, lib: str):
    for name in (f"lib{lib}.so.0", f"lib{lib}.0.dylib", f"lib{lib}-0", lib):
        try:
            return ffi.dlopen(name)
        except OSError:
            continue
    raise OSError(f"lib{lib} not found")


def subset_font(path: str, index: int, ranges: list[tuple[int, int]]) -> bytes:
    """The face `index` of the font file at `path`, cut down to the code points in `ranges` (layout tables kept)."""
    ffi, hb, hbs = _harfbuzz()
    blob = hb.hb_blob_create_from_file(path.encode())
    face = hb.hb_face_create(blob, index)
    sub_input = hbs.hb_subset_input_create_or_fail()
    try:
        unicodes = hbs.hb_subset_input_unicode_set(sub_input)
        for first, last in ranges:
            hb.hb_set_add_range(unicodes, first, last)
        result = hbs.hb_subset_or_fail(face, sub_input)
        if result == ffi.NULL:
            raise RuntimeError(f"HarfBuzz could not subset {path}")
        out = hb.hb_face_reference_blob(result)
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(hb.hb_blob_get_data(out, length), length[0]))
        hb.hb_blob_destroy(out)
        hb.hb_face_destroy(result)
        return data
    finally:
        hbs.hb_subset_input_destroy(sub_input)
        hb.hb_face_destroy(face)
        hb.hb_blob_destroy(blob)


def _build() -> dict[str, Path]:
    built = {}
    ranges = repertoire()
    for name, (family, weight) in FACES.items():
        found = _locate(family, weight)
        if found is None:
            continue
        path, index = found
        stat = Path(path).stat()
        key = hashlib.sha256(f"{path}|{index}|{stat.st_size}|{stat.st_mtime_ns}|v1".encode()).hexdigest()[:16]
        target = _cache_dir() / f"{name.replace(' ', '')}-{key}.otf"
        if not target.exists():
            try:
                data = subset_font(path, index, ranges)
            except Exception:  # no HarfBuzz-subset, an unreadable font: letters use the system font as before
                log.warning("letter font %s: could not subset %s; using the full system font", name, path,
                            exc_info=True)
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(f".{os.getpid()}-{threading.get_ident()}.tmp")  # two workers may build at once
            tmp.write_bytes(data)
            tmp.replace(target)
        built[name] = target
    return built


def faces() -> dict[str, Path]:
    """Our family name -> the cut-down font file, for the faces that could be built (once per process)."""
    global _built
    if _built is None:
        with _lock:
            if _built is None:
                _built = _build() if getattr(settings, "LETTER_FONT_SUBSETS", True) else {}
    return _built


def font_face_css() -> str:
    """@font-face rules for the cut-down faces."""
    rules = []
    for name, path in faces().items():
        weight = FACES[name][1]
        rules.append(f'@font-face {{ font-family: "{name}"; font-weight: {weight}; '
                     f'src: url("{path.as_uri()}"); }}')
    return "\n".join(rules)


def with_subsets(stack: str, bold: bool = False) -> str:
    """A CSS font stack with our cut-down face put just before the system family it was cut from."""
    for name, (family, weight) in FACES.items():
        if name in faces() and (weight >= 600) == bold and f'"{family}"' in stack and f'"{name}"' not in stack:
            return stack.replace(f'"{family}"', f'"{name}", "{family}"', 1)
    return stack


def allowed_file(url: str) -> bool:
    """Whether a URL a letter may fetch: only our own cut-down font files."""
    return url in {p.as_uri() for p in faces().values()}
