"""Helpers for tests/test_browser.py: a private JupyterLab server and a notebook driven in Chromium.

``LabServer`` starts ``jupyter lab`` from this Python environment on 127.0.0.1 (a free port, a
random token) in its own process group, serving a directory of *copies* of the notebooks, with
its own config/data/runtime/settings/workspace directories so that nothing of the user's
Jupyter setup leaks in and nothing is written outside the temporary directory. ``stop()``
deletes every kernel through the REST API, then ends the server by its own process id and any
kernel it started that is still alive.

``NotebookDriver`` opens one notebook in a Playwright page and does what a lecturer does:
wait for the kernel, *Edit → Clear Outputs of All Cells*, *Run → Run All Cells* (re-issued if
it was lost), then checks the outputs and moves every widget's first control. Checks return a
list of problems (strings naming the cell) instead of asserting, so that the tests can assert
on them and a negative test can prove they are found.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tools"))
import start_course as course_tool  # noqa: E402, F401  (tools/start_course.py: what `make course` runs)
from start_course import lab_arguments  # noqa: E402

CHROMIUM = "/usr/bin/chromium"
# Run as root, in a container, on a closed network: no sandbox, no GPU, no background traffic.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
    "--disable-dev-shm-usage",
]

SERVER_START_TIMEOUT = 90.0   # s until /api/status answers
OPEN_TIMEOUT = 90.0           # s until the notebook is shown and its kernel is idle
RUN_TIMEOUT = 120.0           # s for Run All of one notebook
RUN_ALL_RETRY_AFTER = 15.0    # s without any sign of execution before Run All is issued again
RUN_ALL_ATTEMPTS = 3
WIDGET_TIMEOUT = 30.0         # s for a widget to render, and for its figure to change
# ``receiver.show()``; matplotlib's plt.show() / fig.show() are not widgets.
SHOW_CALL = re.compile(r"([A-Za-z_][\w.]*(?:\([^()]*\))?)\.show\(\s*\)")
NOT_WIDGETS = re.compile(r"(plt|pyplot|matplotlib\.pyplot|fig\w*|figure)$")
EXCEPTION_LINE = re.compile(r"[A-Za-z_][\w.]*(Error|Exception|Exit|Interrupt|Warning)\b:?")
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
# What JupyterLab / ipywidgets show instead of a widget that cannot be rendered.
RENDER_FAILURES = ("Error displaying widget", "Loading widget", "Click to show javascript error",
                   "Failed to load model class", "Could not create a view")
CONTROL_KINDS = {"widget-slider": "slider", "widget-dropdown": "dropdown", "widget-checkbox": "checkbox"}


class BrowserTestError(AssertionError):
    """Something the test waited for did not happen in time (the message says what)."""


# --------------------------------------------------------------------------- the server


def course_copy(root, target):
    """``target`` laid out like the repository ``root`` and prepared as `make course` prepares
    it: ``notebooks/``, ``zh/`` and the landing page copied (what the server serves and autosave
    may write), ``work/`` and ``zh/work/`` filled by tools/start_course.py, every other
    top-level entry a symlink, so that a lecture's paths relative to its directory
    (``../benchmarks/...``) work."""
    root, target = Path(root), Path(target)
    shutil.copytree(root / "notebooks", target / "notebooks",
                    ignore=shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__"))
    shutil.copyfile(root / course_tool.LANDING_PAGE, target / course_tool.LANDING_PAGE)
    if (root / "zh").is_dir():  # the Chinese edition, without the learner's own zh/work/
        shutil.copytree(root / "zh", target / "zh", ignore=shutil.ignore_patterns(
            ".ipynb_checkpoints", "__pycache__", course_tool.WORKSPACE))
    for entry in root.iterdir():
        if (entry.name not in ("notebooks", "build", "zh", course_tool.WORKSPACE,
                               course_tool.LANDING_PAGE)
                and not entry.name.startswith(".")):
            (target / entry.name).symlink_to(entry, target_is_directory=entry.is_dir())
    course_tool.prepare(target, out=lambda message: None)
    return target


def free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class LabServer:
    """``jupyter lab`` serving ``root_dir``; ``state_dir`` holds its config, data and runtime files."""

    def __init__(self, root_dir, state_dir):
        self.root_dir = Path(root_dir)
        self.state_dir = Path(state_dir)
        self.token = secrets.token_hex(24)
        self.process = None
        self.port = None
        self.log_path = self.state_dir / "jupyterlab.log"
        self._kernel_pids = {}  # pid -> start time, of the processes the server started (kernels)

    @property
    def base_url(self):
        return f"http://127.0.0.1:{self.port}"

    def command(self):
        # The arguments `make course` gives (tools/start_course.py: the root, the landing page,
        # --allow-root as root), then what a private test server needs.
        cmd = [
            sys.executable, "-m", "jupyter", "lab", *lab_arguments(self.root_dir), "--no-browser",
            "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={self.port}", "--ServerApp.port_retries=0",
            f"--IdentityProvider.token={self.token}",
            # window.jupyterapp: the test reads the notebook model (output types, execution counts)
            "--LabApp.expose_app_in_browser=True",
            f"--LabApp.user_settings_dir={self.state_dir / 'settings'}",
            f"--LabApp.workspaces_dir={self.state_dir / 'workspaces'}",
            # offline: no PyPI extension manager, no news feed, no update check
            "--LabApp.extension_manager=readonly", "--LabApp.news_url=None",
            "--LabApp.check_for_updates_class=jupyterlab.handlers.announcements.NeverCheckForUpdate",
        ]
        return cmd

    def environment(self):
        env = {key: value for key, value in os.environ.items()
               if key not in ("JUPYTER_PATH", "JUPYTER_CONFIG_PATH", "JUPYTER_PORT", "JUPYTER_TOKEN")}
        for name in ("config", "data", "runtime", "ipython"):
            (self.state_dir / name).mkdir(parents=True, exist_ok=True)
        # The user's Jupyter and IPython setup (kernelspecs, startup files, server config) stays out.
        env.update(JUPYTER_CONFIG_DIR=str(self.state_dir / "config"),
                   JUPYTER_DATA_DIR=str(self.state_dir / "data"),
                   JUPYTER_RUNTIME_DIR=str(self.state_dir / "runtime"),
                   IPYTHONDIR=str(self.state_dir / "ipython"),
                   PYTHONUNBUFFERED="1")
        return env

    def write_user_settings(self):
        # No "Would you like to get notified about official Jupyter news?" toast over the screenshots.
        path = (self.state_dir / "settings" / "@jupyterlab" / "apputils-extension"
                / "notification.jupyterlab-settings")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps({"fetchNews": "false", "checkForUpdates": False}))

    def start(self):
        self.state_dir.mkdir(parents=True, exist_ok=True)
        self.write_user_settings()
        env = self.environment()
        for _attempt in range(3):  # the free port can be taken before the server binds it
            self.port = free_port()
            with open(self.log_path, "ab") as log:
                self.process = subprocess.Popen(self.command(), cwd=self.root_dir, env=env,
                                                stdin=subprocess.DEVNULL, stdout=log,
                                                stderr=subprocess.STDOUT, start_new_session=True,
                                                preexec_fn=_terminate_with_parent)
            if self._wait_until_ready():
                return self
            self.stop()
        raise BrowserTestError(f"JupyterLab did not start; its log ({self.log_path}) ends with:\n"
                               + self.log_tail())

    def _wait_until_ready(self):
        deadline = time.monotonic() + SERVER_START_TIMEOUT
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                return False
            try:
                self.api("GET", "/api/status")
                return True
            except (OSError, urllib.error.URLError):
                time.sleep(0.25)
        return False

    def log_tail(self, lines=30):
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def api(self, method, path, timeout=30.0):
        request = urllib.request.Request(self.base_url + path, method=method,
                                         headers={"Authorization": f"token {self.token}"})
        with urllib.request.urlopen(request, timeout=timeout) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernels(self):
        self._remember_kernel_pids()
        return self.api("GET", "/api/kernels")

    def sessions(self):
        self._remember_kernel_pids()
        return self.api("GET", "/api/sessions")

    def session_for(self, path):
        for session in self.sessions():
            if session.get("path") == path:
                return session
        return None

    def shutdown_sessions(self, path=None):
        """Shut down the sessions (and so the kernels) of ``path``, or of every notebook."""
        for session in self.sessions():
            if path is None or session.get("path") == path:
                self._remember_kernel_pids()
                self.api("DELETE", f"/api/sessions/{session['id']}")

    def _remember_kernel_pids(self):
        if self.process is not None:
            self._kernel_pids.update(child_processes(self.process.pid))

    def stop(self):
        """Delete every kernel through the REST API, then end the server and its leftovers by pid."""
        if self.process is None:
            return
        try:
            if self.process.poll() is None:
                self._remember_kernel_pids()
                for kernel in self.kernels():
                    self.api("DELETE", f"/api/kernels/{kernel['id']}")
        except (OSError, urllib.error.URLError, ValueError):
            pass  # the server is already gone or broken: the signals below still end it
        finally:
            self._remember_kernel_pids()
            _end_process_group(self.process)
            # Kernels run in their own sessions, outside the server's group: end any still alive by
            # pid, checking its start time so that a pid reused by another process is left alone.
            for pid, started in self._kernel_pids.items():
                if _start_time(pid) == started:
                    try:
                        os.kill(pid, signal.SIGKILL)
                    except ProcessLookupError:
                        pass
            self.process = None


def _terminate_with_parent():
    """In the server's process before exec: on Linux, get SIGTERM when the test process dies, even
    killed without a chance to clean up (the server then shuts down its kernels itself)."""
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            ctypes.CDLL(None).prctl(1, signal.SIGTERM)  # 1 = PR_SET_PDEATHSIG
        except (OSError, AttributeError):
            pass


def _end_process_group(process):
    if process.poll() is not None:
        return
    try:
        os.killpg(process.pid, signal.SIGTERM)  # its own group: start_new_session=True
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        process.wait(timeout=10)


def _stat_fields(pid):
    """/proc/<pid>/stat after "pid (comm) ": [state, ppid, ..., starttime (index 19), ...]."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return stat[stat.rfind(")") + 2:].split()  # comm may contain spaces and parentheses


