"""The Chinese edition: catalogues current, zh/ generated from them, checks and figures in Chinese.

tools/translate.py is the machinery (update, build, check); these tests show that it names a
stale cell, that a revised translation makes it pass, that zh/ holds the English code
unchanged, and that the course's code speaks Chinese with one setting and a shipped font.
"""

import importlib
import json
import logging
import shutil
import sys
import warnings
from pathlib import Path

import nbformat
import polib
import pytest

import course
from course import i18n
from course.checks import CheckFailure, NotAnsweredYet

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tools"))
import subset_font  # noqa: E402
import translate  # noqa: E402

SOURCES = translate.sources()


@pytest.fixture
def chinese():
    course.set_language("zh")
    i18n._missing.clear()
    yield
    course.set_language("en")


# ----------------------------------------------------------------------- the catalogues

@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_every_markdown_cell_has_a_current_translation(source):
    problems = translate.translation_problems(source)
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize("source", SOURCES, ids=str)
def test_the_chinese_notebook_is_generated_from_the_english_one(source):
    problems = translate.edition_problems(source)
    assert not problems, "\n".join(problems)
    english = nbformat.read(ROOT / source, as_version=4)
    chinese = nbformat.read(translate.edition_path(source), as_version=4)
    code = [c.source for c in english.cells if c.cell_type == "code"]
    chinese_code = [c.source for c in chinese.cells
                    if c.cell_type == "code" and c.get("id") != translate.LANGUAGE_CELL_ID]
    assert len(chinese_code) == len(code)
    for index, (mine, theirs) in enumerate(zip(chinese_code, code)):
        # the same program: only the strings it prints or draws are translated
        assert translate.code_skeleton(mine) == translate.code_skeleton(theirs), index
    if code:
        first = next(c for c in chinese.cells if c.cell_type == "code")
        assert first.source == translate.LANGUAGE_CELL


@pytest.mark.parametrize("module", translate.code_modules(), ids=lambda p: p.name)
def test_every_marked_string_of_the_code_is_translated(module):
    problems = translate.code_problems(module)
    assert not problems, "\n".join(problems)


@pytest.fixture
def course_tree(tmp_path):
    """A copy of one lesson, its catalogue and the glossary: a place to change English text."""
    for path in ["notebooks/01_worked_example.ipynb", "locale/zh/notebooks/01_worked_example.po",
                 "locale/zh/glossary.md"]:
        (tmp_path / path).parent.mkdir(parents=True, exist_ok=True)
        shutil.copy(ROOT / path, tmp_path / path)
    catalogue = tmp_path / "locale/zh/notebooks/01_worked_example.po"
    po = polib.pofile(str(catalogue))
    for entry in po:  # start from a complete catalogue, whatever the translators are at
        if not entry.msgstr or entry.fuzzy:
            entry.msgstr, entry.flags = entry.msgid, []
    po.save()
    return tmp_path


def _edit_markdown(root, source, index_in_markdown, change):
    path = root / source
    nb = nbformat.read(path, as_version=4)
    cell = [c for c in nb.cells if c.cell_type == "markdown"][index_in_markdown]
    cell.source = change(cell.source)
    nbformat.write(nb, path)
    return cell


def test_a_changed_english_cell_fails_naming_it_until_its_translation_is_revised(course_tree):
    source = Path("notebooks/01_worked_example.ipynb")
    assert translate.translation_problems(source, course_tree) == []
    cell = _edit_markdown(course_tree, source, 2, lambda s: s.replace("Three inputs", "Three input units"))

    problems = translate.translation_problems(source, course_tree)
    assert len(problems) == 1
    assert f"id {cell.id}" in problems[0] and "English changed after it was translated" in problems[0]

    translate.update(source, course_tree)  # the old Chinese stays, marked fuzzy, old English beside it
    (problem,) = translate.translation_problems(source, course_tree)
    assert f"id {cell.id}" in problem and "fuzzy" in problem
    po = polib.pofile(str(translate.catalogue_path(source, course_tree)))
    entry = po.find(cell.source)
    assert entry.fuzzy and "Three inputs" in entry.previous_msgid and entry.msgstr

    entry.flags.remove("fuzzy")  # the translator revises it
    po.save()
    assert translate.translation_problems(source, course_tree) == []


def test_a_new_english_cell_is_missing_until_translated(course_tree):
    source = Path("notebooks/01_worked_example.ipynb")
    path = course_tree / source
    nb = nbformat.read(path, as_version=4)
    new = nbformat.v4.new_markdown_cell("A brand-new paragraph about $\\delta_6$.")
    nb.cells.append(new)
    nbformat.write(nb, path)
    (problem,) = translate.translation_problems(source, course_tree)
    assert f"id {new.id}" in problem and "no message" in problem
    translate.update(source, course_tree)
    (problem,) = translate.translation_problems(source, course_tree)
    assert "not translated yet" in problem
    po = polib.pofile(str(translate.catalogue_path(source, course_tree)))
    po.find(new.source).msgstr = "一段全新的话，讲 $\\delta$。"  # lost the subscript: caught
    po.save()
    (problem,) = translate.translation_problems(source, course_tree)
    assert "math differ" in problem and "$\\delta_6$" in problem
    po.find(new.source).msgstr = "一段全新的话，讲 $\\delta_6$。"
    po.save()
    assert translate.translation_problems(source, course_tree) == []


