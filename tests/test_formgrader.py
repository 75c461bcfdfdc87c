"""formgrader, nbgrader's own web interface, sees what the engine graded — checked through its HTTP API.

After `python -m grading autograde`, JupyterLab with the nbgrader extension, started by
`tools/open.sh` in the course folder as an instructor starts it, must list each submission as autograded with the engine's score, open it in
Manual Grading with the engine's verdict beside the test cells, and keep a manual score entered there
across a regrade (flagged in plain words), unless the instructor asks for the verdicts instead.
"""
import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from grading.autograde import autograde
from grading.collect import collect
from grading.course import REPO, Course
from tests.hostile import FULL, NOTEBOOK, POINTS, UNIT, WRONG_SCORE, course, notebook, wrong

pytestmark = pytest.mark.slow

TOKEN = "formgrader-test-token"


def free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Formgrader:
    def __init__(self, root):
        """JupyterLab on the course at `root`, started by tools/open.sh (copied there with what it reads)."""
        for name in ("tools", "requirements.txt", "requirements-dev.txt", "pyproject.toml"):
            source = REPO / name
            (shutil.copytree if source.is_dir() else shutil.copy)(source, root / name)
        (root / ".venv").symlink_to(Path(sys.prefix))
        # The venv is this one, already installed: open.sh must find it so (and not pip-install the copy).
        digest = subprocess.run(["bash", "-c", "cat requirements*.txt pyproject.toml | sha256sum | cut -d' ' -f1"],
                                cwd=root, capture_output=True, text=True, check=True).stdout
        stamp = Path(sys.prefix) / ".installed-requirements.txt"
        if not stamp.exists() or stamp.read_text() != digest:
            stamp.write_text(digest)
        self.port = free_port()
        self.server = subprocess.Popen(
            ["bash", "tools/open.sh", "lab", "--no-browser", f"--port={self.port}", f"--ServerApp.token={TOKEN}"],
            cwd=root, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True)
        deadline = time.monotonic() + 90
        while True:
            try:
                self.get("/api/status")
                break
            except OSError:
                if self.server.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"the Jupyter server did not start: {self.server.stderr.read()[-3000:]}")
                time.sleep(0.5)

    def request(self, path, data=None, method="GET"):
        request = urllib.request.Request(f"http://127.0.0.1:{self.port}{path}", method=method,
                                         data=None if data is None else json.dumps(data).encode(),
                                         headers={"Authorization": f"token {TOKEN}"})
        with urllib.request.urlopen(request, timeout=60) as response:
            return response.read().decode()

    def get(self, path):
        text = self.request(path)
        return json.loads(text) if path.startswith(("/api", "/formgrader/api")) else text

    def close(self):
        self.server.terminate()
        self.server.wait(timeout=30)
        self.server.stderr.close()


@pytest.fixture(scope="module")
def graded(tmp_path_factory):
    root = course(tmp_path_factory.mktemp("course"))
    handins = tmp_path_factory.mktemp("handins")
    for student, nb in (("alice", notebook()), ("bob", wrong())):
        (handins / student).mkdir()
        nbformat.write(nb, handins / student / NOTEBOOK)
    collect(Course(root), UNIT, handins)  # stamps the time, as formgrader expects
    autograde(Course(root), UNIT, jobs=2, progress=None)
    server = Formgrader(root)
    assert (root / "exchange").is_dir()  # where nbgrader_config.py points the exchange
    yield root, server
    server.close()


def submissions(server):
    return {s["student"]: s for s in server.get(f"/formgrader/api/submissions/{UNIT}")}


def test_manage_submissions_lists_the_engines_scores_as_autograded(graded):
    _, server = graded
    listed = submissions(server)
    assert listed["alice"]["autograded"] and listed["bob"]["autograded"], listed
    assert listed["alice"]["score"] == FULL and listed["bob"]["score"] == WRONG_SCORE


def test_manual_grading_shows_the_engines_verdict_and_a_manual_score_survives_a_regrade(graded):
    root, server = graded
    notebooks = {n["student"]: n for n in server.get(f"/formgrader/api/submitted_notebooks/{UNIT}/{UNIT}")}
    page = server.get(f"/formgrader/submissions/{notebooks['bob']['id']}")
    assert "grading verdict: failed" in page and "sign is flipped" in page

    grades = {g["name"]: g for g in server.get(f"/formgrader/api/grades?submission_id={notebooks['bob']['id']}")}
    server.request(f"/formgrader/api/grade/{grades['test_score_and_grads']['id']}", {"manual_score": 2}, "PUT")
    assert submissions(server)["bob"]["score"] == WRONG_SCORE + 2

    _, flags = autograde(Course(root), UNIT, jobs=2, progress=None, force=True)
    assert submissions(server)["bob"]["score"] == WRONG_SCORE + 2
    assert any(f.startswith("bob test_score_and_grads: your manual score 2 is kept") for f in flags), flags

    _, flags = autograde(Course(root), UNIT, jobs=2, progress=None, force=True, override_manual=True)
    assert submissions(server)["bob"]["score"] == WRONG_SCORE
    assert any("your manual score 2 was replaced" in f for f in flags), flags
    assert POINTS["test_score_and_grads"] > 2
