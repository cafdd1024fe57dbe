"""The Chinese edition: gettext catalogues in, Chinese notebooks out, never stale.

The English notebooks are the one source. Each has a catalogue, ``locale/zh/<path>.po``
(``notebooks/03_backprop_matrix_form.ipynb`` → ``locale/zh/notebooks/03_backprop_matrix_form.po``),
with one message per markdown cell: the cell's English text is the msgid, its Chinese the
msgstr, and ``#: notebooks/03_backprop_matrix_form.ipynb:<cell id>`` says where it is. Strings
that the notebook's code prints or draws (print arguments, figure titles, axis and legend
labels) are messages too, with the context ``code``: the generated code cell is the English
one with those string literals translated, and nothing else (tests compare the syntax trees).
The course's own modules have their catalogues in ``course/locale/zh/`` (strings marked with
``_()``, see course/i18n.py). Any PO editor (Poedit, Lokalize, Weblate) opens them.

The generated notebooks live in ``zh/``, mirroring the English tree: ``zh/notebooks/``,
``zh/solutions/``, ``zh/exercises/`` (made from ``zh/solutions/`` by tools/make_exercises.py)
and ``zh/START_HERE.ipynb``.

    python tools/translate.py update    # after changing English text: sync the catalogues
                                        # (the notebooks' and course/locale/zh/ for the code)
    python tools/translate.py build     # write zh/ from the English notebooks + catalogues
    python tools/translate.py check     # exit 1 naming every cell whose translation is
                                        # missing, stale or broken, or a zh/ notebook out of date
    python tools/translate.py status    # how much is translated, per catalogue

``update`` adds a message for every new or changed English cell or shown string. When a cell's English changed
after it was translated, the old Chinese is kept but marked fuzzy, with the old English beside
it (``#| msgid``), so the translator sees what changed; ``check`` fails until the fuzzy flag
is removed. ``build`` copies code cells from English, their shown strings translated, and
inserts one code cell, ``course.set_language("zh")``, before the first code cell, so that
checks, explorers and figures speak Chinese. Outputs are kept where a code cell did not
change and otherwise come from the English notebook until
``tools/execute_notebooks.py zh/notebooks zh/solutions`` runs them (``make refresh`` does all
of this in order).

A translation must keep the English cell's math (``$…$``), code spans, link targets and
solution markers exactly, and a code string's ``{fields}`` and quoting: ``check`` names the
cell when one went missing.
"""

from __future__ import annotations

import argparse
import copy
import difflib
import re
import sys
from pathlib import Path, PurePosixPath

import nbformat
import polib

ROOT = Path(__file__).resolve().parent.parent
LANGUAGE = "zh"
MIRRORED = ("notebooks/", "solutions/", "exercises/", "work/", "START_HERE.ipynb")
LANGUAGE_CELL_ID = "set-language-zh"
LANGUAGE_CELL = ('import course\n\ncourse.set_language("zh")  # 检查、交互图和图中文字都用中文显示')
HEADER = {
    "Project-Id-Version": "minibp course",
    "Language": LANGUAGE,
    "MIME-Version": "1.0",
    "Content-Type": "text/plain; charset=UTF-8",
    "Content-Transfer-Encoding": "8bit",
}


def sources(root=ROOT):
    """Every English notebook the Chinese edition translates (paths relative to ``root``)."""
    root = Path(root)
    found = [Path("START_HERE.ipynb")]
    for folder in ("notebooks", "solutions"):
        found += sorted(p.relative_to(root) for p in (root / folder).glob("*.ipynb"))
    return found


def catalogue_path(source: Path, root=ROOT) -> Path:
    return Path(root) / "locale" / LANGUAGE / source.with_suffix(".po")


def edition_path(source: Path, root=ROOT) -> Path:
    return Path(root) / LANGUAGE / source


