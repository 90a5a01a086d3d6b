"""The dbt build as the orchestrator runs it, and when it must be a full refresh.

The incremental models of the dbt project keep a high-water mark of the figures they have seen and
recompute only the targets whose inputs arrived since (dbt/macros/incremental_by_target.sql). That
holds only while the code and catalogue their rows were built with are the ones running now. So the
orchestrator, not a dbt model, keeps a fingerprint of everything that shapes the rows (every model and
macro file, `dbt_project.yml` with its vars, every seed file and its properties) in the warehouse,
written after a build that succeeded, and passes ``--full-refresh`` when it differs:

- a seed whose columns changed is dropped and reloaded (dbt-duckdb loads a seed into the existing
  table's columns, so a seed that gained columns failed: the defect of 2026-12-03);
- an edited model or macro, a changed var, a target added to or removed from the catalogue recompute
  every target;
- a build that failed (or never finished) records nothing, so the next one is a full refresh too.

A full refresh drops only dbt's relations: the raw figures (schema ``raw``, written by ingestion) and
the history dbt keeps with ``full_refresh=false`` (``fct_scorecard_monthly``) stay.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from dagster_project.run_files import is_stamped, keep_newest, stamped_name

BUILDS_TABLE = "orchestration.dbt_builds"
# what shapes the rows dbt writes; singular data tests (tests/) and the profile do not
_PROJECT_PARTS = ("models", "macros")


def seed_dirs(project_dir: Path) -> list[Path]:
    """The project's seed folders, as dbt_project.yml names them (../seeds for this project)."""
    config = yaml.safe_load((project_dir / "dbt_project.yml").read_text(encoding="utf-8")) or {}
    return [(project_dir / p).resolve() for p in config.get("seed-paths", ["seeds"])]


def project_fingerprint(project_dir: Path, dbt_vars: Mapping[str, Any] | None = None, engine: str = "duckdb") -> str:
    """A hash of every model, macro and seed file, dbt_project.yml, the vars passed on the command line
    and, when it is not DuckDB, the engine (a switch of engine rebuilds everything)."""
    digest = hashlib.sha256()

    def add(label: str, data: bytes) -> None:
        digest.update(label.encode() + b"\0" + hashlib.sha256(data).digest())

    if engine != "duckdb":  # DuckDB's fingerprints stay those recorded before engines were configurable
        add("engine", engine.encode())
    add("dbt_project.yml", (project_dir / "dbt_project.yml").read_bytes())
    add("vars", json.dumps(dict(dbt_vars or {}), sort_keys=True).encode())
    for part in _PROJECT_PARTS:
        for path in sorted((project_dir / part).rglob("*")):
            if path.is_file():
                add(f"{part}/{path.relative_to(project_dir / part).as_posix()}", path.read_bytes())
    for folder in seed_dirs(project_dir):
        for path in sorted(folder.rglob("*")):
            if path.is_file():
                add(f"seeds/{path.relative_to(folder).as_posix()}", path.read_bytes())
    return digest.hexdigest()[:32]


def last_fingerprint(con: Any) -> str | None:
    """The fingerprint of the last build that succeeded, None when there was none."""
    found = con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        BUILDS_TABLE.split("."),
    ).fetchone()[0]
    if not found:
        return None
    row = con.execute(f"select fingerprint from {BUILDS_TABLE} order by finished_at desc limit 1").fetchone()
    return row[0] if row else None


def full_refresh_due(con: Any, fingerprint: str) -> bool:
    """The code, seeds or vars changed since the last build that succeeded, or since then a release was withdrawn
    or restored (``pmw withdraw``) or read again giving fewer figures: rows left or came back under the
    incremental models' marks."""
    return last_fingerprint(con) != fingerprint or _raw_removals_since_last_build(con)


