"""The Chinese edition: gettext catalogues in, Chinese notebooks out, never stale.

The English notebooks are the one source. Each has a catalogue, ``locale/zh/<path>.po``
(``notebooks/03_backprop_matrix_form.ipynb`` → ``locale/zh/notebooks/03_backprop_matrix_form.po``),
with one message per markdown cell: the cell's English text is the msgid, its Chinese the
msgstr, and ``#: notebooks/03_backprop_matrix_form.ipynb:<cell id>`` says where it is. Any
PO editor (Poedit, Lokalize, Weblate) opens them. The generated notebooks live in ``zh/``,
mirroring the English tree: ``zh/notebooks/``, ``zh/solutions/``, ``zh/exercises/`` (made from
``zh/solutions/`` by tools/make_exercises.py) and ``zh/START_HERE.ipynb``.

    python tools/translate.py update    # after changing English text: sync the catalogues
                                        # (the notebooks' and course/locale/zh/ for the code)
    python tools/translate.py build     # write zh/ from the English notebooks + catalogues
    python tools/translate.py check     # exit 1 naming every cell whose translation is
                                        # missing, stale or broken, or a zh/ notebook out of date
    python tools/translate.py status    # how much is translated, per catalogue

``update`` adds a message for every new or changed English cell. When a cell's English changed
after it was translated, the old Chinese is kept but marked fuzzy, with the old English beside
it (``#| msgid``), so the translator sees what changed; ``check`` fails until the fuzzy flag
is removed. ``build`` copies code cells unchanged from English and inserts one code cell,
``course.set_language("zh")``, before the first code cell, so that checks, explorers and
figures speak Chinese. Outputs are kept where a code cell did not change and otherwise come
from the English notebook until ``tools/execute_notebooks.py zh/notebooks zh/solutions``
runs them (``make refresh`` does all of this in order).

A translation must keep the English cell's math (``$…$``), code spans, link targets and
solution markers exactly: ``check`` names the cell when one went missing.
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
CATALOGUES = ROOT / "locale" / LANGUAGE
EDITION = ROOT / LANGUAGE
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

def update(source: Path, root=ROOT) -> tuple[int, int, int]:
    """Sync one catalogue with its English notebook: (new, fuzzy, obsolete) message counts."""
    root = Path(root)
    nb = nbformat.read(root / source, as_version=4)
    po = load_catalogue(catalogue_path(source, root))
    old = {e.msgid: e for e in po if not e.obsolete}
    by_cell = {}
    for entry in old.values():
        for occurrence in entry.occurrences:
            by_cell[occurrence] = entry
    fresh = polib.POFile(wrapwidth=0)
    fresh.metadata = dict(po.metadata or HEADER)
    new = fuzzy = 0
    kept = {}
    for cell in nb.cells:
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        occurrence = _occurrence(source, cell)
        if cell.source in kept:
            kept[cell.source].occurrences.append(occurrence)
            continue
        entry = old.get(cell.source)
        if entry is not None:
            entry = copy.copy(entry)
            entry.occurrences = [occurrence]
        else:
            entry = polib.POEntry(msgid=cell.source, msgstr="", occurrences=[occurrence])
            previous = by_cell.get(occurrence) or _most_similar(cell.source, old.values())
            if previous is not None and previous.msgstr:
                entry.msgstr = previous.msgstr
                entry.flags = ["fuzzy"]
                entry.previous_msgid = previous.msgid
                fuzzy += 1
            else:
                new += 1
        kept[cell.source] = entry
        fresh.append(entry)
    obsolete = 0
    for msgid, entry in old.items():
        if msgid not in kept and entry.msgstr:
            entry.obsolete = True  # kept at the end of the file, for reuse by a translator
            entry.occurrences = []
            fresh.append(entry)
            obsolete += 1
    path = catalogue_path(source, root)
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
CODE = re.compile(r"`[^`\n]+`")
PROSE = re.compile(r"^`(?=[^`]*(?:\s|[\u3000-\u9fff\uff00-\uffef]))[A-Za-z\u4e00-\u9fff][^`()\[\]=_./]*`$")
LINK = re.compile(r"\]\(([^)\s]+)\)|(?:href|src)=\"([^\"]+)\"")
MARKER = re.compile(r"^[ \t]*### (?:BEGIN|END) SOLUTION[ \t]*$", re.M)


def markup(text):
    """What a translation must keep: math, code spans, link targets and solution markers."""
    math = sorted(" ".join(m.split()) for m in MATH.findall(text))
    without_math = MATH.sub("", text)
    # A code span that quotes prose the course prints (`Correct: …`) is translated with it.
    code = sorted(c for c in CODE.findall(without_math) if not PROSE.match(c))
    links = sorted(a or b for a, b in LINK.findall(without_math))
    markers = [m.strip() for m in MARKER.findall(text)]
    return {"math": math, "code spans": code, "link targets": links, "solution markers": markers}


def markup_problems(msgid, msgstr):
    """How ``msgstr`` lost or changed the markup of ``msgid`` (an empty list when it did not)."""
    problems = []
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
    """One line per markdown cell of ``source`` without a usable, current translation."""
    root = Path(root)
    nb = nbformat.read(root / source, as_version=4)
    path = catalogue_path(source, root)
    if not path.exists():
        return [f"{source}: no catalogue {path.relative_to(root)} (run tools/translate.py update)"]
    po = load_catalogue(path)
    entries = {e.msgid: e for e in po if not e.obsolete}
    by_cell = {occ: e for e in entries.values() for occ in e.occurrences}
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown" or not cell.source.strip():
            continue
        here = where(source, index, cell)
        entry = entries.get(cell.source)
        if entry is None:
            if _occurrence(source, cell) in by_cell:
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
        else:
            problems += [f"{here}: {p}" for p in markup_problems(entry.msgid, entry.msgstr)]
    return problems


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
    """The Chinese notebook for ``source``: translated markdown, the English code, one cell
    that sets the language; outputs of unchanged code cells kept from the current copy."""
    root = Path(root)
    nb = nbformat.read(root / source, as_version=4)
    po = load_catalogue(catalogue_path(source, root))
    translations = {e.msgid: e.msgstr for e in po
                    if e.msgstr and not e.obsolete and not e.fuzzy}
    target = edition_path(source, root)
    previous = {}
    if target.exists():
        try:
            current = nbformat.read(target, as_version=4)
            previous = {c.get("id"): c for c in current.cells if c.cell_type == "code"}
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
            kept = previous.get(cell.get("id"))
            if kept is not None and kept.source == cell.source:
                cell.outputs = kept.outputs
                cell.execution_count = kept.execution_count
        cells.append(cell)
    if PurePosixPath(source) == PurePosixPath("notebooks/notation.ipynb"):
        cells.append(_glossary_cell(root))
    out.cells = cells
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
    messages = extract(module, root)
    path = code_catalogue_path(module, root)
    if not messages and not path.exists():
        return 0, 0, 0
    po = load_catalogue(path)
    old = {e.msgid: e for e in po if not e.obsolete}
    fresh = polib.POFile(wrapwidth=0)
    fresh.metadata = dict(po.metadata or HEADER)
    where_ = str(PurePosixPath(module.relative_to(root)))
    new = fuzzy = 0
    for msgid, lines in messages.items():
        occurrences = [(where_, str(n)) for n in lines]
        entry = old.get(msgid)
        if entry is not None:
            entry = copy.copy(entry)
            entry.occurrences = occurrences
        else:
            entry = polib.POEntry(msgid=msgid, msgstr="", occurrences=occurrences)
            previous = _most_similar(msgid, old.values())
            if previous is not None and previous.msgstr:
                entry.msgstr, entry.flags = previous.msgstr, ["fuzzy"]
                entry.previous_msgid = previous.msgid
                fuzzy += 1
            else:
                new += 1
        fresh.append(entry)
    obsolete = 0
    for msgid, entry in old.items():
        if msgid not in messages and entry.msgstr:
            entry.obsolete, entry.occurrences = True, []
            fresh.append(entry)
            obsolete += 1
    path.parent.mkdir(parents=True, exist_ok=True)
    fresh.save(str(path))
    return new, fuzzy, obsolete


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
