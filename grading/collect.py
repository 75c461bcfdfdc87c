"""Put submitted notebooks where nbgrader keeps them: submitted/<student>/<assignment>/<notebook>.

Takes a folder of notebooks or an LMS download (a zip). The student id is the file's folder
(``alice/01_matrix_calculus.ipynb``, Moodle-style ``Alice Smith_1234_assignsubmission_file_/x.ipynb``)
or else its name (``alice.ipynb``, Canvas-style ``alice_1234_5678_x.ipynb``), up to the first ``_``,
followed by the LMS's user id where the name has one: ``alice``, ``Alice-Smith-1234``, ``alice-1234``.
The submission time is stamped here, on the instructor's side, never taken from the student.
"""
import logging
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from collections import defaultdict
from datetime import datetime, timezone
from pathlib import Path

from grading.course import CourseError

log = logging.getLogger(__name__)

MAX_UNZIPPED_BYTES = 2 * 2**30


def student_id(relative):
    """The student id a file at `relative` (a path inside the collected folder) belongs to, or ""
    when its name holds nothing usable.

    An LMS download names each person by their display name and the LMS's own unique user id; the id
    is kept, after the name, so two people of one name stay two students and the name stays readable
    ("Carol Smith_4321_..." is Carol-Smith-4321). Letters of any script are kept (NFC-normalised, so
    that the same name typed two ways is one id); anything else becomes "-".
    """
    parts = Path(relative).parts
    name = parts[0] if len(parts) > 1 else Path(parts[0]).stem
    name = unicodedata.normalize("NFC", name.split("_")[0].strip())
    name = re.sub(r"[^\w.-]+", "-", name).strip("-._")
    return "-".join(part for part in (name, _lms_id(relative)) if part)


def collect(course, assignment, source):
    """Copy every notebook of `source` (folder or .zip) into submitted/; return [(student, notebook path)].

    A notebook whose owner cannot be told, and notebooks of different folders or files that read
    as the same student, are skipped (never merged, never overwriting each other) and reported on
    stderr; the rest are collected.
    """
    source = Path(source)
    notebooks = [notebook.path for notebook in course.unit(assignment).notebooks]
    with tempfile.TemporaryDirectory() as unpacked:
        if source.is_file() and zipfile.is_zipfile(source):
            folder = Path(unpacked)
            _unzip(source, folder)
        elif source.is_dir():
            folder = source
        else:
            raise CourseError(f"{source} is neither a folder nor a zip file")
        stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f %Z")
        collected = {}
        for student, paths in _by_student(folder, notebooks).items():
            # One notebook per unit: of several, the newest is the one handed in.
            for path in sorted(paths, key=lambda p: p.stat().st_mtime) if len(notebooks) == 1 else paths:
                target_folder = course.submitted / student / assignment
                # One notebook per unit: whatever the file is called, it is that notebook.
                name = path.name if any(n.name == path.name for n in notebooks) else notebooks[0].name
                if student in collected and len(notebooks) == 1:
                    log.warning(f"several notebooks for {student}; keeping the newest, {path.relative_to(folder)}")
                target_folder.mkdir(parents=True, exist_ok=True)
                shutil.copy(path, target_folder / name)
                (target_folder / "timestamp.txt").write_text(stamp)
                collected[student] = target_folder / name
    return sorted(collected.items())


def _by_student(folder, notebooks):
    """{student: [notebook paths]} of `folder`, leaving out (and reporting) what cannot be told apart."""
    owners = defaultdict(lambda: defaultdict(list))  # student -> top-level entry -> paths
    for path in _notebooks(folder):
        relative = path.relative_to(folder)
        student = student_id(relative)
        if len(relative.parts) == 1 and any(relative.name == n.name for n in notebooks):
            log.warning(f"skipped {relative}: it has the assignment's own name, so it names no student (name it "
                  "<student>.ipynb or put it in a folder <student>/)")
            continue
        if not student:
            log.warning(f"skipped {relative}: cannot tell whose submission it is (name it <student>.ipynb or put it "
                  "in a folder <student>/)")
            continue
        owners[student][_lms_id(relative)].append(path)
    students = {}
    for student, by_lms_id in owners.items():
        if len(by_lms_id) > 1:  # one id, from entries with and without the LMS's own id: two people?
            entries = sorted({path.relative_to(folder).parts[0] for paths in by_lms_id.values() for path in paths})
            log.warning(f"skipped {', '.join(entries)}: they all read as student {student!r}, so none was collected; "
                  "rename them so that each id is one person's")
            continue
        students[student] = [path for paths in by_lms_id.values() for path in paths]
    return students


def _lms_id(relative):
    """The LMS's own user id in an LMS download's name (Moodle's participant id, Canvas's user id:
    the first all-digit field after the name), or "" when the name has none."""
    parts = Path(relative).parts
    name = parts[0] if len(parts) > 1 else Path(parts[0]).stem
    return next((field for field in name.split("_")[1:] if field.isdigit()), "")


def _notebooks(folder):
    """Every notebook under `folder`, reaching none through a symbolic link (it could point anywhere)."""
    found = []
    for parent, folders, files in os.walk(folder):
        folders[:] = [f for f in folders if f != ".ipynb_checkpoints" and not os.path.islink(os.path.join(parent, f))]
        for name in files:
            path = Path(parent) / name
            if name.endswith(".ipynb") and not name.startswith("._"):
                if path.is_symlink():
                    log.warning(f"skipped {path.relative_to(folder)}: it is a link, not a notebook")
                    continue
                found.append(path)
    return sorted(found)


def _unzip(archive, folder):
    with zipfile.ZipFile(archive) as zipped:
        members = [m for m in zipped.infolist() if not m.is_dir()]
        if sum(m.file_size for m in members) > MAX_UNZIPPED_BYTES:
            raise CourseError(f"{archive} unpacks to more than {MAX_UNZIPPED_BYTES // 2**30} GiB")
        for member in members:
            relative = Path(member.filename)
            if relative.is_absolute() or ".." in relative.parts:
                raise CourseError(f"{archive} holds an unsafe path: {member.filename}")
            target = folder / relative
            target.parent.mkdir(parents=True, exist_ok=True)
            with zipped.open(member) as src, open(target, "wb") as dst:
                shutil.copyfileobj(src, dst)
            stamp = datetime(*member.date_time).timestamp()  # so that "the newest" means the newest handed in
            os.utime(target, (stamp, stamp))
