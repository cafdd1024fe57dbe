"""Cut the course's CJK font: Noto Sans CJK SC, subset to the characters the course uses.

    python tools/subset_font.py            # rewrite course/fonts/NotoSansSC-course-subset.otf
    python tools/subset_font.py --check    # exit 1 naming characters the shipped font lacks

Figures in the Chinese edition draw their Chinese text with this font (course/i18n.py adds it
to matplotlib as a fallback after the Latin fonts), so they look the same on every machine.
It holds exactly the CJK characters and full-width punctuation of the code's catalogues
(course/locale/zh/*.po: figure titles, axis labels, explorer controls, table headers) and of
the strings the lessons' code cells print or draw (the "code" messages of locale/zh/). The
notebooks' markdown is text the browser renders with the reader's own fonts; the figures are
pictures, so they carry their font.
After translating new strings, run this again (tests/test_translations.py says when).

The source font is Debian's ``fonts-noto-cjk`` (``apt-get install fonts-noto-cjk``; the SC face
of NotoSansCJK-Regular.ttc and NotoSansCJK-Bold.ttc, for bold titles). Noto CJK is licensed
under the SIL Open Font License 1.1 (course/fonts/OFL.txt); the subsets are renamed
"minibp Sans SC", as the OFL asks of a modified font, so they never shadow an installed Noto.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE_DIR = Path("/usr/share/fonts/opentype/noto")
SOURCE_FACE = "Noto Sans CJK SC"
FAMILY = "minibp Sans SC"
# Regular and Bold (bold titles): the same family, so matplotlib picks by weight.
FONTS = ROOT / "course" / "fonts"
STYLES = {"Regular": ("NotoSansCJK-Regular.ttc", FONTS / "NotoSansSC-course-subset.otf"),
          "Bold": ("NotoSansCJK-Bold.ttc", FONTS / "NotoSansSC-course-subset-Bold.otf")}
TARGET = STYLES["Regular"][1]


def needs_cjk_font(character: str) -> bool:
    """Characters DejaVu Sans lacks and the Chinese text uses: CJK ideographs and symbols,
    full-width punctuation and forms."""
    code = ord(character)
    return (0x3000 <= code <= 0x303F or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF
            or 0xFF00 <= code <= 0xFFEF or 0x2E80 <= code <= 0x2FDF
            or (unicodedata.east_asian_width(character) in "WF" and code >= 0x2E80))


def characters(root=ROOT) -> set[str]:
    """Every character that needs the CJK font in a string the course draws: the code's
    catalogues (course/locale/zh/) and the strings of the lessons' code cells (the messages
    with context "code" in locale/zh/), whose figure titles and labels matplotlib draws."""
    found = set()
    for path in (Path(root) / "course" / "locale").rglob("*.po"):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete:
                found.update(c for c in entry.msgstr if needs_cjk_font(c))
    for path in (Path(root) / "locale").rglob("*.po"):
        for entry in polib.pofile(str(path)):
            if not entry.obsolete and entry.msgctxt == "code":
                found.update(c for c in entry.msgstr if needs_cjk_font(c))
    return found


def shipped_characters(path=None) -> set[str]:
    """The characters every shipped style holds (those of ``path`` alone, if given)."""
    from fontTools.ttLib import TTFont

    paths = [path] if path else [target for _, target in STYLES.values()]
    if not all(p.exists() for p in paths):
        return set()
    return set.intersection(*({chr(code) for code in TTFont(str(p)).getBestCmap()} for p in paths))


def subset(chars: set[str], source, target, style="Regular"):
    from fontTools import subset as fsubset
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(source))
    font = next(f for f in collection.fonts if f["name"].getDebugName(1) == SOURCE_FACE)
    options = fsubset.Options()
    options.layout_features = []  # matplotlib draws glyph by glyph: no shaping tables needed
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 13, 14]  # copyright, names, version, licence
    options.notdef_outline = True
    options.hinting = False
    subsetter = fsubset.Subsetter(options)
    subsetter.populate(unicodes=sorted(ord(c) for c in chars))
    subsetter.subset(font)
    names = font["name"]
    postscript = f"minibpSansSC-{style}"
    for record in list(names.names):
        new = {1: FAMILY, 16: FAMILY, 2: style, 17: style, 3: f"{postscript};subset",
               4: f"{FAMILY} {style}", 6: postscript}.get(record.nameID)
        if new:
            names.setName(new, record.nameID, record.platformID, record.platEncID, record.langID)
    if "CFF " in font:  # the PostScript names inside the CFF table follow the name table
        cff = font["CFF "].cff
        cff.fontNames = [postscript]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} {style}", FAMILY
    target.parent.mkdir(parents=True, exist_ok=True)
    font.save(str(target))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    wanted = characters()
    if args.check:
        missing = sorted(wanted - shipped_characters())
        if missing:
            print(f"course/fonts/ lacks {len(missing)} character(s) the catalogues "
                  f"use: {''.join(missing[:40])} — run tools/subset_font.py")
            return 1
        print(f"the CJK font holds all {len(wanted)} characters the catalogues use")
        return 0
    for style, (name, target) in STYLES.items():
        source = SOURCE_DIR / name
        if not source.exists():
            print(f"{source} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
            return 2
        subset(wanted | set("中文，。：；（）、？！“”‘’《》【】—…"), source, target, style)
        size = target.stat().st_size
        print(f"wrote {target.relative_to(ROOT)}: {len(wanted)} characters, {size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
