"""Cut the course's CJK font: Noto Sans CJK SC, subset to the characters the course uses.

    python tools/subset_font.py            # rewrite course/fonts/NotoSansSC-course-subset.otf
    python tools/subset_font.py --check    # exit 1 naming characters the shipped font lacks

Figures in the Chinese edition draw their Chinese text with this font (course/i18n.py adds it
to matplotlib as a fallback after the Latin fonts), so they look the same on every machine.
It holds exactly the CJK characters and full-width punctuation of the code's catalogues
(course/locale/zh/*.po): figure titles, axis labels, explorer controls, table headers — all
that matplotlib draws. (The notebooks' markdown is text the browser renders with the
reader's own fonts; the figures are pictures, so they carry their font.)
After translating new strings, run this again (tests/test_translations.py says when).

The source font is Debian's ``fonts-noto-cjk`` (``apt-get install fonts-noto-cjk``; the SC face
of NotoSansCJK-Regular.ttc). Noto CJK is licensed under the SIL Open Font License 1.1
(course/fonts/OFL.txt); the subset is renamed "minibp Sans SC", as the OFL asks of a
modified font, so it never shadows an installed Noto.
"""

from __future__ import annotations

import argparse
import sys
import unicodedata
from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent
SOURCE = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
SOURCE_FACE = "Noto Sans CJK SC"
FAMILY = "minibp Sans SC"
TARGET = ROOT / "course" / "fonts" / "NotoSansSC-course-subset.otf"


def needs_cjk_font(character: str) -> bool:
    """Characters DejaVu Sans lacks and the Chinese text uses: CJK ideographs and symbols,
    full-width punctuation and forms."""
    code = ord(character)
    return (0x3000 <= code <= 0x303F or 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF
            or 0xFF00 <= code <= 0xFFEF or 0x2E80 <= code <= 0x2FDF
            or (unicodedata.east_asian_width(character) in "WF" and code >= 0x2E80))


def characters(root=ROOT) -> set[str]:
    """Every character of the code's Chinese catalogues that needs the CJK font."""
    found = set()
    for folder in (Path(root) / "course" / "locale",):
        for path in folder.rglob("*.po"):
            for entry in polib.pofile(str(path)):
                if not entry.obsolete:
                    found.update(c for c in entry.msgstr if needs_cjk_font(c))
    return found


def shipped_characters(path=TARGET) -> set[str]:
    from fontTools.ttLib import TTFont

    if not path.exists():
        return set()
    return {chr(code) for code in TTFont(str(path)).getBestCmap()}


def subset(chars: set[str], source=SOURCE, target=TARGET):
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
    for record in list(names.names):
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID in (3, 4):
            names.setName(f"{FAMILY} Regular" if record.nameID == 4 else f"{FAMILY};subset",
                          record.nameID, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 6:
            names.setName("minibpSansSC-Regular", record.nameID, record.platformID,
                          record.platEncID, record.langID)
    if "CFF " in font:  # the PostScript names inside the CFF table follow the name table
        cff = font["CFF "].cff
        cff.fontNames = ["minibpSansSC-Regular"]
        top = cff.topDictIndex[0]
        top.FullName, top.FamilyName = f"{FAMILY} Regular", FAMILY
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
            print(f"{TARGET.relative_to(ROOT)} lacks {len(missing)} character(s) the catalogues "
                  f"use: {''.join(missing[:40])} — run tools/subset_font.py")
            return 1
        print(f"the CJK font holds all {len(wanted)} characters the catalogues use")
        return 0
    if not SOURCE.exists():
        print(f"{SOURCE} is missing: apt-get install fonts-noto-cjk", file=sys.stderr)
        return 2
    subset(wanted | set("中文，。：；（）、？！“”‘’《》【】—…"))
    size = TARGET.stat().st_size
    print(f"wrote {TARGET.relative_to(ROOT)}: {len(wanted)} characters, {size / 1024:.0f} kB")
    return 0


if __name__ == "__main__":
    sys.exit(main())
