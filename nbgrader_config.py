"""nbgrader configuration: solutions/ is the source course, assignments/ the student release.

Run nbgrader commands from the repository root. Submissions, autograded copies, feedback and the
gradebook are run-time data in this folder and are ignored by git.
"""
c = get_config()  # noqa: F821 (injected by traitlets)

c.CourseDirectory.course_id = "nlp-gradients"
c.CourseDirectory.source_directory = "solutions"
c.CourseDirectory.release_directory = "assignments"
c.CourseDirectory.db_url = "sqlite:///gradebook.db"

# Hidden tests draw fresh random inputs; a generous per-cell limit keeps slow machines fair.
c.Execute.timeout = 120
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
