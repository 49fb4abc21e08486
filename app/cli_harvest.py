"""`opendata harvest ...`: register, list, set secrets, run (part of the `opendata` group)."""

from __future__ import annotations

import json
import sys
from typing import Any

import click
from flask.cli import AppGroup

from harvesters import SOURCE_TYPES


def _harvester() -> Any:
    return _services().harvester


def _services() -> Any:
    from app.cli_common import cli_services

    return cli_services()


def _audit(svc: Any, action: str, source: str, **details: object) -> None:
    # The operator at the terminal has no portal account: no user, via=cli.
    svc.audit.record(None, action, f"harvest_source:{source}", details=details)


def _explain(exc: Exception) -> str:
    from app.cli_common import explain

    return explain(exc)


@click.group(cls=AppGroup)
def harvest() -> None:
    """Harvest sources and jobs."""


@harvest.group()
def source() -> None:
    """Harvest sources."""


@source.command("add", with_appcontext=False)
@click.argument("name")
@click.option("--type", "kind", type=click.Choice(SOURCE_TYPES), required=True)
@click.option("--url", required=True, help="Catalog, API, file or database URL (no password).")
@click.option("--org", "org_name", required=True, help="Owner organization.")
@click.option("--config", "config", default="{}", help="Source config JSON (SPEC §3 keys).")
@click.option("--schedule", default="manual", show_default=True)
def source_add(name: str, kind: str, url: str, org_name: str, config: str, schedule: str) -> None:
    """Register a harvest source."""
    from publishers import DomainError

    svc = _services()
    try:
        info = svc.harvester.sources.register(name, kind, url, org_name, config, schedule)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    _audit(svc, "harvest_source.create", info.name, type=info.type)
    click.echo(f"harvest source {info.name} registered ({info.type}, schedule {info.schedule})")


@source.command("list", with_appcontext=False)
def source_list() -> None:
    """List harvest sources (credentials are shown as set or not set, never their value)."""
    sources = _harvester().sources.list()
    if not sources:
        click.echo("no harvest sources")
    for info in sources:
        state = "not needed"
        if info.secret_name:
            state = "set" if info.has_secret else "NOT SET"
        last = info.last_run.isoformat(timespec="seconds") if info.last_run else "never"
        click.echo(
            f"{info.name}\t{info.type}\t{info.url}\tschedule={info.schedule}\t"
            f"credential={info.secret_name or '-'} ({state})\tlast run={last}\t"
            f"config={json.dumps(info.config, ensure_ascii=False, sort_keys=True)}"
        )


@source.command("secret", with_appcontext=False)
@click.argument("name")
def source_secret(name: str) -> None:
    """Read the source's credential from standard input and store it encrypted."""
    from publishers import DomainError

    if sys.stdin.isatty():
        click.echo("type the secret, then Enter:", err=True)
    secret = sys.stdin.readline().rstrip("\r\n")
    svc = _services()
    try:
        credential = svc.harvester.sources.set_secret(name, secret)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    _audit(svc, "harvest_source.secret", name)  # never the secret, nor its name
    click.echo(f"credential {credential} of {name} stored (encrypted)")


@harvest.command("run", with_appcontext=False)
@click.argument("name")
@click.option("--dry-run", is_flag=True, help="Fetch and strip, but store and publish nothing.")
def harvest_run(name: str, dry_run: bool) -> None:
    """Run one harvest job now and print its report."""
    from publishers import DomainError

    progress = None
    if sys.stderr.isatty():

        def progress(done: int, total: int, remote_id: str) -> None:
            click.echo(f"\r{done}/{total} {remote_id[:60]:<60}", nl=False, err=True)

    svc = _services()
    try:
        report = svc.harvester.run(name, dry_run=dry_run, progress=progress)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    _audit(svc, "harvest.run", name, dry_run=dry_run, status=report.status)
    if progress is not None:
        click.echo("", err=True)
    click.echo(report.summary())
    for item in report.items:
        if item.outcome.value == "failed" or item.held:
            line = f"  {item.outcome.value}\t{item.remote_id}\t{item.dataset}\t{item.reason}"
            click.echo(f"{line}\t{item.detail}" if item.detail else line)
    if report.status == "failed":
        raise SystemExit(1)
