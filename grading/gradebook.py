"""Record trusted verdicts in nbgrader's gradebook, and export it; only the coordinator calls this.

Scores go where nbgrader keeps them (``Grade.auto_score`` of each test cell), so formgrader and
``nbgrader export`` show the trusted verdict. A manual score entered in formgrader is kept across a
regrade (nbgrader counts it over the automatic one), unless the instructor asks for the verdicts;
where it differs from the verdict, a flag says which was kept. Where an automatic score differs
from the last trusted run (an in-notebook ``nbgrader autograde``, which runs student code outside
any sandbox), the trusted verdict replaces it and a flag says so.
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


def record(course, results, timestamps, previous, override_manual=False):
    """Write each result's exercise scores; return the flags (strings) for the instructor.

    `previous` maps (student, notebook, grade_id) to the score the last trusted run recorded: an
    automatic score equal to it is ours, anything else came from elsewhere and is flagged. An
    exercise the grader failed on (points None) gets no automatic score: it is left to grade by hand.
    Manual scores are kept unless `override_manual`.
    """
    flags = []
    with opened(course) as gradebook:
        for result in results:
            student, assignment = result.student, result.assignment
            gradebook.update_or_create_student(student)
            stamp = {"timestamp": timestamps[student]} if timestamps.get(student) else {}
            gradebook.update_or_create_submission(assignment, student, **stamp)
            notebook = result.notebook.removesuffix(".ipynb")
            for exercise in result.exercises:
                try:
                    grade = gradebook.find_grade(exercise.grade_id, notebook, assignment, student)
                except MissingEntry:
                    flags.append(f"{student}: {result.notebook} is not a notebook of {assignment}")
                    break
                where = f"{student} {exercise.grade_id}"
                ours = previous.get((student, result.notebook, exercise.grade_id))
                verdict = exercise.points if exercise.points is not None else "none"
                manual = grade.manual_score
                if manual is not None and override_manual:
                    flags.append(f"{where}: your manual score {manual:g} was replaced by the verdict {verdict} "
                                 "(--override-manual)")
                    grade.manual_score = manual = None
                elif manual is not None and manual != exercise.points:
                    flags.append(f"{where}: your manual score {manual:g} is kept; the grader's verdict is {verdict} "
                                 "(autograde --override-manual puts the verdicts in its place)")
                if exercise.points is None:
                    grade.auto_score, grade.needs_manual_grade = None, manual is None
                    continue
                if grade.auto_score is not None and grade.auto_score not in (exercise.points, ours):
                    flags.append(f"{where}: nbgrader's in-notebook run gave {grade.auto_score:g}, the grader's "
                                 f"verdict {exercise.points:g} replaces it")
                grade.auto_score = exercise.points
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