def where(source, index, cell):
    first = cell.source.strip().splitlines()[0] if cell.source.strip() else ""
    if len(first) > 60:
        first = first[:57] + "…"
    return f"{source}, cell {index} (id {cell.get('id', '?')}, “{first}”)"


def _occurrence(source, cell):
    """``#: notebooks/01_worked_example.ipynb:<cell id>``, as polib reads it back."""
    return (f"{PurePosixPath(source)}:{cell['id']}", "")


def load_catalogue(path: Path) -> polib.POFile:
    if path.exists():
        return polib.pofile(str(path), wrapwidth=0)
    po = polib.POFile(wrapwidth=0)
    po.metadata = dict(HEADER)
    return po


# ---------------------------------------------------------------------------------- update

def messages(nb, source):
    """(msgctxt, msgid, occurrence, index, cell) for every translatable text of a notebook:
    each markdown cell (no context), and each learner-visible string literal of its code
    (context "code": what it prints, and its figures' titles, labels and legends)."""
    found = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown" and cell.source.strip():
            found.append((None, cell.source, _occurrence(source, cell), index, cell))
        elif cell.cell_type == "code":
            for literal in code_literals(cell.source):
                found.append((CODE_CONTEXT, literal.body, _occurrence(source, cell), index, cell))
    return found


def update(source: Path, root=ROOT) -> tuple[int, int, int]:
    """Sync one notebook's catalogue with the notebook: (new, fuzzy, obsolete) message counts.
    A markdown cell whose English changed takes the old translation of the same cell id."""
    root = Path(root)
    nb = nbformat.read(root / source, as_version=4)
    path = catalogue_path(source, root)
    by_cell = {occurrence: entry for entry in load_catalogue(path)
               if not entry.obsolete and entry.msgctxt is None
               for occurrence in entry.occurrences}
    wanted = [(context, text, occurrence) for context, text, occurrence, _, _ in messages(nb, source)]
    # a code cell holds many strings: those are matched by likeness alone
    return _sync(path, wanted, lambda context, occurrence:
                 by_cell.get(occurrence) if context is None else None)


def _sync(path: Path, wanted, previous_for=lambda context, occurrence: None):
    """Rewrite the catalogue at ``path`` to hold the messages ``wanted``, a list of (msgctxt,
    msgid, occurrence), in that order: (new, fuzzy, obsolete) counts.

    A message already there keeps its translation. A new one takes, marked fuzzy with the old
    English beside it, the translation of ``previous_for(msgctxt, occurrence)`` or else of
    the most similar old message of its context. Old translated messages that are no longer
    wanted stay at the end as obsolete ones, for a translator to reuse."""
    po = load_catalogue(path)
    old = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    fresh = polib.POFile(wrapwidth=0)
    fresh.metadata = dict(po.metadata or HEADER)
    new = fuzzy = 0
    kept = {}
    for context, text, occurrence in wanted:
        key = (context, text)
        if key in kept:
            if occurrence not in kept[key].occurrences:
                kept[key].occurrences.append(occurrence)
            continue
        entry = old.get(key)
        if entry is not None:
            entry = copy.copy(entry)
            entry.occurrences = [occurrence]
        else:
            entry = polib.POEntry(msgid=text, msgstr="", occurrences=[occurrence], msgctxt=context)
            if context == CODE_CONTEXT:
                entry.comment = CODE_COMMENT
            previous = previous_for(context, occurrence) or _most_similar(
                text, [e for e in old.values() if e.msgctxt == context])
            if previous is not None and previous.msgstr:
                entry.msgstr = previous.msgstr
                entry.flags = ["fuzzy"]
                entry.previous_msgid = previous.msgid
                fuzzy += 1
            else:
                new += 1
        kept[key] = entry
        fresh.append(entry)
    obsolete = 0
    for key, entry in old.items():
        if key not in kept and entry.msgstr:
            entry.obsolete = True
            entry.occurrences = []
            fresh.append(entry)
            obsolete += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh.save(str(path))
    return new, fuzzy, obsolete


