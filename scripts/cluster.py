"""本地集群 / A local cluster from the installed packages: standalone Spark and PostgreSQL on 127.0.0.1.

    python scripts/cluster.py up      # make spark-up: Spark master + worker + Thrift server, and PostgreSQL
    python scripts/cluster.py down    # make spark-down: stop them, by the PIDs recorded at start
    python scripts/cluster.py env     # the PMW_* variables that point dbt and Dagster at it (eval-able)

Spark comes from the pyspark wheel (its ``bin/spark-class`` and ``bin/spark-submit``; the wheel ships the
Thrift server), Delta Lake's jars from Maven Central (``make setup`` copies them into
``.venv/spark-jars``; without them the tables are Parquet), PostgreSQL from Debian's binaries
(``/usr/lib/postgresql/*/bin``). Every process listens on 127.0.0.1 on a free port; their PIDs, ports and
the URLs are written to ``<home>/cluster.json`` (home: ``$PMW_CLUSTER_HOME``, default ``var/cluster``), and
``down`` stops those PIDs and their child processes (Spark's executors), nothing found by name.
A start that fails stops what it had started. docs/cluster.md says how the same settings point at a real
cluster.
"""

from __future__ import annotations

import argparse
import contextlib
import glob
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psutil

REPO = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
STATE_FILE = "cluster.json"
DELTA_EXTENSION = "io.delta.sql.DeltaSparkSessionExtension"
DELTA_CATALOG = "org.apache.spark.sql.delta.catalog.DeltaCatalog"
# Small enough for a 2-core, shared machine; docs/cluster.md says what to raise on a real cluster.
WORKER_CORES = 2
WORKER_MEMORY = "2g"
EXECUTOR_MEMORY = "1g"
# The Thrift server (the driver) plans every statement; with 1 GB its serial collector ran 44 full and 660
# young collections in the portability module (341 s of pauses, all queries stopped): the plans of the unit
# tests are large, and the driver kept the text of the last 1,000 (SQL executions) and 200 (Thrift
# statements) for a UI that is off (spark_conf() keeps 50 of each).
DRIVER_MEMORY = "2g"
RETAINED_PLANS = 50
SHUFFLE_PARTITIONS = 4
# JIT and GC of the JVMs that plan nothing: the executor runs small tasks and the master and worker keep
# books, yet HotSpot's C2 compiler took 69 s of the executor's 116 s CPU in the portability module's
# build (docs/cluster.md). C1 only compiles in a fraction of that, and the serial collector spares the
# concurrent G1 threads on a 1 GB heap. The Thrift server (the driver) keeps C2, which plans the queries:
# C1 there made the unit tests slower (docs/cluster.md); it takes the serial collector only.
SMALL_JVM_OPTIONS = "-XX:TieredStopAtLevel=1 -XX:+UseSerialGC"
DRIVER_GC_OPTION = "-XX:+UseSerialGC"
START_TIMEOUT = float(os.environ.get("PMW_CLUSTER_START_TIMEOUT", "240"))


class ClusterError(RuntimeError):
    """The cluster could not be started (what and why, with the log file to read)."""


class PortTaken(ClusterError):
    """Another process listens on a port chosen for a daemon: ``up`` starts again on new ports."""


# A port free when chosen can be taken by another process before the daemon binds it; ``up`` then starts
# again on new ports, this many times in all.
START_ATTEMPTS = 3


@dataclass
class Proc:
    name: str
    pid: int
    log: str


@dataclass
class ClusterState:
    home: str
    processes: list[Proc] = field(default_factory=list)
    spark_master_url: str | None = None
    thrift_host: str | None = None
    thrift_port: int | None = None
    table_format: str | None = None  # delta | parquet
    warehouse_dir: str | None = None
    postgres_dsn: str | None = None
    postgres_port: int | None = None
    postgres_data_dir: str | None = None
    postgres_data_dir_is_temporary: bool = False

    def save(self) -> None:
        path = Path(self.home) / STATE_FILE
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")

    @classmethod
    def load(cls, home: Path) -> ClusterState | None:
        path = home / STATE_FILE
        if not path.is_file():
            return None
        data = json.loads(path.read_text(encoding="utf-8"))
        data["processes"] = [Proc(**p) for p in data.get("processes", [])]
        return cls(**data)

    def env(self) -> dict[str, str]:
        """The variables that point dbt (profiles.yml ``spark`` target) and Dagster at this cluster."""
        env: dict[str, str] = {}
        if self.thrift_port:
            env |= {
                "PMW_SPARK_THRIFT_HOST": str(self.thrift_host),
                "PMW_SPARK_THRIFT_PORT": str(self.thrift_port),
                "PMW_SPARK_MASTER_URL": str(self.spark_master_url),
                "PMW_SPARK_FILE_FORMAT": str(self.table_format),
            }
        if self.postgres_dsn:
            env["PMW_POSTGRES_DSN"] = self.postgres_dsn
        return env


