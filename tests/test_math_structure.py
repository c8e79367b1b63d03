"""momentum_math's modules form layers: no import cycle, and its leaf modules import nothing of it.

Each module's imports from the package are found two ways, neither of which
parses source:

* at run time: a fresh interpreter imports the module alone (the package's
  ``__init__``, which imports everything, is replaced by a bare package) and
  reports which package modules got loaded;
* from bytecode: every ``IMPORT_NAME`` instruction in the module's code objects,
  nested ones included, so an import deferred into a function body (the kind
  that hid a cycle: ``rules`` and ``surfaces`` once imported
  ``simulation.check_budget`` inside functions, while ``simulation`` imports
  them) counts as well.

Both must agree with :data:`LAYERS`: a module loads and imports only modules of
lower layers. The derived graph must then be acyclic.
"""

from __future__ import annotations

import dis
import graphlib
import importlib.util
import json
import pkgutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import CodeType

import pytest

import momentum_math

PACKAGE = "momentum_math"
PACKAGE_DIR = Path(momentum_math.__path__[0]).resolve()

#: The package's modules, lowest layer first. A module may import modules of lower
#: layers only; the leaves (layer 0) import nothing of the package.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("_budget", "_scaling", "_validate"),
    ("rules", "surfaces", "worked_example"),
    ("formula", "simulation", "theory"),
    ("optimizers", "presets"),
)
LAYER = {name: level for level, names in enumerate(LAYERS) for name in names}
#: ``momentum_math`` itself (its ``__init__`` imports every module) sits above them all.
LAYER[PACKAGE] = len(LAYERS)
MODULES = sorted(name for name in LAYER if name != PACKAGE)

#: Imports ``momentum_math.<argv[2]>`` with a bare ``momentum_math`` package found at
#: ``argv[1]`` (its ``__init__`` not run) and prints the package modules then loaded,
#: with their files.
ALONE_SCRIPT = textwrap.dedent(
    """
    import importlib, importlib.machinery, importlib.util, json, sys

    root, name = sys.argv[1], sys.argv[2]
    spec = importlib.machinery.ModuleSpec("momentum_math", None, is_package=True)
    spec.submodule_search_locations = [root]
    sys.modules["momentum_math"] = importlib.util.module_from_spec(spec)
    importlib.import_module("momentum_math." + name)
    print(json.dumps({
        module.removeprefix("momentum_math."): getattr(sys.modules[module], "__file__", None)
        for module in sys.modules if module.startswith("momentum_math.")
    }))
    """
)