def _most_similar(text, entries, cutoff=0.8):
    best, score = None, cutoff
    for entry in entries:
        ratio = difflib.SequenceMatcher(None, text, entry.msgid, autojunk=False).quick_ratio()
        if ratio > score:
            ratio = difflib.SequenceMatcher(None, text, entry.msgid, autojunk=False).ratio()
            if ratio > score:
                best, score = entry, ratio
    return best


# ---------------------------------------------------------------------------------- check

MATH = re.compile(r"\$\$.+?\$\$|\$[^$]+?\$", re.S)  # inline math may span lines
CODE = re.compile(r"`[^`]+`")  # a code span may span lines too
PROSE = re.compile(r"^`(?=[^`]*(?:\s|[\u3000-\u9fff\uff00-\uffef]))[A-Za-z\u4e00-\u9fff][^`()\[\]=_/]*`$")
LINK = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=\"([^\"]+)\"")
MARKER = re.compile(r"^[ \t]*### (?:BEGIN|END) SOLUTION[ \t]*$", re.M)


def markup(text):
    """What a translation must keep: math, code spans, link targets and solution markers."""
    math = sorted(" ".join(m.split()) for m in MATH.findall(text))
    without_math = MATH.sub("", text)
    # A code span that quotes prose the course prints (`Correct: …`) is translated with it.
    code = sorted(" ".join(c.split()) for c in CODE.findall(without_math) if not PROSE.match(c))
    links = sorted(a or b for a, b in LINK.findall(without_math))
    markers = [m.strip() for m in MARKER.findall(text)]
    return {"math": math, "code spans": code, "link targets": links, "solution markers": markers}


def _literal_asterisks(text):
    """Asterisks that markdown leaves as text: emphasis it could not parse. CommonMark's
    flanking rules do not bold "**提示：**文字" (punctuation before the closing ** and a letter
    after it), a trap English never sets. Math and code spans are left out."""
    import html

    import mistune

    plain = CODE.sub("x", MATH.sub("x", text))
    rendered = re.sub(r"<[^>]+>", "", mistune.html(plain))
    return html.unescape(rendered).count("*")


def emphasis_problems(msgid, msgstr):
    if _literal_asterisks(msgstr) > _literal_asterisks(msgid):
        return ["bold or italic that markdown will show as asterisks (in Chinese, put full-width "
                "punctuation outside the ** … **, or a space after the closing **)"]
    return []


def markup_problems(msgid, msgstr):
    """How ``msgstr`` lost or changed the markup of ``msgid`` (an empty list when it did not)."""
    problems = emphasis_problems(msgid, msgstr)
    english, chinese = markup(msgid), markup(msgstr)
    for kind in english:
        if english[kind] != chinese[kind]:
            lost = [x for x in english[kind] if x not in chinese[kind]]
            added = [x for x in chinese[kind] if x not in english[kind]]
            detail = "; ".join(filter(None, [
                f"missing {', '.join(lost[:3])}" if lost else "",
                f"not in the English {', '.join(added[:3])}" if added else "",
                "" if lost or added else "a different count"]))
            problems.append(f"{kind} differ from the English ({detail})")
    return problems


