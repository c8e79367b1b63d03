"""The project's own imports are warning-free: every module imports under ``python -W error``.

Third-party warnings raised while the project imports (pydub's ``audioop``
deprecation, raised as manim loads) are filtered where they arise, one by one:
see ``lessonkit/__init__.py``. Each check runs in a fresh interpreter started
with ``-W error``, so a warning at import is an exception and a non-zero exit.
``__main__`` modules are left out: importing one runs the program.
"""

from __future__ import annotations

import os
import pkgutil
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("momentum_math", "lessonkit", "lesson_narration", "lesson_chapters", "lesson_build")

#: Imports the modules named in argv in order; on the first failure prints its name and
#: re-raises (under -W error a warning is the failure).
SCRIPT = """
import importlib, sys
for name in sys.argv[1:]:
    try:
        importlib.import_module(name)
    except BaseException:
        print("failed importing", name, file=sys.stderr)
        raise
"""


def modules(package: str) -> list[str]:
    """The package and its modules, found on disk (nothing imported), ``__main__`` left out."""
    found = [package]
    for info in pkgutil.walk_packages([str(ROOT / package)], f"{package}."):
        if info.name.rsplit(".", 1)[-1] != "__main__":
            found.append(info.name)
    return found


def import_with_warnings_as_errors(names: list[str]) -> subprocess.CompletedProcess[str]:
    """``python -W error`` importing ``names`` in order, from the project root."""
    environment = {key: value for key, value in os.environ.items() if key != "PYTHONWARNINGS"}
    return subprocess.run(
        [sys.executable, "-W", "error", "-c", SCRIPT, *names],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=300,
    )


def test_every_module_of_every_package_imports_without_a_warning():
    names = [name for package in PACKAGES for name in modules(package)]
    # the discovery finds the modules that import manim (else this proves little)
    assert {"lessonkit.narration", "lesson_chapters.velocity", "lesson_build.cli"} <= set(names)
    assert "lesson_build.__main__" not in names
    done = import_with_warnings_as_errors(names)
    assert done.returncode == 0, done.stderr[-3000:]


#: The packages whose modules import manim (the others never load it: see
#: tests/test_build_isolation.py), each checked alone as well, so that its own first
#: module is the first to import manim.
MANIM_PACKAGES = ("lessonkit", "lesson_chapters")


@pytest.mark.parametrize("package", MANIM_PACKAGES)
def test_each_package_imports_without_a_warning_on_its_own(package):
    """Each package alone, its own first module importing manim first (not another package's)."""
    done = import_with_warnings_as_errors(modules(package))
    assert done.returncode == 0, done.stderr[-3000:]


def test_the_brief_s_import_line_is_warning_free():
    """The line from issue 20: build, toolkit and a storyboard together."""
    names = [
        "lesson_build.cli",
        "lesson_build.pipeline",
        "lessonkit.narration",
        "lessonkit.chapters",
        "lesson_chapters.velocity",
    ]
    done = import_with_warnings_as_errors(names)
    assert done.returncode == 0, done.stderr[-3000:]


@pytest.mark.slow
def test_every_module_imports_without_a_warning_when_imported_first():
    """Each module alone in its own interpreter: whichever is first to import manim."""
    names = [name for package in PACKAGES for name in modules(package)]
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = pool.map(lambda name: import_with_warnings_as_errors([name]), names)
        results = dict(zip(names, runs, strict=True))
    failed = {name: done.stderr[-600:] for name, done in results.items() if done.returncode}
    assert not failed, failed