def raw_removals(con: Any) -> int:
    """How many times rows left raw or came back under the incremental models' marks: a release withdrawn or
    restored (``raw.withdrawals``), or read again giving fewer figures (``raw.rereads``); 0 where none ever did."""
    found = {
        row[0]
        for row in con.execute(
            "select table_name from information_schema.tables where table_schema = 'raw'"
            " and table_name in ('withdrawals', 'rereads')"
        ).fetchall()
    }
    events = 0
    if "withdrawals" in found:
        events += con.execute("select count(*) + count(restored_at) from raw.withdrawals").fetchone()[0]
    if "rereads" in found:
        events += con.execute("select count(*) from raw.rereads").fetchone()[0]
    return events


def _raw_removals_since_last_build(con: Any) -> bool:
    """Counted, not timed: the build record's clock and the withdrawal's need not be the same zone."""
    if last_fingerprint(con) is None:
        return False  # no build yet: a full refresh anyway
    columns = {r[0] for r in con.execute(f"describe {BUILDS_TABLE}").fetchall()}
    recorded = "raw_removals" if "raw_removals" in columns else "0"
    row = con.execute(f"select {recorded} from {BUILDS_TABLE} order by finished_at desc limit 1").fetchone()
    return raw_removals(con) != (row[0] or 0)


def record_build(con: Any, fingerprint: str, full_refresh: bool) -> None:
    """Written only after dbt and its tests succeeded: the incremental rows now stand on this
    fingerprint, and the raw rows loaded so far have been tested (``raw_loaded_through``: the next
    build's tests of the staged releases read only what was loaded after it,
    dbt/macros/where_rows_of_this_run.sql)."""
    schema = BUILDS_TABLE.split(".")[0]
    con.execute(f"create schema if not exists {schema}")
    con.execute(
        f"""create table if not exists {BUILDS_TABLE} (
                fingerprint varchar not null, full_refresh boolean not null, finished_at timestamp not null
            )"""
    )
    con.execute(f"alter table {BUILDS_TABLE} add column if not exists raw_loaded_through timestamp")
    con.execute(f"alter table {BUILDS_TABLE} add column if not exists raw_removals integer")
    con.execute(
        f"insert into {BUILDS_TABLE} (fingerprint, full_refresh, finished_at, raw_loaded_through, raw_removals)"
        " values (?, ?, current_timestamp, ?, ?)",
        [fingerprint, full_refresh, raw_loaded_through(con), raw_removals(con)],
    )
    con.execute(f"comment on table {BUILDS_TABLE} is '{_BUILDS_COMMENT}'")


def raw_loaded_through(con: Any) -> Any:
    """When the newest raw row was loaded (``ingested_at``, naive UTC, of every raw table that has it);
    None when nothing was loaded."""
    tables = [
        row[0]
        for row in con.execute(
            "select table_name from information_schema.columns"
            " where table_schema = 'raw' and column_name = 'ingested_at' order by table_name"
        ).fetchall()
    ]
    if not tables:
        return None
    union = " union all ".join(f'select max(ingested_at) as loaded from raw."{name}"' for name in tables)
    return con.execute(f"select max(loaded) from ({union})").fetchone()[0]


_BUILDS_COMMENT = (
    "dbt 构建记录 / Every dbt build that succeeded (its tests included): the fingerprint of the models, macros, "
    "seeds and vars it ran with (a different one makes the next build a full refresh), whether it was one, and "
    "when the newest raw row it tested was loaded (the next build tests the raw rows loaded after it), and how many "
    "withdrawals and restores of releases it had seen (a new one makes the next build a full refresh)."
)


# dbt's unit tests test the code, not the data: they run with every build whose code, seeds or vars differ
# from the last build that passed (a full refresh then), not again with every new month of data.
WITHOUT_UNIT_TESTS = ("--exclude-resource-type", "unit_test")

# Words in a model's code that read something the fingerprint does not see (the clock, the environment,
# vars): such a model is never counted as catalogue, whatever its inputs.
_OUTSIDE_THE_FINGERPRINT = ("current_date", "current_timestamp", "now()", "today()", "env_var(", "var(")