def translation_problems(source: Path, root=ROOT) -> list[str]:
    """One line per text of ``source`` (a markdown cell, a string its code shows) without a
    usable, current translation."""
    root = Path(root)
    nb = nbformat.read(root / source, as_version=4)
    path = catalogue_path(source, root)
    if not path.exists():
        return [f"{source}: no catalogue {path.relative_to(root)} (run tools/translate.py update)"]
    po = load_catalogue(path)
    entries = {(e.msgctxt, e.msgid): e for e in po if not e.obsolete}
    by_cell = {occ: e for e in entries.values() if e.msgctxt is None for occ in e.occurrences}
    literals = {}
    problems = []
    for context, text, occurrence, index, cell in messages(nb, source):
        here = where(source, index, cell)
        if context == CODE_CONTEXT:
            short = text if len(text) <= 40 else text[:37] + "…"
            here += f", the string “{short}”"
        entry = entries.get((context, text))
        if entry is None:
            if context is None and occurrence in by_cell:
                problems.append(f"{here}: the English changed after it was translated — run "
                                f"tools/translate.py update, then revise the fuzzy message")
            else:
                problems.append(f"{here}: no message in {path.relative_to(root)} — run "
                                f"tools/translate.py update, then translate it")
        elif not entry.msgstr.strip():
            problems.append(f"{here}: not translated yet ({path.relative_to(root)})")
        elif entry.fuzzy:
            problems.append(f"{here}: the translation is fuzzy (the English changed; the old "
                            f"English is beside it as #| msgid) — revise it, then drop the flag")
        elif context is None:
            problems += [f"{here}: {p}" for p in markup_problems(entry.msgid, entry.msgstr)]
        else:
            if cell.source not in literals:
                literals[cell.source] = {lit.body: lit for lit in code_literals(cell.source)}
            literal = literals[cell.source][text]
            problems += [f"{here}: {p}" for p in literal_problems(literal, entry.msgstr)]
    return problems


# ------------------------------------------------------------------ strings in code cells

CODE_CONTEXT = "code"
CODE_COMMENT = ("A string the lesson's code prints or draws (a title, a label, a legend). Keep "
                "every {field} and escape such as \\n exactly; never the string's own quote.")
# Calls whose string arguments a learner reads, and keywords that name a label or title.
VISIBLE_CALLS = {"print", "set_title", "set_xlabel", "set_ylabel", "suptitle", "text",
                 "annotate", "set_label", "title", "xlabel", "ylabel", "figtext", "set_text",
                 "supxlabel", "supylabel"}
VISIBLE_KEYWORDS = {"label", "title", "xlabel", "ylabel"}
LITERAL = re.compile(r"^(?P<prefix>[rRuUfF]{0,2})(?P<quote>\'\'\'|\"\"\"|\'|\")(?P<body>.*)(?P=quote)$",
                     re.S)
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")
FIELD = re.compile(r"(?<!\{)\{(?!\{)[^{}]*\}")
WORDS = re.compile(r"[A-Za-z]{2,}")


class Literal:
    """One string literal of a code cell: where its body is, its prefix and quote, its body."""

    def __init__(self, start, end, prefix, quote, body, drawn):
        self.start, self.end, self.prefix, self.quote, self.body = start, end, prefix, quote, body
        self.drawn = drawn  # matplotlib draws it (a title, a label): not print's


def _parseable(code):
    """The cell with IPython's %magic and !shell lines commented out, at the same offsets."""
    lines = code.split("\n")
    for i, line in enumerate(lines):
        stripped = line.lstrip()
        if stripped.startswith(("%", "!")):
            cut = len(line) - len(stripped)
            lines[i] = line[:cut] + "#" + stripped[1:]
    return "\n".join(lines)