def _start_time(pid):
    fields = _stat_fields(pid)
    return fields[19] if fields and len(fields) > 19 else None


def child_processes(pid):
    """{pid: start time} of the processes whose parent is ``pid`` (Linux /proc; empty elsewhere)."""
    found = {}
    for entry in Path("/proc").glob("[0-9]*"):
        fields = _stat_fields(entry.name)
        if fields and len(fields) > 19 and fields[1] == str(pid):
            found[int(entry.name)] = fields[19]
    return found


# --------------------------------------------------------------------------- notebook JSON


def show_cells(notebook_path):
    """Indexes of the code cells that call ``.show()`` on an explorer (outside comments; not
    ``plt.show()``): each must display one live widget."""
    notebook = json.loads(Path(notebook_path).read_text(encoding="utf-8"))
    found = []
    for index, cell in enumerate(notebook["cells"]):
        if cell["cell_type"] != "code":
            continue
        source = "".join(cell["source"])
        code = "\n".join(line.split("#", 1)[0] for line in source.splitlines())
        if any(not NOT_WIDGETS.match(m.group(1)) for m in SHOW_CALL.finditer(code)):
            found.append(index)
    return found


# --------------------------------------------------------------------------- the page

# Finds ``panel``, the notebook panel of ``path`` (JupyterLab's application object is exposed).
_PANEL_JS = """
  let panel = null;
  for (const widget of window.jupyterapp.shell.widgets('main')) {
    if (widget.context && widget.context.path === path) { panel = widget; }
  }"""

