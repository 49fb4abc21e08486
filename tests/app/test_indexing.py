"""The database is the truth: the index follows commits, failures are marked and repaired."""

from __future__ import annotations

from click.testing import CliRunner

from app.cli import main
from datasets.model import Dataset
from search_index import SearchQuery
from tests.factories import publish_sample


def _hits(services, text: str) -> list[str]:
    return [h.name for h in services.search.search(SearchQuery(text=text)).hits]


def test_publish_indexes_and_withdraw_removes(services, client) -> None:
    dataset, _rid, _publisher, steward = publish_sample(services, title="Chất lượng nước kênh")
    assert _hits(services, "chat luong nuoc kenh") == [dataset.name]
    assert "Chất lượng nước kênh" in client.get("/dataset?q=nuoc+kenh").get_data(as_text=True)
    services.workflow.withdraw(steward, dataset.name, "Số liệu sai")
    assert _hits(services, "chat luong nuoc kenh") == []
    page = client.get("/dataset?q=nuoc+kenh").get_data(as_text=True)
    assert "Chất lượng nước kênh" not in page


def test_failed_index_update_is_marked_and_rebuild_repairs_it(
    services, settings, monkeypatch
) -> None:
    def fail(*_args: object) -> None:
        raise OSError("index unavailable")

    real = services.search
    with monkeypatch.context() as broken:  # the services are frozen: break the index itself
        broken.setattr(real, "upsert", fail)
        broken.setattr(real, "delete", fail)
        dataset, *_ = publish_sample(services, title="Điểm thu gom pin cũ")
    assert services.catalog.get(dataset.name) is not None  # published despite the failure
    with services.sessions() as session:
        assert session.get(Dataset, dataset.id).index_stale is True
    assert _hits(services, "thu gom pin") == []
    env = {"OPENDATA_DATA_DIR": str(settings.data_dir), "DATABASE_URL": settings.database_url}
    result = CliRunner().invoke(main, ["index", "rebuild"], env=env, catch_exceptions=False)
    assert result.exit_code == 0 and "indexed 1 datasets" in result.output
    reopened = type(real).from_url(f"whoosh://{settings.data_dir.resolve() / 'index'}")
    assert [h.name for h in reopened.search(SearchQuery(text="thu gom pin")).hits] == [dataset.name]
    with services.sessions() as session:
        assert session.get(Dataset, dataset.id).index_stale is False


def test_pending_revision_is_not_searchable_until_approved(services) -> None:
    from datasets.metadata_input import DatasetMetadata

    dataset, _rid, publisher, steward = publish_sample(services, title="Bến xe khách")
    services.editor.update_metadata(
        publisher,
        dataset.name,
        DatasetMetadata(title_vi="Bến xe khách liên tỉnh Miền Đông"),
        expected_version=None,
    )
    services.workflow.submit(publisher, dataset.name)
    assert _hits(services, "mien dong") == []
    services.workflow.approve(steward, dataset.name)
    assert _hits(services, "mien dong") == [dataset.name]