def code_literals(code: str) -> list[Literal]:
    """Every string literal in ``code`` that a learner reads: the arguments of print, of
    matplotlib's title/label/text calls, and label=/title= keywords (see ``_strings``).
    Strings with no word in them (fields, math, numbers) are left out; the parts of an
    implicit concatenation ("a " "b") are messages of their own."""
    import ast

    try:
        tree = ast.parse(_parseable(code))
    except SyntaxError:
        return []
    lines = code.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)

    def offset(lineno, col):  # ast columns count UTF-8 bytes
        return starts[lineno - 1] + len(lines[lineno - 1].encode()[:col].decode(errors="ignore"))

    found = {}
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
        candidates = [(a, name != "print") for a in node.args] if name in VISIBLE_CALLS else []
        candidates += [(k.value, name != "print") for k in node.keywords
                       if k.arg in VISIBLE_KEYWORDS]
        for value, drawn in [(v, d) for candidate, d in candidates for v in _strings(candidate)]:
            start = offset(value.lineno, value.col_offset)
            end = offset(value.end_lineno, value.end_col_offset)
            # "a" "b" (implicit concatenation, often a long print over two lines): each part
            # is a message of its own, in order
            for part_start, part_end in _string_tokens(code[start:end]):
                match = LITERAL.match(code[start + part_start: start + part_end])
                if not match or "b" in match.group("prefix").lower():
                    continue
                body = match.group("body")
                if not WORDS.search(MATH.sub("", FIELD.sub("", re.sub(r"\\[ntr]", " ", body)))):
                    continue
                begin = start + part_start
                found[begin] = Literal(begin + match.start("body"), begin + match.end("body"),
                                       match.group("prefix"), match.group("quote"), body, drawn)
    return [found[k] for k in sorted(found)]


def _strings(node):
    """The string literals an expression shows: itself, the template of "…".format(…) or
    "…" % …, both sides of a + and both branches of "…" if … else "…"."""
    import ast

    if isinstance(node, ast.JoinedStr) or (isinstance(node, ast.Constant)
                                           and isinstance(node.value, str)):
        return [node]
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and node.func.attr == "format"):
        return _strings(node.func.value)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mod):
        return _strings(node.left)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _strings(node.left) + _strings(node.right)
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return []


def _string_tokens(segment):
    """(start, end) offsets of each string token in ``segment`` (an f-string is one token)."""
    import io
    import tokenize

    lines = segment.split("\n")
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line) + 1)
    spans, opened = [], None
    try:
        for token in tokenize.generate_tokens(io.StringIO(segment).readline):
            kind = tokenize.tok_name[token.type]
            if token.end[0] > len(lines):  # NEWLINE, ENDMARKER past the segment
                continue
            begin = starts[token.start[0] - 1] + token.start[1]
            end = starts[token.end[0] - 1] + token.end[1]
            if kind == "STRING":
                spans.append((begin, end))
            elif kind == "FSTRING_START":  # Python >= 3.12 splits an f-string into tokens
                opened = opened if opened is not None else begin
            elif kind == "FSTRING_END" and opened is not None:
                spans.append((opened, end))
                opened = None
    except (tokenize.TokenError, IndentationError):
        return []
    return spans


def literal_problems(literal: Literal, translation: str) -> list[str]:
    """Why ``translation`` cannot replace the literal's body (an empty list when it can)."""
    import ast

    problems = []
    if sorted(FIELD.findall(literal.body)) != sorted(FIELD.findall(translation)):
        problems.append(f"its {{fields}} {sorted(FIELD.findall(translation))} differ from the "
                        f"English {sorted(FIELD.findall(literal.body))}")
    if literal.drawn and CJK.search(translation):
        # matplotlib draws a text with $…$ entirely with its math fonts, which have no CJK
        # glyphs (empty boxes): the math goes into Unicode (δₗ, ∂L/∂z, ‖W‖) instead.
        if MATH.search(translation):
            problems.append("matplotlib cannot draw Chinese and $…$ math in one text: write the "
                            "math in Unicode (δₗ, ∂L/∂z, ‖W‖) or leave the label in English")
    elif sorted(MATH.findall(literal.body)) != sorted(MATH.findall(translation)):
        problems.append("its math differs from the English")
    try:
        tree = ast.parse(literal.prefix + literal.quote + translation + literal.quote, mode="eval")
        if not isinstance(tree.body, (ast.Constant, ast.JoinedStr)):
            raise SyntaxError("not one string")
    except SyntaxError:
        problems.append(f"the translation does not make one Python string (a {literal.quote} "
                        f"inside it, or a broken escape?)")
    return problems


