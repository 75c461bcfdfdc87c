"""nbgrader configuration: solutions/ is the source course, assignments/ the student release.

Run nbgrader commands from the repository root. Submissions, autograded copies, feedback and the
gradebook are run-time data in this folder and are ignored by git. The course's own commands read
the course id and every folder name from here (grading.course), so this is the one place to change them.
"""
import os

c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "nlp-gradients"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.submitted_directory = "submitted"
c.CourseDirectory.autograded_directory = "autograded"
c.CourseDirectory.feedback_directory = "feedback"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
# The exchange (nbgrader's release/fetch/submit between instructor and students on one machine):
# a folder of this course that tools/open.sh creates, not /usr/local/share/nbgrader/exchange,
# which needs root. A JupyterHub deployment sets its own (see docs/grading.md).
c.Exchange.root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "exchange")

# nbgrader's own autograde leaves out the cells tagged skip-when-grading (training runs, dashboards),
# as the course's engine does: grading.nbgrader_preprocessors.SkipWhenGrading, after the locked cells
# are restored and before anything runs.
c.Autograde.sanitize_preprocessors = [
    "nbgrader.preprocessors.ClearOutput",
    "nbgrader.preprocessors.DeduplicateIds",
    "nbgrader.preprocessors.OverwriteKernelspec",
    "nbgrader.preprocessors.OverwriteCells",
    "grading.nbgrader_preprocessors.SkipWhenGrading",
    "nbgrader.preprocessors.CheckCellMetadata",
]
# Hidden tests draw fresh random inputs; a generous per-cell limit keeps slow machines fair.
c.Execute.timeout = 120
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
