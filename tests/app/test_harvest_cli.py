"""`opendata harvest ...` commands: register, list, secret from stdin, run with a report."""

from __future__ import annotations

import logging

from click.testing import CliRunner

from app.cli import main
from tests.factories import make_org
from tests.harvesters.conftest import csv_route, package, search_page
from tests.servers import ReplayServer

SECRET = "tok-8c1d2e9f-very-secret"
SEARCH = "/api/action/package_search"


def _cli(settings, *args: str, stdin: str | None = None):
    env = {
        "OPENDATA_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.database_url,
        "OPENDATA_HARVEST_ALLOWED_HOSTS": "127.0.0.1",
    }
    return CliRunner().invoke(main, list(args), env=env, input=stdin, catch_exceptions=False)


def test_harvest_commands_end_to_end(settings, services, caplog):
    caplog.set_level(logging.DEBUG)
    make_org(services, "so-cli")
    with ReplayServer({}) as server:
        url = f"{server.url}/t.csv"
        server.routes[SEARCH] = search_page([package(1, url)])
        server.routes["/t.csv"] = csv_route("ma,so\nA,1\nB,2\n")
        added = _cli(
            settings,
            "harvest",
            "source",
            "add",
            "nguon-ckan",
            "--type",
            "ckan",
            "--url",
            server.url,
            "--org",
            "so-cli",
            "--config",
            '{"auth": "ckan-key"}',
            "--schedule",
            "daily",
        )
        assert "harvest source nguon-ckan registered (ckan, schedule daily)" in added.output
        listed = _cli(settings, "harvest", "source", "list")
        assert "credential=ckan-key (NOT SET)" in listed.output
        stored = _cli(settings, "harvest", "source", "secret", "nguon-ckan", stdin=SECRET + "\n")
        assert "credential ckan-key of nguon-ckan stored (encrypted)" in stored.output
        listed = _cli(settings, "harvest", "source", "list")
        assert "credential=ckan-key (set)" in listed.output and SECRET not in listed.output
        ran = _cli(settings, "harvest", "run", "nguon-ckan")
        assert "nguon-ckan: finished; 1 created" in ran.output, ran.output
        again = _cli(settings, "harvest", "run", "nguon-ckan", "--dry-run")
        assert again.output.startswith(
            "dry run: nguon-ckan: finished; 0 created, 0 updated, 1 unchanged"
        )
    assert SECRET not in caplog.text
    assert SECRET not in (settings.data_dir / "secrets" / "ckan-key.secret").read_bytes().decode(
        "latin-1"
    )


def test_harvest_source_add_names_the_bad_key(settings, services):
    make_org(services, "so-cli-2")
    result = CliRunner().invoke(
        main,
        [
            "harvest",
            "source",
            "add",
            "xau",
            "--type",
            "dcat",
            "--url",
            "https://x.example/c.ttl",
            "--org",
            "so-cli-2",
            "--config",
            '{"approval_extra": "no-equals", "colour": 1}',
        ],
        env={"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url},
    )
    assert result.exit_code != 0
    assert "config.approval_extra: expected_key_equals_value" in result.output
    assert "config.colour: unknown_key" in result.output
    bad_url = CliRunner().invoke(
        main,
        [
            "harvest",
            "source",
            "add",
            "xau",
            "--type",
            "ckan",
            "--url",
            "https://u:p@x.example",
            "--org",
            "so-cli-2",
        ],
        env={"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url},
    )
    assert "url: credentials_in_url_use_auth" in bad_url.output


def test_demo_registers_a_harvest_source_without_running_it(services):
    from app.harvesting import DEMO_SOURCE, register_demo_source

    make_org(services, "cuc-thong-ke")
    register_demo_source(services)
    register_demo_source(services)  # idempotent
    (info,) = services.harvester.sources.list()
    assert info.name == DEMO_SOURCE and info.type == "datajson"
    assert info.url == "http://127.0.0.1:5000/data.json"
    assert info.parsed.require_review and services.harvester.jobs(DEMO_SOURCE) == []