def _loaded_alone(name: str) -> set[str]:
    """The package modules that importing ``momentum_math.<name>`` alone loads (not itself)."""
    completed = subprocess.run(
        [sys.executable, "-c", ALONE_SCRIPT, str(PACKAGE_DIR), name],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert completed.returncode == 0, f"importing momentum_math.{name} alone: {completed.stderr}"
    files = json.loads(completed.stdout.strip().splitlines()[-1])
    for module, file in files.items():  # not some other copy (an editable install's finder)
        assert file is not None and Path(file).resolve().parent == PACKAGE_DIR, (module, file)
    return set(files) - {name}


def _code_objects(code: CodeType) -> Iterator[CodeType]:
    """``code`` and every code object nested in it (functions, classes, comprehensions)."""
    yield code
    for constant in code.co_consts:
        if isinstance(constant, CodeType):
            yield from _code_objects(constant)


def _imported_in_bytecode(name: str) -> set[str]:
    """The package modules (or the package itself) that any import statement in ``name`` names."""
    qualified = f"{PACKAGE}.{name}"
    spec = importlib.util.find_spec(qualified)
    assert spec is not None and spec.loader is not None, qualified
    assert spec.origin is not None and Path(spec.origin).resolve().parent == PACKAGE_DIR, spec
    code = spec.loader.get_code(qualified)
    targets: set[str] = set()
    for block in _code_objects(code):
        instructions = list(dis.get_instructions(block))
        for position, instruction in enumerate(instructions):
            if instruction.opname != "IMPORT_NAME":
                continue
            # IMPORT_NAME pops the level and the fromlist, pushed just before it.
            pushed = instructions[position - 2 : position]
            assert len(pushed) == 2 and all(
                item.opname in {"LOAD_CONST", "LOAD_SMALL_INT"} for item in pushed
            ), f"{qualified}: unexpected bytecode before {instruction}: {pushed}"
            level, fromlist = pushed[0].argval, pushed[1].argval
            imported = importlib.util.resolve_name("." * level + instruction.argval, qualified)
            targets |= _package_modules(imported, fromlist or ())
    return targets - {name}


def _package_modules(imported: str, fromlist: tuple[str, ...]) -> set[str]:
    """What ``from <imported> import <fromlist>`` (or ``import <imported>``) needs of the package.

    ``from momentum_math import rules`` needs the module ``rules``; a name from the
    package's ``__init__`` (``from momentum_math import simulate``) needs the package.
    """
    if imported.startswith(f"{PACKAGE}."):
        return {imported.removeprefix(f"{PACKAGE}.").split(".")[0]}
    if imported != PACKAGE:
        return set()
    return {item if item in MODULES else PACKAGE for item in fromlist} or {PACKAGE}


@pytest.fixture(scope="module")
def loaded_alone() -> dict[str, set[str]]:
    return {name: _loaded_alone(name) for name in MODULES}


@pytest.fixture(scope="module")
def imported_in_bytecode() -> dict[str, set[str]]:
    return {name: _imported_in_bytecode(name) for name in MODULES}


def _violations(graph: dict[str, set[str]]) -> list[str]:
    return [
        f"{name} (layer {LAYER[name]}) -> {target} (layer {LAYER.get(target, '?')})"
        for name, targets in sorted(graph.items())
        for target in sorted(targets)
        if LAYER.get(target, len(LAYERS) + 1) >= LAYER[name]
    ]


def test_the_layers_name_every_module_once():
    names = [name for layer in LAYERS for name in layer]
    assert len(names) == len(set(names))
    found = {info.name for info in pkgutil.iter_modules([str(PACKAGE_DIR)])}
    assert found == set(names), "give each module of momentum_math a layer in LAYERS"


def test_leaf_modules_load_nothing_else_of_the_package(loaded_alone, imported_in_bytecode):
    for name in LAYERS[0]:
        assert loaded_alone[name] == set(), name
        assert imported_in_bytecode[name] == set(), name


def test_importing_a_module_alone_loads_only_lower_layers(loaded_alone):
    assert _violations(loaded_alone) == []


def test_every_import_statement_names_a_lower_layer(imported_in_bytecode):
    """Imports inside functions count: they are cycles that only bite at call time."""
    assert _violations(imported_in_bytecode) == []


def test_the_import_graph_is_acyclic(loaded_alone, imported_in_bytecode):
    graph = {name: loaded_alone[name] | imported_in_bytecode[name] for name in MODULES}
    try:
        order = list(graphlib.TopologicalSorter(graph).static_order())
    except graphlib.CycleError as error:
        pytest.fail(f"momentum_math has an import cycle: {' -> '.join(error.args[1])}")
    assert set(MODULES) <= set(order)


def test_the_bytecode_scan_sees_deferred_imports():
    """The scan reads function bodies: a deferred import is found like a top-level one."""

    def deferred() -> None:
        from momentum_math.simulation import check_budget  # noqa: F401

    targets: set[str] = set()
    for block in _code_objects(deferred.__code__):
        for instruction in dis.get_instructions(block):
            if instruction.opname == "IMPORT_NAME":
                targets |= _package_modules(instruction.argval, ())
    assert targets == {"simulation"}
    assert _package_modules("momentum_math", ("rules", "simulate")) == {"rules", PACKAGE}
