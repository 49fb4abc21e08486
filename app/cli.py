"""The `opendata` command (a Flask CLI group): every command reads SPEC §5 settings."""

from __future__ import annotations

import importlib
import sys
from typing import Any, ClassVar

import click
from flask.cli import FlaskGroup

from app.cli_common import cli_services, explain
from app.config import SettingsError, load_settings


def _create_app() -> Any:
    from app import create_app

    return create_app()


class PortalGroup(FlaskGroup):
    """The `opendata` group: Flask's CLI without third-party plugin commands."""

    def _load_plugin_commands(self) -> None:
        # Extensions (e.g. Flask-Limiter) register commands through entry points; the
        # portal's command set is exactly the one documented in the README.
        self._loaded_plugin_commands = True

    # Imported on demand: the harvesters take seconds to import, and the supervisor and its
    # children start through this module (issue 14). Name -> (module, attribute).
    lazy_commands: ClassVar[dict[str, tuple[str, str]]] = {
        "bulk": ("app.cli_bulk", "bulk"),
        "harvest": ("app.cli_harvest", "harvest"),
        "storage": ("app.cli_storage", "storage"),
    }

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted({*super().list_commands(ctx), *self.lazy_commands})

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name in self.lazy_commands:
            module, attribute = self.lazy_commands[cmd_name]
            command: click.Command = getattr(importlib.import_module(module), attribute)
            return command
        return super().get_command(ctx, cmd_name)


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
    from app.startup import prepare_storage

    try:
        bucket = prepare_storage(settings)
    except OSError as exc:  # the message names the operation and S3's code, no secret
        raise click.ClickException(str(exc)) from None
    if bucket:
        click.echo(f"created bucket {bucket}")


@main.command("demo", with_appcontext=False)
def demo_command() -> None:
    """Load the demo catalog (idempotent)."""
    from app.demo import load_demo

    report = load_demo(cli_services(), echo=click.echo)
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

    svc = cli_services()
    try:
        created = svc.accounts.create_organization(name, title, title_en=title_en, email=email)
    except DomainError as exc:
        raise click.ClickException(explain(exc)) from None
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
    svc = cli_services()
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
        raise click.ClickException(explain(exc)) from None
    click.echo(f"user {info.name} created")


@main.group()
def token() -> None:
    """API tokens."""


@token.command("create", with_appcontext=False)
@click.argument("username")
@click.option("--name", "token_name", default="cli", show_default=True)
@click.option("--read-only", is_flag=True)
@click.option("--expires-days", type=int, default=None)
@click.option(
    "--dataset",
    "datasets",
    multiple=True,
    help="Limit the token to this dataset beyond public data (repeatable).",
)
def token_create(
    username: str,
    token_name: str,
    read_only: bool,
    expires_days: int | None,
    datasets: tuple[str, ...],
) -> None:
    """Print a new API token for the user (shown once)."""
    from publishers import DomainError, Scope

    svc = cli_services()
    scope = Scope.READ if read_only else Scope.READ_WRITE
    try:
        info = svc.accounts.get_user(username)
        limit = None
        if datasets:
            missing = [d for d in datasets if svc.catalog.get(d) is None]
            if missing:
                raise click.ClickException(f"no published dataset named {', '.join(missing)}")
            limit = list(datasets)
        value = svc.tokens.create(
            info.id, token_name, scope=scope, expires_days=expires_days, datasets=limit
        )
    except DomainError as exc:
        raise click.ClickException(explain(exc)) from None
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
    svc = cli_services()
    try:
        info = svc.accounts.get_user(username)
        count = svc.tokens.revoke(info.id, name=token_name)
    except DomainError as exc:
        raise click.ClickException(explain(exc)) from None
    if count:
        svc.audit.record(None, "token.revoke", f"user:{info.id}", details={"count": count})
    click.echo(f"{count} token(s) revoked")


@main.group()
def index() -> None:
    """Search index."""


@index.command("rebuild", with_appcontext=False)
def index_rebuild() -> None:
    """Rebuild the search index from the database."""
    count = cli_services().rebuild_index()
    click.echo(f"indexed {count} datasets")


def _prepared_settings() -> Any:
    """Settings, after the start-up step created every schema (before any child starts)."""
    from app.startup import StartupError, prepare
    from app.supervisor import configure_logging

    try:
        settings = load_settings()
    except SettingsError as exc:
        raise click.ClickException(str(exc)) from None
    configure_logging(settings.log_level)
    try:
        prepare(settings)
    except StartupError as exc:
        raise click.ClickException(str(exc)) from None
    return settings


