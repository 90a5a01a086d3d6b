"""Settings are read once (issue 14, "settings as a resource"): the environment is read in
``dagster_project/settings.py`` alone, the settings are built once per process entry point (the `pmw`
command group, the code location's module-level ``defs``) and passed on; no module builds them at import
time, and nothing writes the environment.

The source is read with ``ast``, so a reading of the environment cannot hide in a string or a comment,
and one that an import renames (``from os import environ as env``) is still seen."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from tests.conftest import REPO

PACKAGE = REPO / "dagster_project"
SETTINGS_MODULE = "dagster_project/settings.py"
# dagster_project/engine.py belongs to the Spark work (issue 17): it still falls back to PMW_ENGINE,
# PMW_SPARK_METHOD and PMW_SPARK_THRIFT_HOST/PORT for scripts/cluster*.py and its own tests. Every other
# module must take what it needs from the settings.
READS_ENV_ELSEWHERE = {"dagster_project/engine.py"}
# where the settings are built from the environment: the CLI's entry point and the code location's defs
BUILDS_SETTINGS = {"dagster_project/cli.py", "dagster_project/definitions.py"}


def _modules() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "__pycache__" not in p.parts)


def _name(path: Path) -> str:
    return path.relative_to(REPO).as_posix()


def environment_reads(tree: ast.AST) -> list[int]:
    """Lines that touch the process environment: os.environ / os.getenv / os.putenv / os.unsetenv,
    or any of them imported from os (under whatever name)."""
    lines = []
    names = {"environ", "getenv", "putenv", "unsetenv", "environb", "getenvb"}
    for node in ast.walk(tree):
        if isinstance(node, ast.Attribute) and node.attr in names:
            if isinstance(node.value, ast.Name) and node.value.id == "os":
                lines.append(node.lineno)
        elif (
            isinstance(node, ast.ImportFrom)
            and node.module == "os"
            and any(alias.name in names for alias in node.names)
        ):
            lines.append(node.lineno)
    return lines


def _calls(tree: ast.AST, name: str) -> list[ast.Call]:
    return [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and (
            (isinstance(node.func, ast.Name) and node.func.id == name)
            or (isinstance(node.func, ast.Attribute) and node.func.attr == name)
        )
    ]


def _module_level_calls(tree: ast.Module, name: str) -> list[int]:
    """Calls of ``name`` that run when the module is imported (outside every function body)."""
    inside_functions: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            inside_functions |= {id(n) for n in ast.walk(node) if n is not node}
    return [call.lineno for call in _calls(tree, name) if id(call) not in inside_functions]


def _parsed() -> dict[str, ast.Module]:
    return {_name(p): ast.parse(p.read_text(encoding="utf-8"), filename=str(p)) for p in _modules()}


def test_only_the_settings_module_reads_the_environment():
    found = {
        name: lines
        for name, tree in _parsed().items()
        if name != SETTINGS_MODULE and name not in READS_ENV_ELSEWHERE and (lines := environment_reads(tree))
    }
    assert not found, f"read the environment outside {SETTINGS_MODULE} (take it from the settings): {found}"


def test_the_settings_are_built_only_at_the_entry_points():
    found = {
        name: [call.lineno for call in _calls(tree, "load_settings")]
        for name, tree in _parsed().items()
        if name not in BUILDS_SETTINGS | {SETTINGS_MODULE} and _calls(tree, "load_settings")
    }
    assert not found, f"load_settings() outside the entry points {sorted(BUILDS_SETTINGS)}: {found}"


def test_no_module_builds_the_settings_at_import_time_but_the_code_locations_defs():
    parsed = _parsed()
    found = {
        name: lines
        for name, tree in parsed.items()
        if name != "dagster_project/definitions.py" and (lines := _module_level_calls(tree, "load_settings"))
    }
    assert not found, f"load_settings() at import time: {found}"
    assert len(_module_level_calls(parsed["dagster_project/definitions.py"], "load_settings")) == 1


@pytest.mark.parametrize(
    "source, reads",
    [
        ("import os\nx = os.environ.get('A')", True),
        ("import os\nos.environ.setdefault('A', 'b')", True),
        ("import os\nx = os.getenv('A')", True),
        ("from os import environ as env\nx = env['A']", True),
        ("import os\nx = os.path.join('a', 'b')  # os.environ in a comment", False),
        ("x = 'os.environ'", False),
    ],
)
def test_the_scan_sees_a_reading_of_the_environment(source, reads):
    assert bool(environment_reads(ast.parse(source))) is reads


def test_the_scan_sees_a_call_at_import_time():
    tree = ast.parse("from s import load_settings\n_s = load_settings()\ndef f():\n    return load_settings()\n")
    assert _module_level_calls(tree, "load_settings") == [2]