class _Catalogue:
    """Which nodes of a parsed project (its manifest) hold the catalogue: seeds, and models whose every
    input is catalogue and whose code (with every macro it calls) reads nothing the fingerprint does not
    see. Their rows are a function of the seed and model files, all in the fingerprint."""

    def __init__(self, manifest: Mapping[str, Any]):
        self.nodes, self.macros = manifest.get("nodes", {}), manifest.get("macros", {})
        self._known: dict[str, bool] = {}

    def code_of(self, node: Mapping[str, Any]) -> str:
        """The node's code and that of every macro it calls, however deep."""
        seen, todo, parts = set(), list(node.get("depends_on", {}).get("macros", [])), [node.get("raw_code") or ""]
        while todo:
            macro = self.macros.get(todo.pop())
            if macro is None or macro["unique_id"] in seen:
                continue
            seen.add(macro["unique_id"])
            parts.append(macro.get("macro_sql") or "")
            todo.extend(macro.get("depends_on", {}).get("macros", []))
        return "\n".join(parts).lower()

    def reads_outside(self, node: Mapping[str, Any]) -> bool:
        code = self.code_of(node)
        return any(word in code for word in _OUTSIDE_THE_FINGERPRINT)

    def holds(self, unique_id: str) -> bool:
        if unique_id not in self._known:
            node = self.nodes.get(unique_id)  # a source (raw data) is not in nodes: not catalogue
            if node is None:
                self._known[unique_id] = False
            elif node["resource_type"] == "seed":
                self._known[unique_id] = True
            else:
                parents = node.get("depends_on", {}).get("nodes", [])
                self._known[unique_id] = (
                    node["resource_type"] == "model"
                    and bool(parents)
                    and not self.reads_outside(node)
                    and all(self.holds(parent) for parent in parents)
                )
        return self._known[unique_id]


def _catalogue_of(manifest: Mapping[str, Any] | _Catalogue) -> _Catalogue:
    """The manifest's catalogue, made once: walking every node's code and macros is the costly part."""
    return manifest if isinstance(manifest, _Catalogue) else _Catalogue(manifest)


def catalogue_tests(manifest: Mapping[str, Any] | _Catalogue) -> list[str]:
    """The data tests that read only the catalogue: seeds, and models whose every input is catalogue.

    Their rows are a function of the seed and model files, all in the fingerprint, so while it is
    unchanged they give the result the last build that passed gave. A test that also reads loaded data
    (a relationship from the staged releases to the regions, say) is not among them. Given a ``_Catalogue``
    already made of the manifest (plan_build makes one per plan), it reuses its memo of what holds.
    """
    catalogue = _catalogue_of(manifest)
    return sorted(
        node["name"]
        for node in catalogue.nodes.values()
        if node["resource_type"] == "test"
        and node.get("depends_on", {}).get("nodes")
        and all(catalogue.holds(parent) for parent in node["depends_on"]["nodes"])
    )


def unchanged_models(manifest: Mapping[str, Any] | _Catalogue) -> list[str]:
    """The models a build with an unchanged fingerprint would write exactly as the last one did, so an
    incremental build need not run them: the catalogue's (their rows are the seeds' and the code's) and the
    views (a view stores its query, not rows: it reads the new data when it is queried), unless their code
    reads something the fingerprint does not see. Each costs dbt 0.1-1 s however few rows a month brings
    (BENCHMARKS.md); their data tests still run. Takes the manifest or a ``_Catalogue`` made of it."""
    catalogue = _catalogue_of(manifest)
    return sorted(
        node["name"]
        for unique_id, node in catalogue.nodes.items()
        if node["resource_type"] == "model"
        and (
            catalogue.holds(unique_id)
            or (node.get("config", {}).get("materialized") == "view" and not catalogue.reads_outside(node))
        )
    )


@dataclass(frozen=True)
class BuildPlan:
    """What the orchestrator runs: dbt's arguments and the models it leaves as the last build wrote them."""

    args: list[str]
    unchanged: list[str] = field(default_factory=list)


