"""Write every lecture's slides as HTML that opens offline (`make slides`).

    python tools/make_slides.py                                  # every lecture -> build/slides/
    python tools/make_slides.py notebooks/05_momentum.ipynb      # one lecture
    python tools/make_slides.py --out /tmp/slides

Each lecture becomes `NN_topic.slides.html`, beside a folder `_static/` with its own copy of
reveal.js (vendored in tools/slides/reveal.js) and MathJax (from the jupyter-server-mathjax
package): nothing is fetched from a network, so the folder can be zipped, mailed or put on a
USB stick after class. `index.html` lists the decks with the minutes of each core.

The slides are the lecture's saved outputs (run `make refresh` first if a lecture changed):
figures as images, each explorer as its static figure (the live widget needs a kernel: its
cell becomes a line saying so), code whose source is collapsed in JupyterLab hidden, speaker notes in
reveal.js's speaker view (press S). The slide structure is the cells' slideshow metadata, the
same that RISE presents live in JupyterLab; tests/test_slides.py holds its rules.
"""

from __future__ import annotations

import argparse
import html
import re
import shutil
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SLIDES = Path(__file__).resolve().parent / "slides"
REVEAL = SLIDES / "reveal.js"
MATHJAX_CONFIG = "TeX-AMS-MML_HTMLorMML-full,Safe"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
NOTES_HEAD = re.compile(r"^\*\*Speaker notes \((\d+) min\)\.\*\*")
DEEP_DIVE = "deep-dive"  # the tag of every cell of a deep dive


def slide_type(cell):
    """A cell's slideshow type ('slide', 'subslide', 'fragment', '-', 'skip', 'notes'), or None."""
    return cell["metadata"].get("slideshow", {}).get("slide_type")


def is_deep_dive(cell):
    return DEEP_DIVE in cell["metadata"].get("tags", [])


def notes_minutes(cell):
    """The minutes a speaker-notes cell gives its slide, or None if the cell is not one."""
    if slide_type(cell) != "notes" or cell["cell_type"] != "markdown":
        return None
    match = NOTES_HEAD.match("".join(cell["source"]))
    return int(match.group(1)) if match else None


def core_minutes(cells):
    """The lecture's core in minutes: the sum of its speaker notes outside the deep dives."""
    return sum(notes_minutes(c) or 0 for c in cells if not is_deep_dive(c))


def lectures(root=ROOT):
    return sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))


def for_slides(nb):
    """The notebook as the static slides show it (a copy; the lecture file is not touched)."""
    import nbformat

    nb = nb.copy()
    nb.metadata = {k: v for k, v in nb.metadata.items() if k != "widgets"}
    cells = []
    for cell in nb.cells:
        outputs = cell.get("outputs", [])
        if outputs and all(WIDGET_VIEW in o.get("data", {}) for o in outputs):
            # A live explorer needs a kernel: its slide says where to find it (and keeps its
            # notes); its static figure is in the cell before.
            call = cell.source.splitlines()[-1]
            cell = nbformat.v4.new_markdown_cell(
                f"**Live explorer** (in JupyterLab): `{call}` gives the figure shown before, "
                "drawn at its defaults, controls that redraw it.",
                metadata=cell.metadata)
        if cell.metadata.get("jupyter", {}).get("source_hidden"):
            cell = cell.copy()
            cell.metadata = nbformat.from_dict(
                {**cell.metadata, "transient": {"remove_source": True}})
        cells.append(cell)
    nb.cells = cells
    return nb


def copy_assets(out):
    """reveal.js and MathJax into out/_static, once."""
    try:
        import jupyter_server_mathjax
    except ImportError:
        sys.exit("make_slides: jupyter-server-mathjax is not installed (run `make setup`)")
    static = out / "_static"
    mathjax = Path(jupyter_server_mathjax.__file__).parent / "static"
    for source, target in ((REVEAL, static / "reveal.js"), (mathjax, static / "mathjax")):
        if not (target / ".complete").exists():
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(source, target)
            (target / ".complete").write_text("copied by tools/make_slides.py\n")


def exporter():
    from nbconvert import SlidesExporter

    return SlidesExporter(
        extra_template_basedirs=[str(SLIDES)],
        template_name="minibp",
        reveal_url_prefix="_static/reveal.js",
        reveal_theme="white",
        reveal_transition="none",
        reveal_scroll=True,
        mathjax_url=f"_static/mathjax/MathJax.js?config={MATHJAX_CONFIG}",
        exclude_input_prompt=True,
        exclude_output_prompt=True,
    )


def write_index(out, decks):
    rows = "\n".join(
        f'<tr><td><a href="{html.escape(name)}">{html.escape(title)}</a></td>'
        f"<td>{minutes} min</td></tr>"
        for name, title, minutes in decks
    )
    (out / "index.html").write_text(
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
        "<title>minibp course slides</title>"
        "<style>body{font:20px/1.5 system-ui,sans-serif;margin:2em auto;max-width:46em}"
        "td{padding:.2em 1em .2em 0}</style></head><body>\n"
        "<h1>Backpropagation from scratch: the lectures as slides</h1>\n"
        "<p>Arrow keys move (&rarr; skips a deep dive below a slide); S opens the speaker "
        "notes; Esc shows every slide.</p>\n"
        f"<table><tr><th>lecture</th><th>core</th></tr>\n{rows}\n</table>\n</body></html>\n"
    )


def main(argv=None):
    import nbformat

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("notebooks", nargs="*", type=Path, help="lectures (default: all)")
    parser.add_argument("--out", type=Path, default=ROOT / "build" / "slides",
                        help="folder for the HTML slides (default: build/slides)")
    args = parser.parse_args(argv)
    paths = args.notebooks or lectures()
    for path in paths:
        if not path.is_file():
            parser.error(f"notebooks: {path} is not a file; expected a lecture .ipynb")
    args.out.mkdir(parents=True, exist_ok=True)
    copy_assets(args.out)
    slides = exporter()
    decks = []
    for path in paths:
        nb = nbformat.read(path, as_version=4)
        body, _ = slides.from_notebook_node(for_slides(nb), resources={"metadata": {"name": path.stem}})
        name = f"{path.stem}.slides.html"
        (args.out / name).write_text(body, encoding="utf-8")
        title = next((line.lstrip("# ").strip() for c in nb.cells if c.cell_type == "markdown"
                      for line in c.source.splitlines() if line.startswith("# ")), path.stem)
        decks.append((name, title, core_minutes(nb.cells)))
        print(f"{args.out / name}  (core {decks[-1][2]} min)")
    if not args.notebooks:
        write_index(args.out, decks)
        print(f"{args.out / 'index.html'}: open it in a browser; no network needed")


if __name__ == "__main__":
    main()
