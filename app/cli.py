"""The `opendata` command (a Flask CLI group): every command reads SPEC §5 settings."""

from __future__ import annotations

import sys
from typing import Any

import click
from flask.cli import FlaskGroup

from app.config import SettingsError, load_settings


def _create_app() -> Any:
    from app import create_app

    return create_app()


def _services() -> Any:
    from app.services import build_services

    try:
        services = build_services(load_settings())
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    # Audit entries written by commands (directly or by the workflow) say "via=cli"; the
    # actor is the operator at the terminal, who has no portal account (actor: none).
    services.audit.default_channel = "cli"
    return services


class PortalGroup(FlaskGroup):
    """The `opendata` group: Flask's CLI without third-party plugin commands."""

    def _load_plugin_commands(self) -> None:
        # Extensions (e.g. Flask-Limiter) register commands through entry points; the
        # portal's command set is exactly the one documented in the README.
        self._loaded_plugin_commands = True


@click.group(
    cls=PortalGroup,
    create_app=_create_app,
    add_default_commands=False,
    add_version_option=False,
    load_dotenv=False,
)
def main() -> None:
    """Open data portal: publish, validate, protect, harvest and serve public data."""


@main.command("run", with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=5000, show_default=True)
def run_command(host: str, port: int) -> None:
    """Run the Flask development server (not for production)."""
    app = _create_app()
    app.run(host=host, port=port, debug=False, use_reloader=False, threaded=True)


@main.group()
def db() -> None:
    """Database commands."""


@db.command("upgrade", with_appcontext=False)
def db_upgrade() -> None:
    """Create or migrate the database; create the secret keys once when absent."""
    from app.database import upgrade_database
    from app.keys import ensure_key_files

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    created = ensure_key_files(settings.data_dir)
    for name in created:
        click.echo(f"created key file {settings.data_dir / 'keys' / name}")
    from app.keys import load_keys

    upgrade_database(
        settings.effective_database_url, encryption_key=load_keys(settings).encryption_key
    )
    click.echo("database is up to date")


@main.command("demo", with_appcontext=False)
def demo_command() -> None:
    """Load the demo catalog (idempotent)."""
    from app.demo import load_demo

    report = load_demo(_services(), echo=click.echo)
    click.echo(report)


@main.group()
def org() -> None:
    """Organizations."""


@org.command("create", with_appcontext=False)
@click.argument("name")
@click.option("--title", required=True, help="Vietnamese title.")
@click.option("--title-en", default="", help="English title.")
@click.option("--email", default="", help="The department's functional mailbox.")
def org_create(name: str, title: str, title_en: str, email: str) -> None:
    """Create an organization."""
    from publishers import DomainError

    svc = _services()
    try:
        created = svc.accounts.create_organization(name, title, title_en=title_en, email=email)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    svc.audit.record(None, "organization.create", f"organization:{created.name}")
    click.echo(f"organization {created.name} created ({created.id})")


@main.group()
def user() -> None:
    """Users."""


