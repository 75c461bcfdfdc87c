"""A class graded on a Dask cluster gets exactly the records the local pool gives it.

Records are deterministic: the seed of a submission's hidden inputs follows from what is graded
(grading.autograde), so the same class graded twice, on this machine and on a cluster's workers,
must agree in every record but its "seconds": the scores, the reasons, the diagnoses, the seeds.
Among the class: an honest notebook, a planted-wrong one, a malformed file and a hostile notebook.
The cluster is a real distributed.LocalCluster of two worker processes.
"""
import pytest
from distributed import Client, LocalCluster, get_task_stream

from grading.autograde import autograde
from grading.course import Course
from tests.hostile import UNIT, attack_cells, course, notebook, submit_bytes, submit_notebook, wrong

pytestmark = pytest.mark.slow


def without_timing(records):
    return {r.student: dict(r.to_dict(), seconds=None) for r in records}


def test_a_dask_cluster_grades_the_class_exactly_as_the_local_pool(tmp_path):
    root = course(tmp_path / "course")
    submit_notebook(root, "honest", notebook())
    submit_notebook(root, "wrong", wrong())
    submit_bytes(root, "malformed", '{"cells": [{"cell_type": "code", "source": ')
    submit_notebook(root, "hostile", wrong(*attack_cells("lying-ndarray")))
    local, local_flags = autograde(Course(root), UNIT, jobs=2, progress=None)
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            Client(cluster) as client, get_task_stream(client) as tasks:
        remote, remote_flags = autograde(Course(root), UNIT, progress=None, force=True, dask=client)
    assert len({task["key"] for task in tasks.data if "_grade" in str(task["key"])}) == 4  # graded there
    assert without_timing(remote) == without_timing(local)
    assert remote_flags == local_flags == []
    scores = {r.student: r.score for r in remote}
    assert scores["honest"] == remote[0].max_score > scores["wrong"] == scores["hostile"] > scores["malformed"] == 0
