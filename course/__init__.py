"""course: the machinery of the minibp course, beside the framework and never inside it.

    checks      what an exercise's check cell calls: one module per lesson
    explorers   the lessons' interactive figures (ipywidgets + matplotlib): one module per lesson
    viz         figures several lessons share (network drawings, tables)

It imports minibp (and matplotlib, ipywidgets when a figure is drawn); minibp never imports
it. ``import course`` itself is cheap: each part is imported when it is used.
"""

from course.i18n import get_language, set_language  # noqa: E402  (the one language setting)

__all__ = ["get_language", "set_language"]