def plan_build(
    con: Any,
    fingerprint: str,
    manifest: Mapping[str, Any] | None = None,
    *,
    engine: str = "duckdb",
    subset: bool = False,
    not_built: Sequence[str] = (),
) -> BuildPlan:
    """``build --full-refresh`` (seeds, unit tests, every data test) when the fingerprint differs from the
    last successful build's. Otherwise only data can have changed: an incremental ``build`` without the
    unit tests, without reloading the seeds (their files are the ones loaded last time) and, given the
    project's ``manifest``, without the data tests that read only the catalogue (:func:`catalogue_tests`)
    and without rewriting the models that would come out the same (:func:`unchanged_models`; their
    tests run: ``--indirect-selection empty`` keeps dbt from dropping the tests of a model left out).
    A ``subset`` (part of the project, chosen in Dagster) runs every model it names.
    On another engine than DuckDB the seeds are loaded and tested every time: the record of the last build
    is kept in the DuckDB warehouse, not where that engine keeps its tables (a cluster built anew has none).
    ``not_built``: data tests left out of every plan, as they read what the warehouse does not have yet
    (:func:`not_built_inputs`, a subset in a new warehouse)."""

    def excluding(args: list[str], names: Sequence[str]) -> list[str]:
        return [*args, "--exclude", " ".join(sorted(set(names)))] if names else args

    if full_refresh_due(con, fingerprint):
        return BuildPlan(excluding(["build", "--full-refresh"], not_built))
    if engine != "duckdb":
        return BuildPlan(excluding(["build", *WITHOUT_UNIT_TESTS], not_built))
    args = ["build", *WITHOUT_UNIT_TESTS, "--exclude-resource-type", "seed"]
    # one catalogue per plan: both lists read the same memo of which nodes hold the catalogue
    catalogue = _Catalogue(manifest) if manifest else None
    unchanged = [] if subset or catalogue is None else unchanged_models(catalogue)
    left_out = [*(catalogue_tests(catalogue) if catalogue is not None else []), *unchanged, *not_built]
    if unchanged:
        args += ["--indirect-selection", "empty"]
    return BuildPlan(excluding(args, left_out), unchanged)


class MissingInputs(RuntimeError):
    """A part of the project chosen alone reads relations the warehouse does not have yet (never built)."""


def stored_relations(con: Any) -> set[tuple[str, str]]:
    """(schema, name) of every table and view in the warehouse, lower case."""
    rows = con.execute("select lower(table_schema), lower(table_name) from information_schema.tables").fetchall()
    return {(schema, name) for schema, name in rows}


def _relation_of(props: Mapping[str, Any]) -> tuple[str, str]:
    name = props.get("identifier") or props.get("alias") or props["name"]  # a source's identifier, a node's alias
    return (str(props["schema"]).lower(), str(name).lower())


def not_built_inputs(
    manifest: Mapping[str, Any], selected: Iterable[str], stored: set[tuple[str, str]]
) -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """What a build of only the ``selected`` nodes (unique ids) would read and cannot: inputs neither
    selected nor ``stored`` (:func:`stored_relations`), as "schema.name".

    Returns (selected node's name -> its missing inputs: it cannot be built) and (data test's name ->
    the relations it reads that are missing: dbt's indirect selection runs every test of a selected node,
    the relationship tests to other seeds and tests of other nodes that read a selected one among them;
    such a test can only be left out, not run). An ephemeral model is looked through to its inputs."""
    nodes, sources = manifest.get("nodes", {}), manifest.get("sources", {})
    chosen = set(selected)

    def missing(parents: Iterable[str]) -> list[str]:
        out: list[str] = []
        for parent in parents:
            props = nodes.get(parent) or sources.get(parent)
            if props is None or parent in chosen:
                continue
            if props.get("config", {}).get("materialized") == "ephemeral":
                out += missing(props.get("depends_on", {}).get("nodes", []))
            elif _relation_of(props) not in stored:
                out.append(".".join(_relation_of(props)))
        return sorted(set(out))

    need = {
        nodes[uid]["name"]: gaps
        for uid in sorted(chosen)
        if uid in nodes and (gaps := missing(nodes[uid].get("depends_on", {}).get("nodes", [])))
    }
    tests = {
        node["name"]: gaps
        for node in nodes.values()
        if node["resource_type"] == "test"
        and chosen.intersection(node.get("depends_on", {}).get("nodes", []))
        and (gaps := missing(node["depends_on"]["nodes"]))
    }
    return need, tests


