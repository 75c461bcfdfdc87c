"""Record trusted verdicts in nbgrader's gradebook, and export it; only the coordinator calls this.

Scores go where nbgrader keeps them (``Grade.auto_score`` of each test cell), so formgrader and
``nbgrader export`` show the trusted verdict. Where the gradebook already held a different score
for a cell (from an in-notebook ``nbgrader autograde`` run, or a manual score a submission may have
forged), the trusted verdict replaces it and the difference is reported as a flag.
"""
import csv
import warnings
from contextlib import contextmanager

from nbgrader.api import Gradebook, MissingEntry

EXPORT_COLUMNS = ["assignment", "duedate", "timestamp", "student_id", "last_name", "first_name", "email",
                  "raw_score", "late_submission_penalty", "score", "max_score"]


@contextmanager
def opened(course):
    gradebook = Gradebook(course.db_url, course_id=course.course_id)
    try:
        with warnings.catch_warnings():
            # nbgrader's add_submission trips SQLAlchemy's autoflush warnings; they are harmless.
            warnings.simplefilter("ignore")
            yield gradebook
    finally:
        gradebook.close()


def knows(course, assignment):
    if not course.gradebook_path.exists():
        return False
    with opened(course) as gradebook:
        return any(a.name == assignment for a in gradebook.assignments)


def record(course, results, timestamps, previous):
    """Write each result's exercise scores; return the flags (strings) for the instructor.

    `previous` maps (student, notebook, grade_id) to the score the last trusted run recorded: a
    gradebook score equal to it is ours, anything else came from elsewhere and is flagged. An
    exercise the grader failed on (points None) gets no score: it is left to grade by hand.
    """
    flags = []
    with opened(course) as gradebook:
        for result in results:
            student, assignment = result["student"], result["assignment"]
            gradebook.update_or_create_student(student)
            stamp = {"timestamp": timestamps[student]} if timestamps.get(student) else {}
            gradebook.update_or_create_submission(assignment, student, **stamp)
            notebook = result["notebook"].removesuffix(".ipynb")
            for exercise in result["exercises"]:
                try:
                    grade = gradebook.find_grade(exercise["grade_id"], notebook, assignment, student)
                except MissingEntry:
                    flags.append(f"{student}: {result['notebook']} is not a notebook of {assignment}")
                    break
                before = grade.score if grade.auto_score is not None or grade.manual_score is not None else None
                ours = previous.get((student, result["notebook"], exercise["grade_id"]))
                if exercise["points"] is None:
                    grade.auto_score, grade.manual_score, grade.needs_manual_grade = None, None, True
                    continue
                if before is not None and before not in (exercise["points"], ours):
                    kind = "a manual score" if grade.manual_score is not None else "nbgrader's in-notebook run"
                    flags.append(f"{student} {exercise['grade_id']}: {kind} gave {before:g}, the trusted "
                                 f"verdict is {exercise['points']:g} (kept)")
                grade.auto_score = exercise["points"]
                grade.manual_score = None
                grade.needs_manual_grade = False
        gradebook.db.commit()
    return flags


def export(course, path):
    """Write a CSV with nbgrader's export columns (properly quoted); return the number of rows."""
    rows = 0
    with opened(course) as gradebook, open(path, "w", newline="") as out:
        writer = csv.DictWriter(out, EXPORT_COLUMNS)
        writer.writeheader()
        for assignment in gradebook.assignments:
            for student in gradebook.students:
                try:
                    submission = gradebook.find_submission(assignment.name, student.id)
                except MissingEntry:
                    submission = None
                score = submission.score if submission else 0.0
                penalty = submission.late_submission_penalty if submission else 0.0
                writer.writerow({
                    "assignment": assignment.name, "duedate": assignment.duedate or "",
                    "timestamp": (submission.timestamp if submission else None) or "",
                    "student_id": student.id, "last_name": student.last_name or "",
                    "first_name": student.first_name or "", "email": student.email or "",
                    "raw_score": score, "late_submission_penalty": penalty, "score": score - penalty,
                    "max_score": assignment.max_score})
                rows += 1
    return rows