# A summary of the notebook as the frontend holds it: the kernel's state and, per cell, its
# type, execution count, execution state and outputs (types and error names only).
_STATE_JS = """(path) => {
  if (!window.jupyterapp) { return {app: false}; }""" + _PANEL_JS + """
  if (!panel || !panel.context.isReady) { return {app: true, panel: false}; }
  const session = panel.sessionContext.session;
  const kernel = session ? session.kernel : null;
  const cells = panel.content.widgets.map((cell, index) => {
    cell.node.setAttribute('data-browser-test-cell', String(index));
    const json = cell.model.toJSON();
    return {
      type: json.cell_type,
      count: json.execution_count === undefined ? null : json.execution_count,
      source: String(json.source).split('\\n')[0].slice(0, 80),
      running: cell.model.executionState === 'running',
      outputs: (json.outputs || []).map((o) => ({
        type: o.output_type, name: o.name || null, ename: o.ename || null, evalue: o.evalue || null,
        mimes: o.data ? Object.keys(o.data) : [],
        text: o.output_type === 'stream' ? String(o.text).slice(0, 300) : null})),
    };
  });
  return {app: true, panel: true, ready: panel.sessionContext.isReady,
          kernel: kernel ? kernel.status : null, connection: kernel ? kernel.connectionStatus : null,
          cells: cells};
}"""

