from __future__ import annotations

from unittest import mock

import pytest

from marketing import clock
from marketing.email.models.templates import EmailTemplate, TemplateCategory
from marketing.email.store import templates as store
from marketing.errors import Conflict, NotFound


def template(template_id: str = "tpl_1") -> EmailTemplate:
    now = clock.utcnow()
    return EmailTemplate(
        id=template_id,
        name="N",
        category=TemplateCategory.NEWSLETTER,
        subject="S",
        html_content="<p>x</p>",
        text_content="",
        created_at=now,
        updated_at=now,
    )


def test_an_edit_based_on_a_stale_copy_is_a_conflict(aws):
    store.create(template())
    stale = store.TemplateRecord.get("tpl_1")
    store.update("tpl_1", {"name": "First edit"}, clock.utcnow())
    with mock.patch.object(store, "_get", return_value=stale), pytest.raises(Conflict):
        store.update("tpl_1", {"name": "Lost edit"}, clock.utcnow())
    assert store.get("tpl_1").name == "First edit"


def test_creating_an_existing_id_is_a_conflict_and_keeps_the_original(aws):
    store.create(template())
    with pytest.raises(Conflict):
        store.create(template().model_copy(update={"name": "Other"}))
    assert store.get("tpl_1").name == "N"


def test_deleting_a_missing_template_is_not_found(aws):
    with pytest.raises(NotFound):
        store.delete("tpl_missing")