@pytest.mark.parametrize("english, chinese, kind", [
    ("see [notation](notation.ipynb)", "见[符号表](notation.md)", "link targets"),
    ("call `np.eye(K)`", "调用 `np.eye(k)`", "code spans"),
    ("### BEGIN SOLUTION\nx\n### END SOLUTION", "答案 x", "solution markers"),
])
def test_a_translation_that_breaks_markup_is_named(english, chinese, kind):
    (problem,) = translate.markup_problems(english, chinese)
    assert problem.startswith(kind)


def test_prose_quoted_in_code_spans_may_be_translated():
    assert translate.markup_problems("says `Correct: …` here", "显示 `正确：…`") == []


CELL = r'''%matplotlib inline
print(f"loss after {epochs} epochs: {loss:.3f}", "and " "more")
ax.plot(x, y, label="training")
ax.set_title("$\\delta_l$")  # math only: nothing to translate
key = "training"  # not shown: left alone
'''


def test_the_strings_a_code_cell_shows_are_found_and_translated():
    bodies = [literal.body for literal in translate.code_literals(CELL)]
    assert bodies == ["loss after {epochs} epochs: {loss:.3f}", "and ", "more", "training"]
    chinese = translate.translate_code(CELL, {"loss after {epochs} epochs: {loss:.3f}":
                                              "{epochs} 轮后的损失：{loss:.3f}", "training": "训练集"})
    assert 'print(f"{epochs} 轮后的损失：{loss:.3f}", "and " "more")' in chinese
    assert 'label="训练集"' in chinese and 'key = "training"' in chinese
    assert translate.code_skeleton(chinese) == translate.code_skeleton(CELL)


@pytest.mark.parametrize("translation, problem", [
    ("{epochs} 轮后的损失", "fields"),
    ('{epochs} 轮后的"损失"：{loss:.3f}', "one Python string"),
])
def test_a_code_string_translation_that_would_break_the_code_is_named(translation, problem):
    literal = translate.code_literals(CELL)[0]
    (message,) = translate.literal_problems(literal, translation)
    assert problem in message
    assert translate.translate_code(CELL, {literal.body: translation}) == CELL  # not used


def test_links_in_the_chinese_copy_point_where_they_should():
    relink = translate._relink
    source = Path("notebooks/01_worked_example.ipynb")
    assert relink("[n](notation.ipynb)", source) == "[n](notation.ipynb)"  # zh/notebooks has it
    assert relink("[r](../README.md#two)", source) == "[r](../../README.zh.md#two)"
    assert relink("[b](../benchmarks/x.py)", source) == "[b](../../benchmarks/x.py)"
    assert relink("[w](https://example.org/a)", source) == "[w](https://example.org/a)"
    landing = Path("START_HERE.ipynb")
    assert relink("[e](work/01_worked_example.ipynb)", landing) == "[e](work/01_worked_example.ipynb)"
    assert relink("[en](zh/START_HERE.ipynb)", landing) == "[en](../START_HERE.ipynb)"


def test_the_chinese_notation_page_carries_the_glossary():
    nb = nbformat.read(ROOT / "zh/notebooks/notation.ipynb", as_version=4)
    glossary = nb.cells[-1].source
    for term in ["反向传播", "误差信号", "学习率", "动量", "梯度消失", "饱和", "中心化"]:
        assert term in glossary


EDITION = sorted((ROOT / "zh").glob("*/*.ipynb"))


@pytest.mark.parametrize("notebook", [p for p in EDITION if p.parent.name != "exercises"],
                         ids=lambda p: str(p.relative_to(ROOT)))
def test_the_saved_chinese_outputs_have_every_glyph(notebook):
    """Executed with the shipped font: no figure drew an empty box (matplotlib says so on
    stderr), no cell failed, and every saved widget has its saved state (the build keeps the
    Chinese run's widget state, not the English one's)."""
    nb = nbformat.read(notebook, as_version=4)
    state = nb.metadata.get("widgets", {}).get("application/vnd.jupyter.widget-state+json", {})
    for index, cell in enumerate(nb.cells):
        for output in cell.get("outputs", []):
            assert output.output_type != "error", f"cell {index}: {output.ename}"
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:  # a saved widget shows only if its model was saved with the notebook
                assert view["model_id"] in state.get("state", {}), f"cell {index}: widget state"
            if output.output_type == "stream" and output.name == "stderr":
                for sign in ("glyph", "missing from font", "findfont"):
                    assert sign not in output.text, f"cell {index}: {output.text[:200]}"


# ------------------------------------------------------------------- the code in Chinese

def test_set_language_names_the_choices():
    with pytest.raises(ValueError, match="language must be one of"):
        course.set_language("fr")
    assert course.get_language() == "en"