_ATTACHED_JS = "(path) => {" + _PANEL_JS + """
  return panel !== null && panel.content.widgets.every((cell) => cell.isAttached); }"""
# Top-level widget views per cell (a widget's own children are not counted).
_VIEWS_JS = "(path) => {" + _PANEL_JS + """
  return panel.content.widgets.map((cell) => cell.node.querySelectorAll(
    '.jp-Cell-outputArea > .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets').length); }"""

# What one widget cell shows: its top-level widget views, the controls of the first one, the
# figure (a hash of the <img> data), and any error text in or around it.
_WIDGET_JS = """(cell) => {
  const hash = (s) => { let h = 2166136261; for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i); h = Math.imul(h, 16777619) >>> 0; } return s.length + ':' + h; };
  const area = cell.querySelector('.jp-Cell-outputArea');
  if (!area) { return {views: 0, boxes: 0, text: ''}; }
  const views = area.querySelectorAll(
    ':scope > .jp-OutputArea-child > .jp-OutputArea-output > .jupyter-widgets');
  const box = area.querySelector(':scope > .jp-OutputArea-child > .jp-OutputArea-output > .widget-vbox');
  const result = {views: views.length,
                  boxes: area.querySelectorAll(
                    ':scope > .jp-OutputArea-child > .jp-OutputArea-output > .widget-vbox').length,
                  text: area.textContent.slice(0, 2000), controls: [], title: '', image: null,
                  widgetError: ''};
  if (!box) { return result; }
  const title = box.querySelector(':scope > .widget-html');
  result.title = title ? title.textContent.trim() : '';
  const row = box.querySelector(':scope > .widget-hbox');
  result.controls = row ? Array.from(row.children).map((c) => c.className) : [];
  // The figure: an Image widget updated in place, a new blob: URL for each new PNG (or,
  // from a plain output, a data: URL).
  const img = box.querySelector(':scope > img.widget-image')
    || box.querySelector(':scope > .widget-output img');
  result.image = img && /^(data:image\\/png|blob:)/.test(img.src) ? hash(img.src) : null;
  const output = box.querySelector(':scope > .widget-output');
  const errors = output ? output.querySelectorAll('[data-mime-type="application/vnd.jupyter.stderr"]') : [];
  result.widgetError = Array.from(errors).map((e) => e.textContent).join('\\n').slice(-4000);
  return result;
}"""


