"""Expectation suites kept as JSON in ``expectations/``, versioned with the code.

A suite file is GX 1.x's own suite JSON (``name``, ``expectations`` with ``type``/``kwargs``) plus
what this project requires of every expectation: a ``severity`` (``critical`` blocks, ``warning``
asks a human to look), ``notes`` saying why it exists, a ``description`` readers see (中文 / English)
and a stable ``meta.check_id`` (reports, tests). The suite's ``meta`` says what a batch is and which
columns identify a row in reports.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from dagster_project.settings import REPO_ROOT

SEVERITIES = ("critical", "warning")


class SuiteError(ValueError):
    """A suite file that does not meet the project's rules (see module docstring)."""


# ``expectations/`` in the checkout; the settings' expectations_dir (PMW_EXPECTATIONS_DIR) points
# elsewhere (a trial suite): callers with settings pass it as ``directory``.
EXPECTATIONS_DIR = REPO_ROOT / "expectations"


@dataclass(frozen=True)
class Suite:
    name: str
    title: str
    row_id_columns: tuple[str, ...]
    expectations: tuple[dict, ...]
    meta: dict
    version: str  # sha256 of the file: which suite judged a batch, recorded in reports and manifests
    path: Path

    @property
    def parameter_names(self) -> tuple[str, ...]:
        """The names of the ``{"$PARAMETER": name}`` values its expectations take, in order of use."""
        found: dict[str, None] = {}

        def walk(value) -> None:
            if isinstance(value, dict):
                if isinstance(value.get("$PARAMETER"), str):
                    found[value["$PARAMETER"]] = None
                for item in value.values():
                    walk(item)
            elif isinstance(value, list):
                for item in value:
                    walk(item)

        walk([exp.get("kwargs") for exp in self.expectations])
        return tuple(found)

    def to_gx_dict(self) -> dict:
        """The suite as GX's ExpectationSuite takes it (fresh copies: GX mutates what it is given)."""
        return {
            "name": self.name,
            "expectations": json.loads(json.dumps(list(self.expectations))),
            "meta": {"title": self.title, "version": self.version},
        }


def load_suite(name: str, directory: Path | None = None) -> Suite:
    path = (directory or EXPECTATIONS_DIR) / f"{name}.json"
    raw = path.read_bytes()
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise SuiteError(f"{path}: not valid JSON: {exc}") from exc
    if data.get("name") != name:
        raise SuiteError(f"{path}: name is {data.get('name')!r}, expected {name!r}")
    expectations = data.get("expectations") or []
    if not expectations:
        raise SuiteError(f"{path}: no expectations")
    seen: set[str] = set()
    for i, exp in enumerate(expectations):
        where = f"{path.name} expectation {i} ({exp.get('type')})"
        check_id = (exp.get("meta") or {}).get("check_id")
        if not check_id or check_id in seen:
            raise SuiteError(f"{where}: meta.check_id must be set and unique in the suite")
        seen.add(check_id)
        if exp.get("severity") not in SEVERITIES:
            raise SuiteError(f"{where}: severity must be one of {SEVERITIES}")
        if not str(exp.get("notes") or "").strip():
            raise SuiteError(f"{where}: notes must say why the expectation exists")
        if not str(exp.get("description") or "").strip():
            raise SuiteError(f"{where}: description (中文 / English) is what readers see")
    meta = data.get("meta") or {}
    return Suite(
        name=name,
        title=meta.get("title", name),
        row_id_columns=tuple(meta.get("row_id_columns", ())),
        expectations=tuple(expectations),
        meta=meta,
        version=hashlib.sha256(raw).hexdigest()[:12],
        path=path,
    )


def suite_names(directory: Path | None = None) -> list[str]:
    return sorted(p.stem for p in (directory or EXPECTATIONS_DIR).glob("*.json"))