def test_english_is_the_default_and_text_without_translation_stays_english(chinese):
    assert i18n._("Correct: {name} agrees with minibp on all {count} cases.").startswith("正确")
    assert i18n._("a sentence nobody translated") == "a sentence nobody translated"
    course.set_language("en")
    assert i18n._("loss") == "loss"


def test_the_shipped_font_holds_every_character_the_catalogues_use():
    wanted = subset_font.characters()
    assert len(wanted) > 50
    missing = wanted - subset_font.shipped_characters()
    assert not missing, f"run tools/subset_font.py: missing {''.join(sorted(missing)[:40])}"
    assert subset_font.TARGET.stat().st_size < 1_000_000  # small: only what the figures draw


class _Logged(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages = []

    def emit(self, record):
        self.messages.append(record.getMessage())


def _render(fig):
    """Draw ``fig``; fail on a glyph missing from the fonts (a warning, or, from mathtext and
    font matching, a log message: "does not have a glyph", "Failed to find font")."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    logged = _Logged()
    logger = logging.getLogger("matplotlib")
    logger.addHandler(logged)
    try:
        with warnings.catch_warnings():
            warnings.filterwarnings("error", message=".*missing from font.*")
            FigureCanvasAgg(fig).draw()
    finally:
        logger.removeHandler(logged)
    assert not logged.messages, logged.messages[:3]


def test_figures_draw_chinese_text_with_the_shipped_font(chinese):
    from matplotlib import rcParams
    from matplotlib.figure import Figure

    assert rcParams["font.family"][-1] == i18n.CJK_FONT_NAME  # after the Latin fonts
    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, i18n._("Correct: {name} agrees with minibp on all {count} cases."))
    fig.text(0.1, 0.2, i18n._("arguments:") + " η = 0.5", family=i18n.family("monospace"))
    fig.suptitle(i18n._("Hint: {hint}"), fontweight="bold")  # the bold face ships too
    _render(fig)  # raises on "Glyph … missing from font"


def test_a_missing_glyph_is_caught():
    from matplotlib.figure import Figure

    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "龘")  # in no catalogue, so not in the shipped subset
    with pytest.raises((UserWarning, AssertionError)):
        _render(fig)
    fig = Figure(figsize=(3, 2))
    fig.text(0.1, 0.5, "正确 $x$")  # Chinese inside a mathtext string: matplotlib cannot
    with pytest.raises(AssertionError, match="glyph"):
        _render(fig)


def _explorer_cases():
    from course.explorers import all_explorers

    return sorted(all_explorers().items())


@pytest.mark.parametrize("name", [name for name, _ in _explorer_cases()])
def test_every_explorer_draws_in_chinese_with_every_string_translated(chinese, name):
    explorer = dict(_explorer_cases())[name]()
    _render(explorer.figure())
    box = explorer.show()
    texts = [box.children[0].value] + [c.description for c in box.children[1].children]
    assert not i18n._missing, f"strings without a translation: {sorted(i18n._missing)[:5]}"
    assert any("\u4e00" <= ch <= "\u9fff" for t in texts for ch in t), texts


def _wrong_answer_cases():
    from test_exercises import CASES

    return CASES


@pytest.mark.parametrize("lesson, name, i, wrong", _wrong_answer_cases(),
                         ids=[f"{c[0]}.{c[1]}[{c[2]}]" for c in _wrong_answer_cases()])
def test_checks_fail_in_chinese_exactly_as_in_english(lesson, name, i, wrong):
    check = getattr(importlib.import_module(f"course.checks.{lesson}"), name)
    messages = {}
    for language in ("en", "zh"):
        course.set_language(language)
        i18n._missing.clear()
        try:
            with pytest.raises(CheckFailure) as failure:
                check(wrong)
        finally:
            course.set_language("en")
        assert not isinstance(failure.value, NotAnsweredYet)
        messages[language] = str(failure.value)
        if language == "zh":
            assert not i18n._missing, f"untranslated: {sorted(i18n._missing)[:3]}"
    english, chinese = messages["en"], messages["zh"]
    assert ("Hint:" in english) == ("提示：" in chinese)
    assert ("expected" in english) == ("期望" in chinese) or "raised" in english
    assert any("\u4e00" <= ch <= "\u9fff" for ch in chinese), chinese


def test_a_correct_answer_passes_in_chinese(chinese, capsys):
    from course.checks import worked_example as check

    check.output_delta(lambda o, t: (o - t) * o * (1 - o))
    assert capsys.readouterr().out.startswith("正确：output_delta")


def test_the_chinese_exercises_are_generated_from_the_chinese_solutions():
    sys.path.insert(0, str(ROOT / "tools"))
    import make_exercises

    items = make_exercises.plan(ROOT / "zh" / "solutions", ROOT / "zh" / "exercises")
    assert len(items) == 12 and all(status == "same" for _, _, status in items)
    first = json.loads((ROOT / "zh/exercises/01_worked_example.ipynb").read_text())
    assert first["cells"][0]["source"][0].startswith("> **练习笔记本。**")
