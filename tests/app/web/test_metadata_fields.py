"""The dataset form shows every field of ``METADATA_FIELDS`` and saving it unchanged keeps them."""

from __future__ import annotations

from html.parser import HTMLParser

from datasets.metadata_input import metadata_values
from datasets.queries import get_dataset
from tests.datasets.test_metadata_fields import add_theme, full_metadata
from tests.factories import SAMPLE_CSV


class _Form(HTMLParser):
    """What a browser sends for the page's form: inputs, checked boxes, textareas, selects."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: list[tuple[str, str]] = []
        self._textarea: str | None = None
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "input" and a.get("name"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            if a.get("type") not in ("submit", "file"):
                self.fields.append((a["name"], a.get("value", "")))
        elif tag == "textarea":
            self._textarea = a.get("name")
            self.fields.append((a["name"], ""))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.fields.append((self._select, a.get("value", "")))

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select":
            self._select = None

    def handle_data(self, data: str) -> None:
        if self._textarea:
            name, text = self.fields.pop()
            self.fields.append((name, text + data))


def test_saving_the_form_unchanged_keeps_every_field_of_a_published_dataset(desk) -> None:
    add_theme(desk.services)
    meta = full_metadata()
    name = desk.services.editor.create(desk.publisher, desk.org.id, meta).name
    desk.login("publisher")
    desk.upload(name, SAMPLE_CSV)
    desk.services.workflow.submit(desk.publisher, name)
    desk.services.workflow.approve(desk.steward, name)
    form = _Form()
    form.feed(desk.page(f"/dataset/edit/{name}"))
    data: dict[str, list[str]] = {}
    for key, value in form.fields:
        data.setdefault(key, []).append(value)
    data.pop("csrf_token")
    saved = desk.post(f"/dataset/edit/{name}", data, form_page=f"/dataset/edit/{name}")
    assert saved.status_code == 302
    with desk.services.sessions() as session:
        revision = get_dataset(session, name).working_revision
        assert revision is not None and revision.number == 2  # the pending revision
        kept = {n: getattr(revision, n) for n in metadata_values(meta)}
    assert kept == metadata_values(meta)
