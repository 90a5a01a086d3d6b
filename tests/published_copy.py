"""Test helper: is a published version folder intact? (Readers never need it: the publish audits
before it switches; the tests check what it left behind.)"""

from __future__ import annotations

import json
from pathlib import Path

import duckdb

from dagster_project.landing import file_sha256


def verify_version(version_dir: Path) -> list[str]:
    """Problems with a published version folder (empty list = intact): every file the manifest
    lists is there with its checksum, and the DuckDB copy opens and holds the manifest's row counts."""
    manifest_path = version_dir / "manifest.json"
    if not manifest_path.is_file():
        return [f"{version_dir}: no manifest.json"]
    manifest = json.loads(manifest_path.read_text(encoding="utf-8"))
    problems = []
    for relative, expected in manifest.get("files", {}).items():
        path = version_dir / relative
        if not path.is_file():
            problems.append(f"{relative}: missing")
        elif file_sha256(path) != expected["sha256"]:
            problems.append(f"{relative}: checksum differs from the manifest")
    if not problems:
        con = duckdb.connect(str(version_dir / "marts.duckdb"), read_only=True)
        try:
            for table, rows in manifest["row_counts"].items():
                found = con.execute(f"SELECT count(*) FROM {table}").fetchall()[0][0]
                if found != rows:
                    problems.append(f"{table}: {found} rows, manifest says {rows}")
        finally:
            con.close()
    return problems