def error_summary(text):
    """The exception line of a traceback shown as text (``RuntimeError: ...``), or its last lines."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    for line in reversed(lines):
        if EXCEPTION_LINE.match(line):
            return line
    return " | ".join(lines[-3:])[-500:]


def control_kind(class_name):
    for css_class, kind in CONTROL_KINDS.items():
        if css_class in class_name.split():
            return kind
    return None


class NotebookDriver:
    """One notebook of ``server`` open in ``page`` (a fresh Playwright page)."""

    def __init__(self, page, server, name):
        self.page = page
        self.server = server
        self.name = name
        self.log = []  # what happened, for failure messages (e.g. "Run All re-issued")
        self.browser_errors = []  # the page's console errors and uncaught exceptions
        page.on("console", lambda message: message.type == "error"
                and self.browser_errors.append(f"console: {message.text[:300]}"))
        page.on("pageerror", lambda error: self.browser_errors.append(f"page error: {str(error)[:300]}"))

    # ----------------------------------------------------------------- state

    def state(self):
        return self.page.evaluate(_STATE_JS, self.name)

    def _wait(self, what, condition, timeout, interval=0.25):
        """Poll ``condition()`` (truthy result = done) until ``timeout``; fail naming ``what``."""
        deadline = time.monotonic() + timeout
        last = None
        while time.monotonic() < deadline:
            last = condition()
            if last:
                return last
            time.sleep(interval)
        raise BrowserTestError(f"{self.name}: timed out after {timeout:.0f} s waiting for {what}"
                               + (f"; last state: {self.describe(self.state())}" if self.page else ""))

    @staticmethod
    def describe(state):
        if not state.get("app"):
            return "JupyterLab application not loaded (window.jupyterapp missing)"
        if not state.get("panel"):
            return "notebook panel not open yet"
        code = [c for c in state["cells"] if c["type"] == "code"]
        counted = sum(c["count"] is not None for c in code)
        running = sum(c["running"] for c in code)
        return (f"kernel {state['kernel']!r} ({state['connection']}), {counted}/{len(code)} code cells "
                f"executed, {running} queued/running")

    def _server_kernel_state(self):
        session = self.server.session_for(self.name)
        return session["kernel"]["execution_state"] if session and session.get("kernel") else None

    # ----------------------------------------------------------------- actions

    def open(self):
        path = urllib.parse.quote(self.name)
        # reset: a fresh layout with only this notebook, not the tabs of the previous test
        self.page.goto(f"{self.server.base_url}/lab/tree/{path}?reset&token={self.server.token}",
                       timeout=OPEN_TIMEOUT * 1000)
        self.wait_for_idle_kernel(OPEN_TIMEOUT)
        # The file browser is not what a person looks at in the screenshot.
        self.page.evaluate("() => window.jupyterapp.commands.execute('application:toggle-left-area')")

    def wait_for_idle_kernel(self, timeout):
        """The frontend's kernel connected and idle, and the server agreeing that it is idle."""
        def idle():
            state = self.state()
            if state.get("kernel") in ("dead", "autorestarting"):
                raise BrowserTestError(f"{self.name}: kernel is {state['kernel']}")
            return (state.get("panel") and state["ready"] and state["kernel"] == "idle"
                    and state["connection"] == "connected" and self._server_kernel_state() == "idle")
        self._wait("the notebook panel and an idle, connected kernel", idle, timeout)

    def menu(self, menu, item):
        self.page.get_by_role("menuitem", name=menu, exact=True).click()
        self.page.get_by_role("menuitem", name=item, exact=True).click()

    def run_all(self, timeout=RUN_TIMEOUT):
        """Clear all outputs, Run All, and wait until every queued cell has finished.

        Outputs are cleared first so that execution counts prove this run (the saved notebook
        has counts already). A Run All issued while the kernel connection is not really ready
        can be lost: if after RUN_ALL_RETRY_AFTER seconds no cell has run and the kernel has
        never been busy, it is issued again (RUN_ALL_ATTEMPTS in all).
        """
        state = self.state()
        if not any(c["type"] == "code" for c in state["cells"]):
            return state
        self.menu("Edit", "Clear Outputs of All Cells")
        self._wait("outputs to be cleared",
                   lambda: all(c["count"] is None for c in self.state()["cells"] if c["type"] == "code"),
                   WIDGET_TIMEOUT)
        deadline = time.monotonic() + timeout
        for attempt in range(1, RUN_ALL_ATTEMPTS + 1):
            self.menu("Run", "Run All Cells")
            issued = time.monotonic()
            started = False
            while time.monotonic() < deadline:
                state = self.state()
                if state["kernel"] in ("dead", "autorestarting", "restarting"):
                    raise BrowserTestError(f"{self.name}: kernel {state['kernel']} during Run All")
                code = [c for c in state["cells"] if c["type"] == "code"]
                started = started or state["kernel"] == "busy" or any(c["count"] is not None for c in code)
                if started and state["kernel"] == "idle" and not any(c["running"] for c in code):
                    if self._server_kernel_state() == "idle":
                        return state
                if not started and time.monotonic() - issued > RUN_ALL_RETRY_AFTER:
                    break  # lost: issue it again
                time.sleep(0.25)
            if started or time.monotonic() >= deadline:
                break
            self.log.append(f"Run All attempt {attempt} showed no execution after "
                            f"{RUN_ALL_RETRY_AFTER:.0f} s; re-issued")
            self.wait_for_idle_kernel(max(1.0, deadline - time.monotonic()))
        raise BrowserTestError(f"{self.name}: Run All did not finish within {timeout:.0f} s "
                               f"({'; '.join(self.log) or 'issued once'}); last state: "
                               f"{self.describe(self.state())}")

    # ----------------------------------------------------------------- checks

    def output_problems(self, state):
        """Error outputs (output_type 'error', i.e. an exception with a traceback) and cells that did
        not run. Plain stderr text (warnings) is not an error."""
        problems = []
        code_number = 0
        for index, cell in enumerate(state["cells"]):
            if cell["type"] != "code":
                continue
            code_number += 1
            where = f"cell {index} (code cell {code_number}: {cell['source']!r})"
            for output in cell["outputs"]:
                if output["type"] == "error":
                    problems.append(f"{where}: error output {output['ename']}: {output['evalue']}")
            if cell["count"] is None:
                problems.append(f"{where}: not executed by Run All")
        return problems

    def cell(self, index):
        return self.page.locator(f'[data-browser-test-cell="{index}"]')

    def widget(self, index):
        locator = self.cell(index)
        locator.scroll_into_view_if_needed(timeout=WIDGET_TIMEOUT * 1000)
        return locator.evaluate(_WIDGET_JS)

    def widget_problems(self, show_indexes):
        """Each ``.show()`` cell renders exactly one widget box with a title, known controls and a
        figure; no widget anywhere else; no 'Error displaying widget' / 'Loading widget...'."""
        problems = []
        # JupyterLab attaches off-screen cells lazily; all of them are there soon after loading.
        self._wait("every cell to be attached to the page",
                   lambda: self.page.evaluate(_ATTACHED_JS, self.name), WIDGET_TIMEOUT)
        cells = self.state()["cells"]
        for index in show_indexes:
            # The kernel's side first: did the cell send a widget to display at all?
            if not any(WIDGET_MIME in output["mimes"] for output in cells[index]["outputs"]):
                shown = [output["mimes"] or output["type"] for output in cells[index]["outputs"]]
                problems.append(f"cell {index}: calls .show() but displays no widget (its outputs: {shown})")
                continue

            def rendered(index=index):
                info = self.widget(index)
                settled = info["boxes"] and (info["image"] or info["widgetError"])
                failed = any(bad in info["text"] for bad in RENDER_FAILURES)
                return info if settled or failed else None
            try:
                info = self._wait(f"the widget of cell {index} to render", rendered, WIDGET_TIMEOUT)
            except BrowserTestError:
                info = self.widget(index)
                problems.append(f"cell {index}: widget not rendered within {WIDGET_TIMEOUT:.0f} s; "
                                f"the cell shows: {info['text'][:300]!r}")
                continue
            where = f"cell {index}"
            failures = [bad for bad in RENDER_FAILURES if bad in info["text"]]
            if failures:
                problems.append(f"{where}: the widget failed to render in JupyterLab: the cell shows "
                                f"{failures[0]!r} (see the browser's errors below)")
                continue
            if info["boxes"] != 1 or info["views"] != 1:
                problems.append(f"{where}: expected one widget box, found {info['boxes']} box(es) among "
                                f"{info['views']} widget view(s)")
            if not info["title"]:
                problems.append(f"{where}: the widget has no title")
            kinds = [control_kind(c) for c in info["controls"]]
            if not kinds or None in kinds:
                problems.append(f"{where}: expected slider/dropdown/checkbox controls, "
                                f"found {info['controls']}")
            if info["widgetError"]:
                problems.append(f"{where}: the widget's figure is an error: "
                                f"{error_summary(info['widgetError'])}")
            elif not info["image"]:
                problems.append(f"{where}: the widget shows no PNG figure")
        views = self.page.evaluate(_VIEWS_JS, self.name)
        extra = {index: count for index, count in enumerate(views) if count and index not in show_indexes}
        if extra:
            problems.append(f"widget views in cells that do not call .show() ({extra}); expected "
                            f"{len(show_indexes)} in all, one per cell calling .show(): cells {show_indexes}")
        return problems

    def move_first_control(self, index):
        """Move the first control of cell ``index``'s widget as a person would; return a description."""
        control = self.cell(index).locator(
            ".jp-OutputArea-output > .widget-vbox > .widget-hbox > *").first
        kind = control_kind(control.get_attribute("class") or "")
        if kind == "slider":
            handle = control.locator(".noUi-handle")
            now, high = (float(handle.get_attribute(a)) for a in ("aria-valuenow", "aria-valuemax"))
            key = "Home" if now >= high else "End"  # to the other end of its range
            before = control.locator(".widget-readout").inner_text()
            handle.focus()
            self.page.keyboard.press(key)
            after = control.locator(".widget-readout").inner_text()
            return f"slider {before} -> {after} ({key})"
        if kind == "dropdown":
            select = control.locator("select")
            current = select.input_value()
            options = [o for o in select.locator("option").evaluate_all("os => os.map(o => o.value)")
                       if o != current]
            if not options:
                raise BrowserTestError(f"{self.name}: cell {index}: dropdown has a single option")
            select.select_option(options[0])
            return f"dropdown {current!r} -> {options[0]!r}"
        if kind == "checkbox":
            box = control.locator("input[type=checkbox]")
            before = box.is_checked()
            box.click()
            return f"checkbox {before} -> {not before}"
        raise BrowserTestError(f"{self.name}: cell {index}: unknown first control "
                               f"{control.get_attribute('class')}")

    def change_problems(self, show_indexes, closeups=None):
        """Moving each widget's first control must redraw its figure (different PNG data).
        ``closeups``: a path prefix for a screenshot of each widget afterwards (``-widget-cellN.png``)."""
        problems = []
        for index in show_indexes:
            before = self.widget(index)
            if not before["image"]:
                continue  # already reported by widget_problems
            moved = self.move_first_control(index)

            def changed(index=index, old=before["image"]):
                info = self.widget(index)
                return info if (info["image"] and info["image"] != old) or info["widgetError"] else None
            try:
                after = self._wait(f"the figure of cell {index} to change", changed, WIDGET_TIMEOUT)
            except BrowserTestError:
                problems.append(f"cell {index}: figure unchanged {WIDGET_TIMEOUT:.0f} s after moving the "
                                f"first control ({moved})")
                continue
            if after["widgetError"]:
                problems.append(f"cell {index}: moving the first control ({moved}) gave an error in the "
                                f"widget: {error_summary(after['widgetError'])}")
            self.log.append(f"cell {index}: {moved}: figure changed")
            if closeups is not None:
                self.cell(index).locator(".jp-OutputArea-output > .widget-vbox").screenshot(
                    path=f"{closeups}-widget-cell{index}.png")
        return problems

    def screenshot(self, path, max_height=12000):
        """The whole notebook: the window made as tall as the notebook's content (re-measured:
        off-screen cells have estimated heights until laid out), at most ``max_height`` pixels; a
        longer notebook continues in ``<name>-2.png``, ``<name>-3.png``, ... Returns the paths."""
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        for _ in range(6):
            hidden = self.page.evaluate(_BELOW_JS, 0)
            size = self.page.viewport_size
            if hidden <= 1 or size["height"] >= max_height:
                break
            self.page.set_viewport_size({"width": size["width"],
                                         "height": min(max_height, size["height"] + hidden)})
            self.page.wait_for_timeout(300)  # relayout after the resize
        paths, offset = [path], 0
        self.page.screenshot(path=str(path))
        while hidden > 1 and len(paths) < 10:
            offset += self.page.evaluate(_VISIBLE_HEIGHT_JS) - 40  # a little overlap between parts
            hidden = self.page.evaluate(_BELOW_JS, offset)
            self.page.wait_for_timeout(300)
            hidden = self.page.evaluate(_BELOW_JS, offset)  # after the newly visible cells' layout
            paths.append(path.with_name(f"{path.stem}-{len(paths) + 1}.png"))
            self.page.screenshot(path=str(paths[-1]))
        return paths


_NOTEBOOK_SCROLLER = "document.querySelector('.jp-NotebookPanel:not(.lm-mod-hidden) .jp-WindowedPanel-outer')"
# Scroll the notebook to ``offset``; return how far its last cell reaches below the visible part
# (not scrollHeight: that includes the scroll-past-end space, which grows with the window).
_BELOW_JS = """(offset) => {
  const el = """ + _NOTEBOOK_SCROLLER + """;
  const cells = el ? el.querySelectorAll('.jp-Cell') : [];
  if (!cells.length) { return 0; }
  el.scrollTop = offset;
  const bottom = cells[cells.length - 1].getBoundingClientRect().bottom;
  return Math.ceil(bottom + 24 - el.getBoundingClientRect().bottom); }"""
_VISIBLE_HEIGHT_JS = "() => " + _NOTEBOOK_SCROLLER + ".clientHeight"