def build_args(
    con: Any, fingerprint: str, manifest: Mapping[str, Any] | None = None, *, engine: str = "duckdb"
) -> list[str]:
    """The arguments of :func:`plan_build` for a build of the whole project."""
    return plan_build(con, fingerprint, manifest, engine=engine).args


def read_manifest(path: Path | None) -> dict[str, Any] | None:
    """The parsed project's manifest.json, None when there is none (then every data test runs)."""
    if path is None or not path.is_file():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


# Each build's dbt folder (compiled SQL, dbt.log: about 20 MB) goes under the home, not into the code's
# dbt/target, and only the newest are kept (dagster_project/run_files.py).
KEEP_DBT_RUNS = 20
DBT_RUNS_FOLDER = "dbt_runs"  # under DAGSTER_HOME: one folder per build (new_run_folder)


def new_run_folder(runs_dir: Path, run_id: str | None = None) -> Path:
    """A new folder for one dbt invocation under ``runs_dir``, named by its start and the Dagster run's id."""
    folder = runs_dir / stamped_name(run_id)
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def prune_run_folders(runs_dir: Path, keep: int = KEEP_DBT_RUNS) -> list[Path]:
    """Delete all but the newest ``keep`` folders :func:`new_run_folder` made; the deleted ones are returned.
    Nothing else under ``runs_dir`` is touched."""
    return keep_newest((p for p in runs_dir.iterdir() if p.is_dir() and is_stamped(p)), keep)


def dbt_build(
    dbt: Any,
    duckdb: Any,
    project_dir: Path,
    context: Any = None,
    *,
    record: bool = True,
    engine: str = "duckdb",
    hooks: Any = None,
    manifest: Path | None = None,
    runs_dir: Path,
) -> Iterator[Any]:
    """`dbt build`, a full refresh when the fingerprint differs from the last successful build's.

    ``dbt`` is a DbtCliResource and ``duckdb`` a DuckDBResource on the same warehouse. The connection
    is closed while dbt runs (DuckDB allows one writing process per file). With a Dagster context the
    events are Dagster's (outputs and asset checks); without one, dbt's raw events (tests, the bench).
    ``record=False`` for a run of part of the project, which must not vouch for the rest.
    ``hooks`` (dagster_project.engine.build_hooks) run before and after dbt when the engine is not
    DuckDB: the raw tables go to the engine, the relations the checks and the publish read come back.
    ``manifest`` is the parsed project's manifest.json (default: ``target/manifest.json`` of the project).
    ``runs_dir``: where dbt's folder for this build goes (:func:`new_run_folder`; when it starts, the older
    ones beyond :data:`KEEP_DBT_RUNS` are deleted).
    """
    fingerprint = project_fingerprint(project_dir, engine=engine)
    parsed = read_manifest(manifest or project_dir / "target" / "manifest.json")
    subset = context is not None and context.is_subset
    with duckdb.get_connection() as con:
        # raw's tables as this code's models read them (a column added since the warehouse was built)
        from dagster_project.ingest.store import upgrade_schema  # lazy: the build's imports stay light

        upgrade_schema(con)
        not_built = _check_subset_inputs(context, parsed, con) if subset and parsed and engine == "duckdb" else []
        plan = plan_build(con, fingerprint, parsed, engine=engine, subset=subset, not_built=not_built)
    args = plan.args
    if hooks is not None:
        hooks.before()
    folder = new_run_folder(runs_dir, context.run.run_id if context is not None else None)
    prune_run_folders(runs_dir)  # this build's folder is the newest: kept, to read if the build fails
    invocation = dbt.cli(args, context=context, target_path=folder)
    if context is None:
        yield from invocation.stream_raw_events()
    else:
        yield from _with_unchanged_outputs(context, invocation.stream(), plan.unchanged, fingerprint)
    if hooks is not None:
        hooks.after()
    if record:
        with duckdb.get_connection() as con:
            record_build(con, fingerprint, "--full-refresh" in args)