def default_home() -> Path:
    return Path(os.environ.get("PMW_CLUSTER_HOME") or REPO / "var" / "cluster").resolve()


def spark_home() -> Path:
    import pyspark

    return Path(pyspark.__file__).resolve().parent


def delta_jars(jars_dir: Path | None = None) -> list[Path]:
    """Delta Lake's jars as `make setup` copied them from Maven Central; [] when they could not be had."""
    folder = jars_dir or Path(os.environ.get("PMW_SPARK_JARS_DIR") or REPO / ".venv" / "spark-jars")
    return sorted(folder.glob("*.jar")) if folder.is_dir() else []


def postgres_bin() -> Path:
    """Debian's PostgreSQL server binaries (make setup installs the package when missing)."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/postgres"), key=lambda p: int(Path(p).parts[4]))
    if not found:
        raise ClusterError("PostgreSQL server binaries not found in /usr/lib/postgresql/*/bin: run `make setup`")
    return Path(found[-1]).parent


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def _listener_pids(port: int) -> set[int]:
    return {
        conn.pid
        for conn in psutil.net_connections(kind="tcp")
        if conn.status == psutil.CONN_LISTEN and conn.laddr and conn.laddr.port == port and conn.pid is not None
    }


def _listens(proc: subprocess.Popen, port: int, what: str) -> bool:
    """Whether ``proc`` (or a child: spark-submit's JVM) listens on ``port``. A port open is not enough:
    CI once saw the Thrift port answer while dbt's connection read 0 bytes, which is what a port held by
    another process does; that raises PortTaken instead of passing for ready."""
    listeners = _listener_pids(port)
    if not listeners:
        return False
    try:
        own = {proc.pid} | {child.pid for child in psutil.Process(proc.pid).children(recursive=True)}
    except psutil.NoSuchProcess:
        return False
    if listeners & own:
        return True
    names = ", ".join(sorted(f"pid {pid} ({_process_name(pid)})" for pid in listeners))
    raise PortTaken(f"port {port} chosen for {what} is held by another process: {names}")


def _process_name(pid: int) -> str:
    try:
        return psutil.Process(pid).name()
    except psutil.Error:
        return "gone"


def _thrift_answers(port: int) -> bool:
    """A session opens and runs a query: what dbt-spark's first connection needs."""
    from pyhive import hive

    connection = hive.connect(host=LOOPBACK, port=port, username="pmw")
    try:
        cursor = connection.cursor()
        cursor.execute("SELECT 1")
        return cursor.fetchall() == [(1,)]
    finally:
        connection.close()


def _wait(what: str, ready, proc: subprocess.Popen, log: Path, timeout: float = START_TIMEOUT) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise ClusterError(f"{what} exited with code {proc.returncode} while starting; see {log}")
        try:
            if ready():
                return
        except PortTaken:
            raise
        except Exception:  # noqa: BLE001 - not ready yet (refused, reset, a session not open yet)
            pass
        time.sleep(0.5)
    raise ClusterError(f"{what} not ready after {timeout:.0f} s; see {log}")


def _spawn(state: ClusterState, name: str, cmd: list[str], env: dict[str, str], **kwargs) -> subprocess.Popen:
    log = Path(state.home) / "logs" / f"{name}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with open(log, "ab") as out:
        proc = subprocess.Popen(
            cmd,
            stdout=out,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            env=env,
            start_new_session=True,
            **kwargs,
        )
    state.processes.append(Proc(name=name, pid=proc.pid, log=str(log)))
    state.save()
    return proc


def _spark_env(home: Path) -> dict[str, str]:
    env = dict(os.environ)
    conf_dir = home / "conf"
    conf_dir.mkdir(parents=True, exist_ok=True)
    # Spark's INFO log is ~1 MB a minute; warnings and errors are what a reader of the logs needs.
    (conf_dir / "log4j2.properties").write_text(
        "rootLogger.level = warn\nrootLogger.appenderRef.stdout.ref = console\n"
        "appender.console.type = Console\nappender.console.name = console\n"
        "appender.console.layout.type = PatternLayout\n"
        "appender.console.layout.pattern = %d{HH:mm:ss} %p %c{1}: %m%n\n",
        encoding="utf-8",
    )
    env |= {
        "SPARK_HOME": str(spark_home()),
        "SPARK_CONF_DIR": str(conf_dir),
        "SPARK_LOCAL_IP": LOOPBACK,
        "SPARK_LOCAL_DIRS": str(home / "tmp"),
        "SPARK_LOG_DIR": str(home / "logs"),
        "SPARK_WORKER_DIR": str(home / "work"),
        "PYSPARK_PYTHON": sys.executable,
    }
    env.setdefault("JAVA_HOME", _java_home())
    return env


def _java_home() -> str:
    java = shutil.which("java")
    if not java:
        raise ClusterError("java not found: Spark needs Java 17 (make setup installs openjdk-17-jre-headless)")
    return str(Path(java).resolve().parent.parent)


def spark_conf(state: ClusterState, jars: list[Path]) -> dict[str, str]:
    """The Thrift server's Spark settings: the cluster, Delta when its jars are there, a local metastore."""
    home = Path(state.home)
    conf = {
        "spark.master": str(state.spark_master_url),
        "spark.driver.host": LOOPBACK,
        "spark.driver.bindAddress": LOOPBACK,
        "spark.driver.memory": DRIVER_MEMORY,
        "spark.executor.memory": EXECUTOR_MEMORY,
        "spark.executor.extraJavaOptions": SMALL_JVM_OPTIONS,
        "spark.cores.max": str(WORKER_CORES),
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        # what the driver keeps for the UI and the Thrift server's listener (plans as text): bounded
        "spark.sql.ui.retainedExecutions": str(RETAINED_PLANS),
        "spark.sql.thriftserver.ui.retainedStatements": str(RETAINED_PLANS),
        "spark.sql.thriftserver.ui.retainedSessions": str(RETAINED_PLANS),
        "spark.sql.shuffle.partitions": str(SHUFFLE_PARTITIONS),
        "spark.sql.warehouse.dir": str(state.warehouse_dir),
        "spark.sql.session.timeZone": "UTC",
        # Hive's embedded Derby metastore, in the cluster home rather than the working directory
        "spark.hadoop.javax.jdo.option.ConnectionURL": f"jdbc:derby:;databaseName={home / 'metastore_db'};create=true",
        "spark.driver.extraJavaOptions": f"-Dderby.system.home={home} {DRIVER_GC_OPTION}",
    }
    if jars:
        conf |= {
            # on the driver's class path: the Thrift server looks data sources up there (spark.jars alone
            # left `using delta` unresolved); spark.jars ships them to the executors
            "spark.driver.extraClassPath": ":".join(str(j) for j in jars),
            "spark.jars": ",".join(str(j) for j in jars),
            "spark.sql.extensions": DELTA_EXTENSION,
            "spark.sql.catalog.spark_catalog": DELTA_CATALOG,
            # Delta reads its log with 50 tasks by default: far too many for a small table on 2 cores
            "spark.databricks.delta.snapshotPartitions": "2",
        }
    return conf


def start_spark(state: ClusterState, jars: list[Path]) -> None:
    home = Path(state.home)
    for sub in ("tmp", "work", "logs"):
        (home / sub).mkdir(parents=True, exist_ok=True)
    env = _spark_env(home)
    spark_class = str(spark_home() / "bin" / "spark-class")
    master_port, master_ui, worker_port, worker_ui = (free_port() for _ in range(4))
    state.spark_master_url = f"spark://{LOOPBACK}:{master_port}"
    state.warehouse_dir = str(home / "spark-warehouse")
    state.table_format = "delta" if jars else "parquet"
    # the master's and the worker's JVMs; not spark-submit's: it gives the daemons' options to the Thrift server
    daemon_env = {**env, "SPARK_DAEMON_JAVA_OPTS": SMALL_JVM_OPTIONS}

    master = _spawn(
        state,
        "spark-master",
        [spark_class, "org.apache.spark.deploy.master.Master", "--host", LOOPBACK, "--port", str(master_port)]
        + ["--webui-port", str(master_ui)],
        daemon_env,
    )
    _wait(
        "the Spark master",
        lambda: _listens(master, master_port, "the Spark master") and _listens(master, master_ui, "its web UI"),
        master,
        home / "logs" / "spark-master.log",
    )

    worker = _spawn(
        state,
        "spark-worker",
        [spark_class, "org.apache.spark.deploy.worker.Worker", "--host", LOOPBACK, "--port", str(worker_port)]
        + ["--webui-port", str(worker_ui), "--cores", str(WORKER_CORES), "--memory", WORKER_MEMORY]
        + ["--work-dir", str(home / "work"), state.spark_master_url],
        daemon_env,
    )

    def worker_registered() -> bool:
        with urllib.request.urlopen(f"http://{LOOPBACK}:{master_ui}/json/", timeout=2) as response:
            return json.load(response).get("aliveworkers", 0) >= 1

    _wait("the Spark worker", worker_registered, worker, home / "logs" / "spark-worker.log")

    thrift_port = free_port()  # chosen last: the fewer seconds between choosing and binding, the better
    submit = [str(spark_home() / "bin" / "spark-submit"), "--name", "pmw-thrift-server"]
    submit += ["--class", "org.apache.spark.sql.hive.thriftserver.HiveThriftServer2"]
    for key, value in spark_conf(state, jars).items():
        submit += ["--conf", f"{key}={value}"]
    submit += ["spark-internal", "--hiveconf", f"hive.server2.thrift.port={thrift_port}"]
    submit += ["--hiveconf", f"hive.server2.thrift.bind.host={LOOPBACK}"]
    thrift = _spawn(state, "spark-thrift", submit, env, cwd=home)
    state.thrift_host, state.thrift_port = LOOPBACK, thrift_port
    state.save()
    _wait(
        "the Spark Thrift server",
        lambda: _listens(thrift, thrift_port, "the Spark Thrift server") and _thrift_answers(thrift_port),
        thrift,
        home / "logs" / "spark-thrift.log",
    )


def _postgres_user_kwargs() -> dict[str, object]:
    # PostgreSQL refuses to run as root: as root (CI, these machines) it runs as Debian's postgres user.
    return {"user": "postgres", "group": "postgres", "extra_groups": []} if os.geteuid() == 0 else {}


def _reachable_by_postgres(path: Path) -> bool:
    if os.geteuid() != 0:
        return True
    return all(os.stat(p).st_mode & 0o001 for p in [path, *path.parents] if p.exists())


def start_postgres(state: ClusterState, database: str = "dagster") -> None:
    home = Path(state.home)
    bindir = postgres_bin()
    data = home / "postgres"
    if not _reachable_by_postgres(home):
        # a private temporary folder (pytest's, as root) that the postgres user may not enter
        data = Path(tempfile.mkdtemp(prefix="pmw-postgres-"))
        state.postgres_data_dir_is_temporary = True
    data.mkdir(parents=True, exist_ok=True)
    user_kwargs = _postgres_user_kwargs()
    if user_kwargs:
        shutil.chown(data, "postgres", "postgres")
        data.chmod(0o700)
    state.postgres_data_dir = str(data)
    state.save()
    if not (data / "PG_VERSION").exists():
        subprocess.run(
            [str(bindir / "initdb"), "-D", str(data), "-U", "pmw", "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"],
            check=True,
            capture_output=True,
            **user_kwargs,
        )
    port = free_port()
    server = _spawn(
        state,
        "postgres",
        [str(bindir / "postgres"), "-D", str(data), "-h", LOOPBACK, "-p", str(port), "-c", "unix_socket_directories="],
        dict(os.environ),
        **user_kwargs,
    )
    state.postgres_port = port
    ready = [str(bindir / "pg_isready"), "-q", "-h", LOOPBACK, "-p", str(port)]
    _wait(
        "PostgreSQL",
        lambda: _listens(server, port, "PostgreSQL") and subprocess.run(ready).returncode == 0,
        server,
        home / "logs" / "postgres.log",
    )
    exists = subprocess.run(
        [str(bindir / "psql"), "-h", LOOPBACK, "-p", str(port), "-U", "pmw", "-d", "postgres", "-tAc"]
        + [f"select 1 from pg_database where datname = '{database}'"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    if not exists:
        subprocess.run(
            [str(bindir / "createdb"), "-h", LOOPBACK, "-p", str(port), "-U", "pmw", database],
            check=True,
            capture_output=True,
        )
    state.postgres_dsn = f"postgresql://pmw@{LOOPBACK}:{port}/{database}"
    state.save()


def up(home: Path | None = None, spark: bool = True, postgres: bool = True) -> ClusterState:
    """Start the cluster; on any failure stop what was started and raise ClusterError."""
    home = (home or default_home()).resolve()
    home.mkdir(parents=True, exist_ok=True)
    previous = ClusterState.load(home)
    if previous and any(psutil.pid_exists(p.pid) for p in previous.processes):
        raise ClusterError(f"a cluster is already running from {home} ({home / STATE_FILE}); run `make spark-down`")
    attempt = 1
    while True:
        state = ClusterState(home=str(home))
        state.save()
        try:
            if postgres:
                start_postgres(state)
            if spark:
                start_spark(state, delta_jars())
            return state
        except PortTaken as exc:
            down(home)
            if attempt == START_ATTEMPTS:
                raise
            attempt += 1
            print(f"cluster: {exc}; starting again on new ports", file=sys.stderr)
        except BaseException:
            down(home)
            raise


SPARK_STOP_GRACE_SECONDS = 15.0


def _signal_tree(pid: int, sig: int) -> list[psutil.Process]:
    """Send ``sig`` to ``pid`` and SIGTERM to its children; the processes signalled."""
    try:
        proc = psutil.Process(pid)
        children = proc.children(recursive=True)
    except psutil.NoSuchProcess:
        return []
    for target in [proc, *children]:
        with contextlib.suppress(psutil.NoSuchProcess):
            target.send_signal(sig if target.pid == pid else signal.SIGTERM)
    return [proc, *children]


def _stop(signalled: list[psutil.Process], timeout: float) -> None:
    """Wait up to ``timeout`` for the signalled processes, together; kill those still alive."""
    _, alive = psutil.wait_procs(signalled, timeout=timeout)
    for target in alive:
        with contextlib.suppress(psutil.NoSuchProcess):
            target.kill()
    psutil.wait_procs(alive, timeout=10)


def down(home: Path | None = None) -> list[str]:
    """Stop every recorded process (and its children); returns what was stopped."""
    home = (home or default_home()).resolve()
    state = ClusterState.load(home)
    if state is None:
        return []
    running = [proc for proc in reversed(state.processes) if psutil.pid_exists(proc.pid)]
    # PostgreSQL: SIGINT is its "fast" shutdown, given time to finish. Spark's daemons stop on SIGTERM,
    # idle in ~5 s, but after the portability module's work CI's teardown took 182 s (three daemons at a
    # 60 s limit each, one after the other); Delta commits are atomic, so they are signalled together and
    # given one short grace, then killed (one daemon after another at 15 s each still cost 45 s).
    for proc in running:
        if proc.name == "postgres":
            _stop(_signal_tree(proc.pid, signal.SIGINT), timeout=60.0)
    spark = [p for proc in running if proc.name != "postgres" for p in _signal_tree(proc.pid, signal.SIGTERM)]
    _stop(spark, timeout=SPARK_STOP_GRACE_SECONDS)
    if state.postgres_data_dir_is_temporary and state.postgres_data_dir:
        shutil.rmtree(state.postgres_data_dir, ignore_errors=True)
    (home / STATE_FILE).unlink(missing_ok=True)
    return [f"{proc.name} (pid {proc.pid})" for proc in running]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("command", choices=["up", "down", "env"])
    parser.add_argument(
        "--home", type=Path, default=None, help="cluster folder (default $PMW_CLUSTER_HOME or var/cluster)"
    )
    parser.add_argument("--no-postgres", action="store_true")
    parser.add_argument("--no-spark", action="store_true")
    args = parser.parse_args(argv)
    home = (args.home or default_home()).resolve()
    if args.command == "up":
        started = time.monotonic()
        try:
            state = up(home, spark=not args.no_spark, postgres=not args.no_postgres)
        except ClusterError as exc:
            print(f"cluster: {exc}", file=sys.stderr)
            return 1
        print(f"cluster up in {time.monotonic() - started:.0f} s (state: {home / STATE_FILE})")
        for proc in state.processes:
            print(f"  {proc.name:<13} pid {proc.pid:<8} log {proc.log}")
        for key, value in state.env().items():
            print(f"  {key}={value}")
        print("stop it with: make spark-down")
    elif args.command == "down":
        stopped = down(home)
        print("cluster: stopped " + (", ".join(stopped) if stopped else "nothing (no cluster was running)"))
    else:
        state = ClusterState.load(home)
        if state is None:
            print(f"cluster: none running from {home}", file=sys.stderr)
            return 1
        for key, value in state.env().items():
            print(f"export {key}={value}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
