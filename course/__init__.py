"""course: the machinery of the minibp course, beside the framework and never inside it.

    checks      what an exercise's check cell calls: one module per lesson
    explorers   the lessons' interactive figures (ipywidgets + matplotlib): one module per lesson
    viz         figures several lessons share (network drawings, tables)

It imports minibp (and matplotlib, ipywidgets when a figure is drawn); minibp never imports
it. ``import course`` itself is cheap: each part is imported when it is used.
"""

from pathlib import Path

from course.i18n import get_language, set_language  # the one language setting

# The course's folder (benchmarks/, notebooks/, ...): lessons read committed results from it
# whether they run from notebooks/ or from the Chinese edition's zh/notebooks/.
COURSE_ROOT = Path(__file__).resolve().parent.parent

__all__ = ["COURSE_ROOT", "get_language", "set_language"]