@user.command("create", with_appcontext=False)
@click.argument("name")
@click.option("--email", required=True)
@click.option("--password", default=None, help="Prefer --password-stdin: arguments are visible.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--sysadmin", is_flag=True)
@click.option("--org", "org_name", default=None, help="Organization to join.")
@click.option("--role", type=click.Choice(["publisher", "steward"]), default=None)
@click.option("--full-name", default="")
def user_create(
    name: str,
    email: str,
    password: str | None,
    password_stdin: bool,
    sysadmin: bool,
    org_name: str | None,
    role: str | None,
    full_name: str,
) -> None:
    """Create a user, optionally as a member of an organization."""
    from publishers import DomainError, Role

    if password_stdin:
        password = sys.stdin.readline().rstrip("\n")
    if bool(org_name) != bool(role):
        raise click.UsageError("--org and --role go together")
    svc = _services()
    try:
        organization = svc.accounts.get_organization(org_name) if org_name else None
        info = svc.accounts.create_user(
            name, email, password, full_name=full_name, is_sysadmin=sysadmin
        )
        svc.audit.record(None, "user.create", f"user:{info.id}", details={"sysadmin": sysadmin})
        if organization is not None and role:
            svc.accounts.add_member(organization.id, info.id, Role(role))
            svc.audit.record(
                None,
                "member.set",
                f"organization:{organization.id}",
                details={"user": info.id, "role": role},
            )
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    click.echo(f"user {info.name} created")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create", with_appcontext=False)
@click.argument("username")
@click.option("--name", "token_name", default="cli", show_default=True)
@click.option("--read-only", is_flag=True)
@click.option("--expires-days", type=int, default=None)
def token_create(username: str, token_name: str, read_only: bool, expires_days: int | None) -> None:
    """Print a new API token for the user (shown once)."""
    from publishers import DomainError, Scope

    svc = _services()
    scope = Scope.READ if read_only else Scope.READ_WRITE
    try:
        info = svc.accounts.get_user(username)
        value = svc.tokens.create(info.id, token_name, scope=scope, expires_days=expires_days)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    # Never the token itself: only whose it is and what it may do.
    svc.audit.record(None, "token.create", f"user:{info.id}", details={"scope": scope.value})
    click.echo(value)


@token.command("revoke", with_appcontext=False)
@click.argument("username")
@click.option("--name", "token_name", default=None)
@click.option("--all", "revoke_all", is_flag=True)
def token_revoke(username: str, token_name: str | None, revoke_all: bool) -> None:
    """Revoke one named token of the user, or all of them."""
    from publishers import DomainError

    if bool(token_name) == revoke_all:
        raise click.UsageError("give exactly one of --name or --all")
    svc = _services()
    try:
        info = svc.accounts.get_user(username)
        count = svc.tokens.revoke(info.id, name=token_name)
    except DomainError as exc:
        raise click.ClickException(_explain(exc)) from None
    if count:
        svc.audit.record(None, "token.revoke", f"user:{info.id}", details={"count": count})
    click.echo(f"{count} token(s) revoked")


@main.group()
def index() -> None:
    """Search index."""


@index.command("rebuild", with_appcontext=False)
def index_rebuild() -> None:
    """Rebuild the search index from the database."""
    count = _services().rebuild_index()
    click.echo(f"indexed {count} datasets")


@main.command("worker", with_appcontext=False)
@click.option("--threads", default=2, show_default=True)
def worker(threads: int) -> None:
    """Run background jobs (validation, datastore loading, index updates)."""
    svc = _services()
    from app.harvesting import schedule_harvests

    schedule_harvests(svc)
    consumer = svc.queue.huey.create_consumer(workers=threads, worker_type="thread")
    click.echo(f"worker running with {threads} threads; Ctrl-C stops it")
    consumer.run()


@main.command("serve", with_appcontext=False)
@click.option("--bind", default="127.0.0.1:5000", show_default=True)
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=4, show_default=True)
@click.option("--no-jobs", is_flag=True, help="Leave background jobs to `opendata worker`.")
def serve(bind: str, workers: int, threads: int, no_jobs: bool) -> None:
    """Production server: gunicorn with threaded workers; runs queued jobs itself."""
    from app.server import run_gunicorn

    settings = load_settings()
    if not no_jobs:
        svc = _services()
        from app.harvesting import schedule_harvests

        schedule_harvests(svc)
        from app.server import start_embedded_jobs

        start_embedded_jobs(svc.queue.huey, threads=1)
        click.echo("running queued jobs in this process (use --no-jobs with `opendata worker`)")
    run_gunicorn(settings, bind=bind, workers=workers, threads=threads)


from app.cli_harvest import harvest  # noqa: E402  (the `harvest` group, issue 9)

main.add_command(harvest)


def _explain(exc: Exception) -> str:
    errors = getattr(exc, "errors", None)
    if errors:
        return "; ".join(f"{field}: {', '.join(codes)}" for field, codes in errors.items())
    return str(exc)
