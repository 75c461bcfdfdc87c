"""Feedback pages from the trusted result records: points, the failed check and the diagnosis.

Unlike nbgrader's own feedback, the page never contains the hidden tests' source: only each
exercise's points and the reason it failed, which the checks write for the student. Everything
that came from a submission is HTML-escaped.
"""
import logging
from html import escape

from grading.records import Record, RecordError

log = logging.getLogger(__name__)

PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>
body {{ font-family: system-ui, sans-serif; max-width: 60rem; margin: 2rem auto; line-height: 1.5; }}
table {{ border-collapse: collapse; width: 100%; }} td, th {{ border: 1px solid #ccc; padding: .4rem; vertical-align: top; }}
.passed {{ color: #176617; }} .failed {{ color: #a31515; }} .pending {{ color: #8a5a00; }} pre {{ white-space: pre-wrap; margin: 0; }}
</style></head><body>
<h1>{title}</h1>
<p>Score: <strong>{score:g} / {max_score:g}</strong></p>
{problems}
<table><tr><th>exercise</th><th>points</th><th>result</th></tr>
{rows}
</table></body></html>
"""


def render(record):
    # A notebook-level failure (its cells did not load) is the reason of every exercise: said once.
    reasons = [e.reason for e in record.exercises if not e.passed and e.reason]
    shared = [reason for reason in dict.fromkeys(reasons) if reasons.count(reason) > 1]
    rows = []
    for exercise in record.exercises:
        reason = exercise.reason or ""
        said = (f"<p>the reason numbered {shared.index(reason) + 1} above</p>" if reason in shared
                else f"<pre>{escape(reason)}</pre>")
        if exercise.internal_error:  # what broke is for the instructor; the reason says it is not theirs
            result, points = f'<span class="pending">not graded yet</span>{said}', "–"
        elif exercise.passed:
            note = f"<pre>{escape(exercise.note)}</pre>" if exercise.note else ""
            result, points = f'<span class="passed">passed</span>{note}', f"{exercise.points:g}"
        else:
            result, points = f'<span class="failed">failed</span>{said}', f"{exercise.points:g}"
        rows.append(f"<tr><td>{escape(exercise.title or exercise.grade_id)}</td>"
                    f"<td>{points} / {exercise.max_points:g}</td><td>{result}</td></tr>")
    problems = ""
    if shared:
        items = "".join(f"<li><pre>{escape(reason)}</pre></li>" for reason in shared)
        problems += f"<p>Why several exercises failed:</p><ol>{items}</ol>"
    if record.problems:
        items = "".join(f"<li><pre>{escape(p)}</pre></li>" for p in record.problems)
        problems += f"<p>Notes on your notebook:</p><ul>{items}</ul>"
    title = f"{record.assignment}: feedback for {record.student} ({record.notebook})"
    return PAGE.format(title=escape(title), score=record.score, max_score=record.max_score,
                       problems=problems, rows="\n".join(rows))


def write_feedback(course, assignment):
    """feedback/<student>/<assignment>/<notebook>.html for every record; return the paths written.
    A record that cannot be read is logged and left out; the other pages are written."""
    course.unit(assignment)  # a clear error for a name that is not a unit
    written = []
    for path in sorted((course.records / assignment).glob("*/*.json")):
        try:
            record = Record.load(path)
        except RecordError as error:
            log.error("no feedback page from %s", error)
            continue
        out = course.feedback_path(assignment, record.student, record.notebook)
        out.parent.mkdir(parents=True, exist_ok=True)
        # Whatever a record holds, its page is written, and the next student's too.
        out.write_text(render(record), encoding="utf-8", errors="backslashreplace")
        written.append(out)
    return written
