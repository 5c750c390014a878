"""`redline serve` (the local web app) and `redline history` (saved versions)."""

from __future__ import annotations

import ipaddress
from pathlib import Path
from typing import Annotated

import typer

from redline.cli import options
from redline.cli.common import app, fail, print_json, user_errors
from redline.errors import RedlineError

LOOPBACK_NAMES = {"localhost", "localhost.localdomain", "ip6-localhost"}


def is_loopback(host: str) -> bool:
    """Whether ``host`` only listens on this machine (127.0.0.0/8, ::1, localhost)."""
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def allowed_hosts(host: str) -> list[str]:
    """Host headers the app answers: the loopback names, plus ``host`` when it is a name or
    address of its own; every host when it binds all interfaces."""
    names = ["127.0.0.1", "localhost", "::1", "[::1]"]
    bare = host.strip().strip("[]")
    if bare in ("0.0.0.0", "::", ""):
        return ["*"]
    if bare not in names:
        names.append(f"[{bare}]" if ":" in bare else bare)
    return names


def _workspace(path: Path) -> Path:
    path = path.expanduser()
    if not path.is_dir():
        raise RedlineError("not a folder", file=str(path), field="--workspace")
    return path.resolve()


WorkspaceOption = Annotated[Path, typer.Option(
    "--workspace", "-w", help="Folder with the scenario files; the history database defaults to "
    "WORKSPACE/.redline/history.sqlite3 (for the bundled examples or a read-only folder: in "
    "Redline's user data folder).")]
DbOption = Annotated[str | None, typer.Option(
    "--db", envvar="REDLINE_DB", help="Database URL: sqlite:///PATH or "
    "postgresql://USER:PASSWORD@HOST/DB (default: SQLite in the workspace).")]


@app.command()
@user_errors
def serve(
    host: Annotated[str, typer.Option(help="Address to listen on. Anything but 127.0.0.1, "
                                      "localhost or ::1 exposes the workspace to the network."
                                      )] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port to listen on.")] = 8000,
    workspace: WorkspaceOption = Path("."),
    db: DbOption = None,
) -> None:
    """Local web app: open a scenario, edit its numbers, rerun, and save versions."""
    try:
        import uvicorn

        from redline.web.app import create_app
    except ImportError as error:
        fail(f"the web app needs the 'web' extra ({error.name} is missing): "
             "pip install 'redline[web]'")
        return
    options.listen_address(host, port)
    folder = _workspace(workspace)
    if not is_loopback(host):
        typer.secho(
            "\n" + "!" * 78 + "\n"
            f"WARNING: binding to {host}: anyone who can reach this machine on port {port} can\n"
            "read every scenario in the workspace and the saved history, and save versions.\n"
            "The app has no login. Use --host 127.0.0.1 unless you trust the network.\n"
            + "!" * 78 + "\n",
            err=True, fg=typer.colors.RED, bold=True)
    application = create_app(folder, db, allowed_hosts=allowed_hosts(host))
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Redline: serving {folder} on http://{shown}:{port}/ (Ctrl-C stops)", err=True)
    if db is None:
        from redline.web.store import history_path

        typer.echo(f"Redline: saved versions go to {history_path(folder)}", err=True)
    uvicorn.run(application, host=host, port=port, log_level="info", server_header=False)


@app.command()
@user_errors
def history(
    scenario: Annotated[str | None, typer.Argument(
        help="A saved scenario's id: list its versions. Without it: list saved scenarios.")
    ] = None,
    workspace: WorkspaceOption = Path("."),
    db: DbOption = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print JSON.")] = False,
) -> None:
    """Saved versions: P(agreement), acceptable packages and the forecast of each."""
    try:
        from redline.web.store import Store, default_url, history_path
    except ImportError as error:
        fail(f"history needs the 'web' extra ({error.name} is missing): "
             "pip install 'redline[web]'")
        return
    folder = _workspace(workspace)
    if db is None and not history_path(folder).exists():
        rows: list[dict] = []
        if scenario is not None:
            raise RedlineError(f"no saved scenario {scenario!r}: nothing is saved in this "
                               "workspace yet", file=str(history_path(folder)))
    else:
        store = Store.open(db or default_url(folder))
        try:
            if scenario is None:
                rows = store.scenarios()
            else:
                found = store.timeline(scenario)
                if found is None:
                    known = ", ".join(s["key"] for s in store.scenarios()) or "none"
                    raise RedlineError(f"no saved scenario {scenario!r} (saved: {known})",
                                       field="SCENARIO")
                rows = found
        finally:
            store.close()
    if json_output:
        print_json(rows)
        return
    _print_rows(rows, scenario)


def _print_rows(rows: list[dict], scenario: str | None) -> None:
    from rich.console import Console
    from rich.markup import escape
    from rich.table import Table

    console = Console()
    if scenario is None:
        if not rows:
            console.print("Nothing saved yet: run `redline serve`, open a scenario and save.")
            return
        table = Table(title="Saved scenarios")
        for column in ("scenario", "title", "versions", "latest", "P(agreement)", "note"):
            table.add_column(column, justify="right" if column in ("versions", "P(agreement)")
                             else "left")
        for row in rows:
            latest = row["latest"] or {}
            table.add_row(escape(row["key"]), escape(row["title"]), str(row["versions"]),
                          f"v{latest.get('number', '')} {latest.get('as_of') or ''}",
                          _p(latest.get("p_agreement")), escape(latest.get("note", "")))
        console.print(table)
        return
    issues: list[str] = []
    for row in rows:
        issues += [k for k in row["forecast"] if k not in issues]
    table = Table(title=f"{escape(scenario)}: saved versions")
    for column in ("version", "date", "saved", "note", "P(agreement)", "acceptable",
                   *map(escape, issues)):
        table.add_column(column, justify="left" if column in ("version", "date", "saved", "note")
                         else "right")
    for row in rows:
        forecast = [_f(row["forecast"].get(k)) for k in issues]
        table.add_row(f"v{row['number']}", row["as_of"] or "",
                      (row["created_at"] or "")[:16].replace("T", " "), escape(row["note"]),
                      _p(row["p_agreement"]),
                      "" if row["acceptable_count"] is None else str(row["acceptable_count"]),
                      *forecast)
    console.print(table)


def _p(value: float | None) -> str:
    return "" if value is None else f"{value:.3f}"


def _f(value: float | None) -> str:
    return "" if value is None else f"{value:.1f}"
