"""The course's one language setting: English (the default) or Chinese.

    import course
    course.set_language("zh")   # checks, explorers and figure text in Chinese from now on

Every Chinese notebook (``zh/``) starts with that line; nothing else changes between the
editions' code. Strings a learner sees that come from the course's code — check messages and
hints, explorer titles and control labels, figure titles and axis labels, table headers — go
through :func:`_`::

    raise CheckFailure(_("returned {got} value(s), expected {expected}").format(got=2, expected=3))

``_`` returns the English text itself when the language is English or when a string has no
translation yet. Translations are gettext catalogues, ``course/locale/<language>/*.po`` (one
per module), read with polib; ``tools/translate.py`` keeps them and the notebooks' own
catalogues (``locale/``) in step with the English source.

Figures in Chinese need a font with CJK glyphs: the course ships a subset of Noto Sans SC
(SIL Open Font License) holding exactly the characters its catalogues use, so every machine
draws the same glyphs. ``set_language("zh")`` adds it to matplotlib as the fallback after the
usual Latin fonts, so numbers and Greek letters look as they do in the English figures.
"""

from __future__ import annotations

import os
import re
from functools import cache
from pathlib import Path

LANGUAGES = {"en": "English", "zh": "中文"}
LOCALE_DIR = Path(__file__).resolve().parent / "locale"
FONT_DIR = Path(__file__).resolve().parent / "fonts"
# MINIBP_CJK_FONT: another font file for CJK glyphs (a translator's preview before the
# shipped subset is cut again with tools/subset_font.py).
CJK_FONT_FILE = Path(os.environ.get("MINIBP_CJK_FONT", FONT_DIR / "NotoSansSC-course-subset.otf"))
CJK_BOLD_FONT_FILE = FONT_DIR / "NotoSansSC-course-subset-Bold.otf"  # same family, weight 700
CJK_FONT_NAME = "minibp Sans SC"  # the subset's family name (tools/subset_font.py)

_state = {"language": "en"}
_WORD = re.compile(r"[A-Za-z]{2,}")
_missing: set[str] = set()  # strings asked for in a language that lacks them (tests read it)


def set_language(language: str) -> None:
    """Use ``language`` ("en" or "zh") for everything the course's code shows from now on."""
    if language not in LANGUAGES:
        raise ValueError(f"language must be one of {sorted(LANGUAGES)}, got {language!r}")
    _state["language"] = language
    if language != "en":
        _use_cjk_font()


def get_language() -> str:
    """The language the course's code shows its text in: "en" or "zh"."""
    return _state["language"]


def _(text: str) -> str:
    """``text`` in the current language; the English itself when there is no translation."""
    language = _state["language"]
    if language == "en" or not text:
        return text
    translated = catalogue(language).get(text)
    if translated is None:
        if _WORD.search(text):  # "0.01", "x1", "δ_q" need no translation
            _missing.add(text)
        return text
    return translated


def display_width(text) -> int:
    """How many character cells ``str(text)`` takes on screen: a CJK character takes two."""
    return sum(2 if "\u2e80" <= c <= "\uffef" else 1 for c in str(text))


def N_(text: str) -> str:
    """Mark ``text`` for translation where it is defined; ``_`` translates it where it is shown."""
    return text


@cache
def catalogue(language: str) -> dict[str, str]:
    """English → ``language`` for every translated, reviewed (not fuzzy) message of the code."""
    import polib

    messages = {}
    for path in sorted((LOCALE_DIR / language).glob("*.po")):
        for entry in polib.pofile(str(path)):
            if entry.msgstr and not entry.fuzzy and not entry.obsolete:
                messages[entry.msgid] = entry.msgstr
    return messages


@cache
def _font_name(path: str) -> str:
    from matplotlib import font_manager

    font_manager.fontManager.addfont(path)
    return font_manager.FontProperties(fname=path).get_name()


def _use_cjk_font() -> None:
    """Let matplotlib fall back to the shipped Noto Sans SC subset for CJK glyphs."""
    import matplotlib

    if not CJK_FONT_FILE.exists():
        raise FileNotFoundError(f"{CJK_FONT_FILE} is missing: run tools/subset_font.py")
    name = _font_name(str(CJK_FONT_FILE))
    if "MINIBP_CJK_FONT" not in os.environ and CJK_BOLD_FONT_FILE.exists():
        _font_name(str(CJK_BOLD_FONT_FILE))  # bold titles find a bold face of the family
    # matplotlib (>= 3.6) falls back glyph by glyph along the *family list* of a text, taking
    # one font per entry (a generic name such as "sans-serif" gives one font): so the CJK
    # font follows the usual family as an entry of its own.
    families = list(matplotlib.rcParams["font.family"])
    if name not in families:
        matplotlib.rcParams["font.family"] = families + [name]


def family(generic: str):
    """A text's font family: ``generic`` ("monospace"), then the CJK font outside English."""
    if _state["language"] == "en":
        return generic
    return [generic, _font_name(str(CJK_FONT_FILE))]