@main.command("worker", with_appcontext=False)
@click.option("--threads", type=int, default=None, help="Jobs run at once [OPENDATA_JOB_WORKERS].")
def worker(threads: int | None) -> None:
    """Run background jobs in a supervised job process (no web server)."""
    from app.supervisor import JOBS_NICE, Child, Supervisor, child_command

    settings = _prepared_settings()
    workers = threads or settings.job_workers
    jobs = Child("jobs", child_command("jobs-process", "--workers", str(workers)), nice=JOBS_NICE)
    raise SystemExit(Supervisor("opendata: worker supervisor", [jobs]).run())


@main.command("serve", with_appcontext=False)
@click.option("--bind", default="127.0.0.1:5000", show_default=True, help="HOST:PORT or unix:PATH")
@click.option("--workers", default=2, show_default=True)
@click.option("--threads", default=4, show_default=True)
@click.option("--no-jobs", is_flag=True, help="Leave background jobs to `opendata worker`.")
def serve(bind: str, workers: int, threads: int, no_jobs: bool) -> None:
    """Production server: a supervisor, the buffering front, gunicorn and the job process.

    Without OPENDATA_SITE_URL (environment or .env), links name the bound address.
    """
    import os
    import signal

    from app.config import is_given, site_url_for_bind
    from app.server import front_socket_path
    from app.supervisor import JOBS_NICE, Child, Supervisor, child_command, listen

    bound_url = site_url_for_bind(bind)
    if bound_url is not None and not is_given("OPENDATA_SITE_URL"):
        os.environ["OPENDATA_SITE_URL"] = bound_url  # the children inherit it
    settings = _prepared_settings()
    sizes = [f"--workers={workers}", f"--threads={threads}"]
    sock = None
    if bind.startswith("unix:"):  # gunicorn alone, e.g. behind the operator's own proxy
        children = [Child("web", child_command("web-process", f"--bind={bind}", *sizes))]
    else:
        try:
            sock = listen(bind)
        except (OSError, ValueError) as exc:
            raise click.ClickException(f"cannot listen on {bind}: {exc}") from None
        fd = sock.fileno()
        backend = front_socket_path(settings)
        backend.parent.mkdir(parents=True, exist_ok=True)
        front_args = ["front-process", f"--fd={fd}", f"--backend={backend}"]
        web_args = ["web-process", f"--bind=unix:{backend}", "--behind-front", *sizes]
        # A quick shutdown (SIGINT) of gunicorn when the supervisor dies: nothing lingers.
        children = [
            Child("front", child_command(*front_args), (fd,)),
            Child("web", child_command(*web_args), (), signal.SIGINT),
        ]
    if not no_jobs:
        count = str(settings.job_workers)
        jobs_args = child_command("jobs-process", "--workers", count)
        children.append(Child("jobs", jobs_args, nice=JOBS_NICE))
    title = f"opendata: supervisor [{bind}]"
    status = Supervisor(title, children).run()
    if sock is not None:
        sock.close()
    raise SystemExit(status)


@main.command("front-process", with_appcontext=False, hidden=True)
@click.option("--fd", type=int, required=True)
@click.option("--backend", required=True)
def front_process(fd: int, backend: str) -> None:
    """Internal: the buffering HTTP front on the supervisor's socket (started by `serve`)."""
    from app.http_front import run_front
    from app.procutil import set_title

    set_title("opendata: front")
    settings = load_settings()
    run_front(
        fd=fd,
        backend=backend,
        max_body_bytes=settings.max_upload_bytes + 1024 * 1024,  # form fields on top
        spool_dir=str(settings.data_dir.resolve() / "tmp"),
    )


@main.command("web-process", with_appcontext=False, hidden=True)
@click.option("--bind", required=True)
@click.option("--behind-front", is_flag=True)
@click.option("--workers", type=int, required=True)
@click.option("--threads", type=int, required=True)
def web_process(bind: str, behind_front: bool, workers: int, threads: int) -> None:
    """Internal: the gunicorn master (started by `serve`)."""
    from app.procutil import set_title

    set_title("opendata: web (starting)")  # gunicorn names itself once it runs
    from app.server import run_gunicorn

    settings = load_settings()
    run_gunicorn(settings, bind=bind, workers=workers, threads=threads, behind_front=behind_front)


@main.command("jobs-process", with_appcontext=False, hidden=True)
@click.option("--workers", type=int, required=True)
def jobs_process(workers: int) -> None:
    """Internal: the job process (started by `serve` and `worker`)."""
    import os

    from app.procutil import set_title

    set_title("opendata: jobs (starting)")
    from app.jobs import run_job_process
    from app.supervisor import configure_logging

    settings = load_settings()
    configure_logging(settings.log_level)
    run_job_process(settings, workers)
    # Skip multiprocessing's exit handler, which would wait for running job children:
    # they end with the fork server (their death signal); recovery re-queues their work.
    os._exit(0)


if __name__ == "__main__":  # the supervisor starts its children as `python -m app.cli`
    main()
