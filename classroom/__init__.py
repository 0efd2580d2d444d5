"""Tools for teaching the course, for instructors (not part of the student edition).

* :mod:`classroom.release`: ``./course release student|instructor DIR``, a copy
  of the course without (or with) the model answers;
* :mod:`classroom.grade`: ``./course grade SUBMISSIONS``, students' notebooks
  re-run in a sandbox and graded by the course's own exercise checkers;
* :mod:`classroom.sandbox`: the isolation a submission runs in;
* :mod:`classroom.answers`: the fingerprints of the model answers, and the
  search that proves a folder holds none;
* :mod:`classroom.submissions`: finding who handed in which notebook in the
  folders that learning platforms export;
* :mod:`classroom.course`: the catalogue of exercises and the notebooks' sections.

The package lives beside ``cnnlib`` and is run from the course folder
(``python -m classroom``, which ``./course`` calls); ``cnnlib`` never imports it.
"""

LEVELS_HELP = """isolation levels, strongest first (the report says which one was used):
  bubblewrap         bwrap: the kernel sees only /usr, Python, the course library without
                     answers and its own folder; no network; as 'nobody' when run as root
  unprivileged-user  root without bwrap: the kernel runs as 'nobody' without network, but
                     can read every world-readable file (the repository's answers too)
  none               the kernel runs as you: only time and memory are limited
"""
