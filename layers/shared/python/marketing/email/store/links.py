"""Tracked links: every link written in a template, by id (marketing.email.links.link_id, a hash of its
URL). The click route redirects only to a URL registered here, so a click token can never lead to a
URL a merge field put into an email. Items are never deleted: an email sent years ago still names
its links, whatever became of the template.
"""

from __future__ import annotations

from collections.abc import Iterable

from pynamodb.attributes import UnicodeAttribute
from pynamodb.models import Model

from marketing.email.links import link_id
from marketing.store.table_meta import TableMeta


class LinkRecord(Model):
    class Meta(TableMeta):
        table_env = "LINKS_TABLE"

    id = UnicodeAttribute(hash_key=True)
    url = UnicodeAttribute()


def register(urls: Iterable[str]) -> None:
    """Registers each of `urls` (idempotent: a link's item is the same every time it is written)."""
    with LinkRecord.batch_write() as batch:
        for url in set(urls):
            batch.save(LinkRecord(link_id(url), url=url))


def url_of(link: str) -> str | None:
    """The URL registered under the id `link`, or None."""
    try:
        return LinkRecord.get(link).url
    except LinkRecord.DoesNotExist:
        return None
