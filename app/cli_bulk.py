"""`opendata bulk build` and `opendata bulk list`: the bulk archives of public data (issue 23)."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def bulk() -> None:
    """Bulk archives of every public table and of the catalog."""


@bulk.command("build", with_appcontext=False)
def build() -> None:
    """Build a bulk archive now (the job process also builds one nightly) and list it."""
    from app.bulk import ArchiveStopped
    from app.cli_common import cli_services

    svc = cli_services()
    try:
        info = svc.bulk_job({})
    except ArchiveStopped as exc:
        raise click.ClickException(str(exc)) from None
    if info is None:
        raise click.ClickException("another bulk archive is being built; try again later")
    click.echo(
        f"{info.filename}: {info.datasets} datasets, {info.tables} tables, "
        f"{info.size} bytes, sha256 {info.sha256}"
    )


@bulk.command("list", with_appcontext=False)
def list_archives() -> None:
    """List the archives served, newest first."""
    from app.cli_common import cli_services

    for info in cli_services().bulk.listed():
        click.echo(
            f"{info.filename}\t{info.created:%Y-%m-%dT%H:%M:%SZ}\t{info.size}\t{info.sha256}"
        )
