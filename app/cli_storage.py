"""`opendata storage migrate --to URL`: copy a data dir's files into another store."""

from __future__ import annotations

import click
from flask.cli import AppGroup


@click.group(cls=AppGroup)
def storage() -> None:
    """File storage."""


@storage.command("migrate", with_appcontext=False)
@click.option(
    "--to", "target_url", required=True, help="The new store: s3://bucket/prefix or file:///path."
)
def migrate(target_url: str) -> None:
    """Copy the public files and the vault into the store TARGET_URL names, checking each
    file's SHA-256 there. Safe to run again: copies what is missing, checks everything."""
    from app.config import SettingsError, load_settings
    from app.services import open_stores
    from datasets.storage import copy_blobs

    try:
        settings = load_settings()
        target_settings = settings.with_overrides(storage_url=target_url)
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    if target_url.rstrip("/") == settings.storage_url.rstrip("/"):
        raise click.ClickException("--to names the store already in use")
    sources = open_stores(settings)
    targets = open_stores(target_settings)
    scratch = settings.data_dir.resolve() / "tmp"
    failed = False
    for area, source, target in zip(("public", "private"), sources, targets, strict=True):
        try:
            report = copy_blobs(source, target, scratch)
        except OSError as exc:  # the target store refused or is unreachable
            raise click.ClickException(f"{area}: {exc}") from None
        click.echo(
            f"{area}: {report.copied} copied ({report.bytes_copied} bytes), "
            f"{report.present} already there, all checked by SHA-256"
            if report.ok
            else f"{area}: {report.copied} copied, {report.present} already there"
        )
        for key in report.bad_source:
            click.echo(f"{area}: {key} is damaged in the source (not copied)", err=True)
        for key in report.bad_target:
            click.echo(f"{area}: {key} does not match its SHA-256 in the target", err=True)
        failed = failed or not report.ok
    if failed:
        raise click.ClickException("some files do not match their SHA-256: see above")
    click.echo(f"Done. Set OPENDATA_STORAGE_URL={target_url} and restart the portal.")
