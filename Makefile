# The course's two commands (see README.md) and a few helpers for maintainers.
#   make course   set up .venv if needed, fill work/ with your exercise notebooks, open the course
#   make course-zh  the same, in Chinese: opens zh/START_HERE.ipynb (your work in zh/work/)
#   make test     set up .venv if needed, then run every test (what CI runs), then strict nbval
#                 and the number-pinning tests again under two other BLAS kernels
# Each target sets itself up from nothing: a fresh clone needs only python3 (>= 3.10) and make.

PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
NBVAL  := --nbval --nbval-current-env --nbval-sanitize-with tools/nbval_sanitize.cfg

# The course's matrices are small: one BLAS thread is faster than two for them, and far
# faster when other work shares the cores (benchmarks/run.py measures it). Kernels started
# by JupyterLab, nbval and the tools inherit these. Set them yourself to override.
export OMP_NUM_THREADS ?= 1
export OPENBLAS_NUM_THREADS ?= 1
export MKL_NUM_THREADS ?= 1

.PHONY: setup course course-zh translations test kernels lint refresh exercises slides benchmark benchmark-browser clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[course,test]'
	@touch $(STAMP)

setup: $(STAMP)

# JupyterLab serves the repository root and opens START_HERE.ipynb; your exercise notebooks
# live in work/ (copied from exercises/ on first use, never overwritten: see tools/start_course.py).
course: setup
	$(BIN)/python tools/start_course.py

course-zh: setup
	$(BIN)/python tools/start_course.py --language zh

test: setup
	$(BIN)/ruff check .
	$(BIN)/python tools/make_exercises.py --check
	$(BIN)/python tools/translate.py check
	$(BIN)/python tools/subset_font.py --check
	$(BIN)/python -m pytest -rs $(NBVAL) tests notebooks solutions zh/notebooks zh/solutions
	$(BIN)/python tools/check_blas_kernels.py

# Does a notebook print the same numbers under other BLAS kernels? (make test checks them all)
#   make kernels NOTEBOOKS=notebooks/09_power_error.ipynb
kernels: setup
	$(BIN)/python tools/check_blas_kernels.py $(NOTEBOOKS)

lint: setup
	$(BIN)/ruff check .

# After changing a lesson or minibp: re-execute notebooks/ and solutions/ in fresh kernels,
# write the Chinese edition from them and its catalogues (zh/) and execute it too, then
# regenerate exercises/ and zh/exercises/ from the solutions.
refresh: setup
	$(BIN)/python tools/execute_notebooks.py
	$(BIN)/python tools/translate.py build
	$(BIN)/python tools/execute_notebooks.py zh/notebooks zh/solutions
	$(BIN)/python tools/make_exercises.py

# After changing English text: sync the catalogues (locale/zh/, course/locale/zh/); changed
# messages turn fuzzy for a translator to revise. Then `make refresh`. (README.zh.md: 参与翻译)
translations: setup
	$(BIN)/python tools/translate.py update
	$(BIN)/python tools/translate.py status

exercises: setup
	$(BIN)/python tools/make_exercises.py

# Every lecture as HTML slides in build/slides/ (reveal.js and MathJax copied beside them: they
# open offline, e.g. from a USB stick). Presenting live is RISE inside JupyterLab: see README.
slides: setup
	$(BIN)/python tools/make_slides.py

# Speed goals (explorer redraws, notebook run times, framework overhead): a report, not a test.
benchmark: setup
	$(BIN)/python benchmarks/run.py

# Slider-to-pixel in JupyterLab in headless Chromium (/usr/bin/chromium): every control of every
# lecture's explorers, input to painted figure. Writes benchmarks/results/browser.json.
benchmark-browser: setup
	$(BIN)/python benchmarks/browser.py

clean:
	rm -rf $(VENV) .pytest_cache .pytest_kernels .ruff_cache