def translate_code(code: str, translations: dict) -> str:
    """``code`` with every visible string literal's body replaced by its translation."""
    for literal in reversed(code_literals(code)):
        translated = translations.get(literal.body)
        if translated and not literal_problems(literal, translated):
            code = code[:literal.start] + translated + code[literal.end:]
    return code


def code_skeleton(code: str) -> str:
    """The cell's syntax tree with every string emptied: equal for a cell and its translation."""
    import ast

    tree = ast.parse(_parseable(code))
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and isinstance(node.value, str):
            node.value = ""
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):  # a translation may put the fields in another order
            node.values = sorted((v for v in node.values if isinstance(v, ast.FormattedValue)),
                                 key=ast.dump)
    return ast.dump(tree)


# ---------------------------------------------------------------------------------- build

def _relink(text, source: Path):
    """Link targets as seen from the Chinese copy of ``source`` (one folder deeper)."""
    folder = PurePosixPath(source).parent

    def target(link):
        if re.match(r"^[a-z][a-z0-9+.-]*:|^#|^/", link):
            return link
        path, _, anchor = link.partition("#")
        resolved = PurePosixPath(*_normalize((folder / path).parts))
        if str(resolved) == "README.md":
            new = _relative(PurePosixPath("README.zh.md"), folder, extra=1)
        elif resolved.parts[0] == LANGUAGE:  # "the other edition" links lead back to English
            new = _relative(PurePosixPath(*resolved.parts[1:]), folder, extra=1)
        elif any(str(resolved).startswith(m) for m in MIRRORED):
            return link
        else:
            new = _relative(resolved, folder, extra=1)
        return new + (f"#{anchor}" if anchor else "")

    text = re.sub(r"\]\(([^)\s]+)\)", lambda m: f"]({target(m.group(1))})", text)
    return re.sub(r"((?:href|src)=\")([^\"]+)\"", lambda m: f"{m.group(1)}{target(m.group(2))}\"",
                  text)


def _normalize(parts):
    out = []
    for part in parts:
        if part == "..":
            if out and out[-1] != "..":
                out.pop()
            else:
                out.append(part)
        elif part not in (".", ""):
            out.append(part)
    return out or ["."]


def _relative(path: PurePosixPath, folder: PurePosixPath, extra: int):
    depth = len([p for p in folder.parts if p not in (".", "")]) + extra
    return "/".join([".."] * depth + [str(path)])


def build_notebook(source: Path, root=ROOT):
    """The Chinese notebook for ``source``: translated markdown, the English code with its
    visible strings translated, one cell that sets the language; outputs of unchanged code
    cells kept from the current copy."""
    root = Path(root)
    nb = nbformat.read(root / source, as_version=4)
    po = load_catalogue(catalogue_path(source, root))
    usable = [e for e in po if e.msgstr and not e.obsolete and not e.fuzzy]
    translations = {e.msgid: e.msgstr for e in usable if e.msgctxt is None}
    strings = {e.msgid: e.msgstr for e in usable if e.msgctxt == CODE_CONTEXT}
    target = edition_path(source, root)
    previous, widgets = {}, None
    if target.exists():
        try:
            current = nbformat.read(target, as_version=4)
            previous = {c.get("id"): c for c in current.cells if c.cell_type == "code"}
            widgets = current.metadata.get("widgets")  # the state its kept outputs refer to
        except Exception:  # a broken copy is regenerated from scratch
            previous = {}
    out = copy.deepcopy(nb)
    cells = []
    for cell in out.cells:
        if cell.cell_type == "markdown":
            text = translations.get(cell.source, cell.source)
            cell.source = _relink(text, source)
        elif cell.cell_type == "code":
            if not any(c.cell_type == "code" for c in cells):
                cells.append(_language_cell(previous.get(LANGUAGE_CELL_ID)))
            cell.source = translate_code(cell.source, strings)
            kept = previous.get(cell.get("id"))
            if kept is not None and kept.source == cell.source:
                cell.outputs = kept.outputs
                cell.execution_count = kept.execution_count
        cells.append(cell)
    if PurePosixPath(source) == PurePosixPath("notebooks/notation.ipynb"):
        cells.append(_glossary_cell(root))
    out.cells = cells
    out.metadata.pop("widgets", None)  # the English run's widget models: not this notebook's
    if widgets is not None:
        out.metadata["widgets"] = widgets
    out.metadata["minibp"] = {"generated_from": str(PurePosixPath(source)),
                              "language": LANGUAGE,
                              "catalogue": str(PurePosixPath(catalogue_path(source, root)
                                                             .relative_to(root)))}
    return out


