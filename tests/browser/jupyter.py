"""Helpers for real-browser tests: a throw-away Jupyter server, and a dashboard driven in a page.

Facts about Jupyter's servers and front ends that they rely on: a token-less server on
loopback with a private config, data and runtime directory; `expose_app_in_browser` gives
`window.jupyterapp` in JupyterLab 4 and Notebook 7 alike; the kernel's own status string (not the
status bar's localised text) says when it is idle; a slider's `.widget-readout` takes typed values
and its `.noUi-handle` takes arrow keys. Nothing here compares label text: a translated edition
changes the labels but not the CSS classes that utils.dashboard puts on every control.
"""
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

# How each front end is started and where it opens a notebook.
FRONTENDS = {
    "lab": {"module": "jupyterlab", "expose": "--LabApp.expose_app_in_browser=True",
            "open": "lab/tree/{path}?reset"},  # ?reset: no tab restored from an earlier session
    "notebook": {"module": "notebook", "expose": "--JupyterNotebookApp.expose_app_in_browser=True",
                 "open": "notebooks/{path}"},
}

# JupyterLab settings that keep tests stable: no "receive official Jupyter news?" toast over the
# widgets, and every cell attached to the DOM (no virtual scrolling).
USER_SETTINGS = {
    "@jupyterlab/apputils-extension/notification": {"fetchNews": "false", "checkForUpdates": False},
    "@jupyterlab/notebook-extension/tracker": {"windowingMode": "none"},
}

# Chromium flags: no sandbox (we run as root in CI containers), and no traffic to Google's services
# (there is no network, and waiting for it would only slow the start).
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-default-apps",
    "--disable-sync",
    "--metrics-recording-only",
    "--no-first-run",
    "--disable-dev-shm-usage",  # a small /dev/shm in containers makes tabs crash
]

KERNEL = "window.jupyterapp?.shell.currentWidget?.sessionContext?.session?.kernel"


class Server:
    """A running Jupyter server: its base url, its process and its log file."""

    def __init__(self, frontend, url, process, log):
        self.frontend, self.url, self.process, self.log = frontend, url, process, log

    def api(self, path, method="GET"):
        request = urllib.request.Request(self.url + path, method=method)
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else None

    def log_tail(self, chars=3000):
        return self.log.read_text(errors="replace")[-chars:]


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def jupyter_server(frontend, root_dir, timeout=90):
    """Start JupyterLab ("lab") or Notebook 7 ("notebook") token-less on loopback, serving root_dir.

    Its configuration, data, runtime and workspace directories are private and temporary, so a
    developer's own settings never leak in. On exit (error or not) its kernels are shut down, the
    server is stopped (killed if it does not stop) and the temporary directories removed.
    """
    spec = FRONTENDS[frontend]
    home = Path(tempfile.mkdtemp(prefix=f"dash-{frontend}-"))
    for plugin, settings in USER_SETTINGS.items():
        path = home / "config" / "lab" / "user-settings" / f"{plugin}.jupyterlab-settings"
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(settings))
    env = {**os.environ, "JUPYTER_CONFIG_DIR": str(home / "config"), "JUPYTER_DATA_DIR": str(home / "data"),
           "JUPYTER_RUNTIME_DIR": str(home / "runtime"), "IPYTHONDIR": str(home / "ipython")}
    port = free_port()
    command = [sys.executable, "-m", spec["module"], "--no-browser", spec["expose"],
               "--ServerApp.ip=127.0.0.1", f"--ServerApp.port={port}", "--ServerApp.port_retries=0",
               "--IdentityProvider.token=", "--ServerApp.password=", "--ServerApp.allow_root=True",
               f"--ServerApp.root_dir={root_dir}"]
    log = home / "server.log"
    with open(log, "wb") as log_file:
        # Its own session: on a hang we can kill the server and anything it started, and only that.
        process = subprocess.Popen(command, env=env, stdin=subprocess.DEVNULL, stdout=log_file,
                                   stderr=subprocess.STDOUT, start_new_session=True)
    server = Server(frontend, f"http://127.0.0.1:{port}/", process, log)
    try:
        deadline = time.monotonic() + timeout
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"jupyter {frontend} exited with {process.returncode}:\n{server.log_tail()}")
            try:
                server.api("api/status")
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError(f"jupyter {frontend} did not answer in {timeout} s:\n{server.log_tail()}")
                time.sleep(0.2)
        yield server
    finally:
        _stop(server)
        shutil.rmtree(home, ignore_errors=True)