def _check_subset_inputs(context: Any, manifest: Mapping[str, Any], con: Any) -> list[str]:
    """For a part of the project chosen in Dagster: raise :class:`MissingInputs`, before dbt runs, when a
    chosen model reads what the warehouse does not have yet (a new warehouse); return the data tests to
    leave out as they read such relations (a seed's relationship to another seed), each named in the log."""
    from dagster_dbt.asset_utils import DAGSTER_DBT_UNIQUE_ID_METADATA_KEY

    assets_def = context.assets_def
    selected = {
        assets_def.get_asset_spec(key).metadata[DAGSTER_DBT_UNIQUE_ID_METADATA_KEY]
        for key in context.selected_asset_keys
    }
    need, tests = not_built_inputs(manifest, selected, stored_relations(con))
    if need:
        listed = "; ".join(f"{name} reads {', '.join(gaps)}" for name, gaps in sorted(need.items()))
        raise MissingInputs(
            f"缺少上游 / cannot build the chosen part of the project alone: {listed}, not built in this "
            "warehouse yet. Choose those too, or build the whole project (`pmw run`, or the build_and_publish "
            "job); nothing was built"
        )
    for name, gaps in sorted(tests.items()):
        context.log.warning(
            f"dbt test {name} not run: it reads {', '.join(gaps)}, not built in this warehouse yet "
            "(its check stays unevaluated until the whole project is built)"
        )
    return sorted(tests)


def _with_unchanged_outputs(context: Any, events: Iterator[Any], models: list[str], fingerprint: str) -> Iterator[Any]:
    """dbt's events, with an output for each model the build left as the last one wrote it: the assets
    downstream (the checks, the publish) wait for every mart they read, and these are current, not rebuilt.
    Dagster wants a multi-asset's outputs in the graph's order, so each is given just before the first
    output that depends on it (its own inputs, built earlier by dbt, are then given), the rest at the end."""
    import dagster as dg
    from dagster_dbt import get_asset_key_for_model

    assets_def = context.assets_def
    selected = set(context.op_execution_context.selected_output_names)
    pending = [
        key
        for key in (get_asset_key_for_model([assets_def], model) for model in models)
        if key.to_python_identifier() in selected
    ]
    upstream = {key: set(deps) for key, deps in assets_def.asset_deps.items()}

    def ancestors(key: Any) -> set[Any]:
        seen, todo = set(), list(upstream.get(key, ()))
        while todo:
            parent = todo.pop()
            if parent not in seen:
                seen.add(parent)
                todo.extend(upstream.get(parent, ()))
        return seen

    def give(keys: list[Any]) -> Iterator[Any]:
        """``keys`` out of ``pending``, each after those of them it depends on."""
        for key in sorted(keys, key=lambda k: len(ancestors(k))):  # an ancestor has fewer ancestors
            pending.remove(key)
            yield dg.Output(
                None,
                output_name=key.to_python_identifier(),
                metadata={
                    "rebuilt": False,
                    "why": f"未变 / unchanged since the last build of fingerprint {fingerprint}: "
                    "its code, its catalogue inputs or its view definition are those of that build",
                },
            )

    for event in events:
        if isinstance(event, dg.Output) and pending:
            needed = ancestors(assets_def.keys_by_output_name[event.output_name])
            yield from give([key for key in pending if key in needed])
        yield event
    yield from give(list(pending))