def _glossary_cell(root):
    """The glossary's table (locale/zh/glossary.md) as the last cell of the notation page."""
    text = (Path(root) / "locale" / LANGUAGE / "glossary.md").read_text(encoding="utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("|"))
    cell = nbformat.v4.new_markdown_cell(
        "**术语表（中英对照）**：中文版各课统一使用下列译名；术语第一次出现时在括号里附英文。"
        "符号与上表相同，翻译时从不改动。\n\n" + table)
    cell["id"] = "glossary-zh"
    return cell


def _language_cell(previous):
    cell = nbformat.v4.new_code_cell(LANGUAGE_CELL)
    cell["id"] = LANGUAGE_CELL_ID
    cell.metadata["tags"] = ["set-language"]
    cell.metadata["slideshow"] = {"slide_type": "skip"}  # runs, but not on the projector
    if previous is not None and previous.source == LANGUAGE_CELL:
        cell.outputs, cell.execution_count = previous.outputs, previous.execution_count
    return cell


def _cells_signature(nb):
    return [(c.cell_type, c.get("id"), c.source) for c in nb.cells]


def edition_problems(source: Path, root=ROOT):
    """A zh/ notebook that is missing or whose cells differ from what ``build`` would write."""
    root = Path(root)
    target = edition_path(source, root)
    if not target.exists():
        return [f"{target.relative_to(root)}: missing — run tools/translate.py build"]
    current = nbformat.read(target, as_version=4)
    wanted = build_notebook(source, root)
    if _cells_signature(current) != _cells_signature(wanted):
        for index, (a, b) in enumerate(zip(current.cells, wanted.cells)):
            if (a.cell_type, a.get("id"), a.source) != (b.cell_type, b.get("id"), b.source):
                return [f"{target.relative_to(root)}, cell {index} (id {b.get('id')}): differs "
                        f"from its English source and catalogue — run tools/translate.py build "
                        f"(never edit zh/ by hand)"]
        return [f"{target.relative_to(root)}: has {len(current.cells)} cells, the English source "
                f"and catalogue make {len(wanted.cells)} — run tools/translate.py build"]
    return []


# ------------------------------------------------------------------- strings in the code

CODE_ROOT = ROOT / "course"


def code_modules(root=ROOT):
    """Every module of course/ whose strings a learner can see (all but i18n itself)."""
    folder = Path(root) / "course"
    return sorted(p for p in folder.rglob("*.py") if p.name != "i18n.py")


def code_catalogue_path(module: Path, root=ROOT) -> Path:
    parts = list(module.relative_to(Path(root) / "course").with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return Path(root) / "course" / "locale" / LANGUAGE / (".".join(parts) + ".po")


def extract(module: Path, root=ROOT):
    """{English: [line numbers]} of every ``_("…")`` and ``N_("…")`` in ``module``."""
    import ast

    found = {}
    tree = ast.parse(module.read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                and node.func.id in ("_", "N_") and node.args
                and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.setdefault(node.args[0].value, []).append(node.lineno)
    return found


def update_code(module: Path, root=ROOT):
    """Sync one module's catalogue with its marked strings: (new, fuzzy, obsolete)."""
    root = Path(root)
    found = extract(module, root)
    path = code_catalogue_path(module, root)
    if not found and not path.exists():
        return 0, 0, 0
    where_ = str(PurePosixPath(module.relative_to(root)))
    return _sync(path, [(None, msgid, (where_, str(line)))
                        for msgid, lines in found.items() for line in lines])


def _fields(text):
    import string

    try:
        return sorted(name for _, name, _, _ in string.Formatter().parse(text) if name is not None)
    except ValueError as error:
        return [f"<unparsable: {error}>"]


def code_problems(module: Path, root=ROOT):
    """One line per marked string of ``module`` without a current, well-formed translation."""
    root = Path(root)
    messages = extract(module, root)
    if not messages:
        return []
    path = code_catalogue_path(module, root)
    rel = module.relative_to(root)
    entries = {e.msgid: e for e in load_catalogue(path) if not e.obsolete} if path.exists() else {}
    problems = []
    for msgid, lines in messages.items():
        short = msgid if len(msgid) <= 50 else msgid[:47] + "…"
        here = f"{rel}:{lines[0]} “{short}”"
        entry = entries.get(msgid)
        if entry is None:
            problems.append(f"{here}: no message in {path.relative_to(root)} — run "
                            f"tools/translate.py update")
        elif not entry.msgstr.strip():
            problems.append(f"{here}: not translated yet ({path.relative_to(root)})")
        elif entry.fuzzy:
            problems.append(f"{here}: the translation is fuzzy (the English changed) — revise it")
        elif _fields(msgid) != _fields(entry.msgstr):
            problems.append(f"{here}: the translation's {{fields}} {_fields(entry.msgstr)} differ "
                            f"from the English {_fields(msgid)}")
    return problems


# ---------------------------------------------------------------------------------- CLI

def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["update", "build", "check", "status"])
    parser.add_argument("notebooks", nargs="*",
                        help="English notebooks and course/ modules (default: all of them)")
    args = parser.parse_args(argv)
    given = [Path(n) for n in args.notebooks]
    given = [p.resolve().relative_to(ROOT) if p.is_absolute() or p.exists() else p for p in given]
    modules = [ROOT / p for p in given if p.suffix == ".py"]
    chosen = [p for p in given if p.suffix != ".py"]
    if not given:
        chosen, modules = sources(), code_modules()
    if args.command == "update":
        for module in modules:
            new, fuzzy, obsolete = update_code(module)
            if new or fuzzy or obsolete:
                print(f"{code_catalogue_path(module).relative_to(ROOT)}: {new} new, "
                      f"{fuzzy} fuzzy, {obsolete} obsolete")
        for source in chosen:
            new, fuzzy, obsolete = update(source)
            if new or fuzzy or obsolete:
                print(f"{catalogue_path(source).relative_to(ROOT)}: {new} new, {fuzzy} fuzzy, "
                      f"{obsolete} obsolete")
        return 0
    if args.command == "build":
        for source in chosen:
            target = edition_path(source)
            target.parent.mkdir(parents=True, exist_ok=True)
            nb = build_notebook(source)
            if target.exists() and _cells_signature(nbformat.read(target, as_version=4)) \
                    == _cells_signature(nb):
                continue
            nbformat.write(nb, target)
            print(f"wrote {target.relative_to(ROOT)}")
        return 0
    if args.command == "status":
        for source in chosen:
            po = load_catalogue(catalogue_path(source))
            live = [e for e in po if not e.obsolete]
            done = [e for e in live if e.msgstr and not e.fuzzy]
            print(f"{catalogue_path(source).relative_to(ROOT)}: {len(done)}/{len(live)} translated")
        return 0
    problems = []
    for source in chosen:
        problems += translation_problems(source) + edition_problems(source)
    for module in modules:
        problems += code_problems(module)
    for line in problems:
        print(line)
    if problems:
        print(f"\n{len(problems)} problem(s) in the Chinese edition", file=sys.stderr)
        return 1
    print(f"the Chinese edition is up to date ({len(chosen)} notebooks)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