def _stop(server):
    """Shut the kernels down (closing a page does not), then stop the server."""
    with contextlib.suppress(Exception):
        for kernel in server.api("api/kernels"):
            server.api(f"api/kernels/{kernel['id']}", method="DELETE")
    if server.process.poll() is None:
        server.process.terminate()  # SIGTERM: Jupyter's clean shutdown, kernels included
        try:
            server.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            os.killpg(server.process.pid, signal.SIGKILL)
            server.process.wait()


def launch_chromium(playwright, executable):
    return playwright.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)


def open_and_run(page, server, notebook, timeout=120_000):
    """Open `notebook` (a path under the server's root), wait for its kernel, run all cells, and
    wait until the kernel is idle again."""
    page.goto(server.url + FRONTENDS[server.frontend]["open"].format(path=notebook))
    # "Connected", not just an idle indicator: the indicator says idle before any kernel exists.
    page.wait_for_function(f"() => {KERNEL}?.connectionStatus === 'connected'", timeout=timeout)
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:run-all-cells')")
    wait_idle(page, timeout)


def wait_idle(page, timeout=120_000):
    """Wait until the notebook's kernel reports 'idle' twice in a row, 0.3 s apart.

    The status string comes from the kernel protocol, so it is the same in every UI language; two
    readings avoid the instant between two queued cells.
    """
    page.wait_for_function(f"""() => {{
        const idle = {KERNEL}?.status === 'idle';
        const now = Date.now();
        if (!idle) {{ window.__dashIdleSince = null; return false; }}
        window.__dashIdleSince ??= now;
        return now - window.__dashIdleSince > 300;
    }}""", timeout=timeout, polling=100)


class DashboardView:
    """One TrainingDashboard on a page, found by its CSS classes (never by label text)."""

    def __init__(self, page, index=0):
        self.page = page
        self.root = page.locator(".dash").nth(index)

    def control(self, name):
        return self.root.locator(f".dash-{name}")

    def wait_ready(self, timeout=120_000):
        self.root.locator(".dash-result .dash-final-loss").wait_for(timeout=timeout)

    def result(self):
        """The numbers in the result text: {"final-loss": "0.1049", "value-hidden": "8", ...}, and
        whether it says (cached) or 'settings changed'."""
        return self.root.locator(".dash-result").evaluate("""element => {
            const found = {};
            for (const span of element.querySelectorAll('[class^="dash-"]'))
                found[span.className.slice(5)] = span.textContent;
            return found;
        }""")

    def slider_bounds(self, name):
        """(min, max, now) of a slider, from its handle's ARIA attributes (log sliders: exponents)."""
        handle = self.control(name).locator(".noUi-handle")
        return tuple(float(handle.get_attribute(a)) for a in ("aria-valuemin", "aria-valuemax", "aria-valuenow"))

    def readout(self, name):
        return self.control(name).locator(".widget-readout").inner_text()

    def type_value(self, name, text):
        """Type into a slider's readout and press Enter, as a student would."""
        readout = self.control(name).locator(".widget-readout")
        readout.click()
        self.page.keyboard.press("Control+A")
        self.page.keyboard.type(str(text))
        self.page.keyboard.press("Enter")

    def press(self, name, key, times=1):
        """Move a slider by keyboard: focus its handle and press `key` (e.g. ArrowLeft)."""
        handle = self.control(name).locator(".noUi-handle")
        handle.focus()
        for _ in range(times):
            handle.press(key)

    def train(self):
        """Press Train once the kernel has every pending widget update.

        ipywidgets holds back value updates while the kernel is busy and sends them when it is
        idle, but sends a click at once: without the wait, a click can overtake a slider's value.
        """
        wait_idle(self.page)
        self.control("train").click()

    def figure_source(self):
        return self.control("figure").get_attribute("src")

    def wait_for_result(self, predicate, timeout=60):
        """Poll result() until `predicate(result)` holds; fail with the last result seen."""
        deadline = time.monotonic() + timeout
        while True:
            result = self.result()
            if predicate(result):
                return result
            if time.monotonic() > deadline:
                raise AssertionError(f"the dashboard's result text did not change as expected: {result}")
            time.sleep(0.1)
