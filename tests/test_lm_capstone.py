"""Unit 03's language-model capstone does what its prose promises: run headless, as CI runs notebooks, the
reference language model ends far below the unigram model's validation perplexity. (How long it trains is
a speed goal: benchmarks/lm_speed.py prints it; no test times it.)

The solution notebook prints one line for this,
    LM verdict: validation perplexity P vs unigram U (ratio R) after S s of training
and the notebook's prose describes the result in words only (the seconds depend on the machine).

The kernel runs with one BLAS thread, as the grading sandbox runs submissions: numpy's BLAS (OpenBLAS) splits
each matrix product between threads that busy-wait for work, so on a machine busy with anything else (another
test, a browser) its threads can make the training several times slower, which measures the machine, not the
notebook. The perplexities hardly depend on it. (benchmarks/lm_speed.py prints the notebook's time both ways.)
"""
import re

import nbformat
import pytest
from nbclient import NotebookClient

from grading.course import Course

pytestmark = pytest.mark.slow

NOTEBOOK = Course().unit("03_rnn_bptt").notebooks[0].path
VERDICT = re.compile(r"LM verdict: validation perplexity (\d+(?:\.\d+)?) vs unigram (\d+(?:\.\d+)?) "
                     r"\(ratio \d+(?:\.\d+)?\) after (\d+(?:\.\d+)?) s of training")
MAX_RATIO = 0.6  # "far below the unigram model's"
ONE_BLAS_THREAD = {"OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1", "MKL_NUM_THREADS": "1"}


@pytest.fixture(scope="module")
def verdict():
    notebook = nbformat.read(NOTEBOOK, as_version=4)
    with pytest.MonkeyPatch.context() as env:  # the kernel inherits this process's environment
        for name, value in ONE_BLAS_THREAD.items():
            env.setenv(name, value)
        NotebookClient(notebook, timeout=300, kernel_name="python3",
                       resources={"metadata": {"path": str(NOTEBOOK.parent)}}).execute()
    printed = "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code"
                      for output in cell.outputs if output.output_type == "stream")
    found = VERDICT.findall(printed)
    assert len(found) == 1, f"{NOTEBOOK.name} should print one 'LM verdict: ...' line, printed {len(found)}"
    perplexity, unigram, _ = map(float, found[0])
    return perplexity, unigram


def test_the_language_model_beats_the_unigram_model_by_a_wide_margin(verdict):
    perplexity, unigram = verdict
    assert perplexity <= MAX_RATIO * unigram, (
        f"validation perplexity {perplexity} is not below {MAX_RATIO} x the unigram model's {unigram}")

