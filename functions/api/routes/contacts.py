"""Contacts (staff)."""

from __future__ import annotations

from typing import Annotated

from aws_lambda_powertools.event_handler.openapi.params import Body, Path, Query
from aws_lambda_powertools.event_handler.router import APIGatewayHttpRouter

from api.routes.params import PageCursor, PageLimit
from api.security import STAFF
from marketing.audience.models.consents import ConsentPage
from marketing.audience.models.contact_export import ContactExport
from marketing.audience.models.contact_requests import ContactCreate, ContactPage, ContactPatch
from marketing.audience.models.contacts import Contact, LifecycleStage
from marketing.audience.models.imports import ContactImport, ImportCreate
from marketing.audience.services import contact_data, imports
from marketing.audience.services import contacts as service

router = APIGatewayHttpRouter()
ContactId = Annotated[str, Path(description="Contact id")]
TAGS = ["contacts"]


@router.get("/contacts/", summary="List contacts, filtered by email, stage or tag", security=STAFF, tags=TAGS)
def list_contacts(
    limit: PageLimit = None,
    cursor: PageCursor = None,
    email: Annotated[str | None, Query(description="Exact address, any case")] = None,
    stage: Annotated[LifecycleStage | None, Query(description="Lifecycle stage")] = None,
    tag: Annotated[str | None, Query(description="Contacts carrying this tag")] = None,
) -> ContactPage:
    return service.list_page(limit, cursor, email=email, stage=stage, tag=tag)


@router.post("/contacts/", summary="Create a contact", security=STAFF, tags=TAGS, status_code=201)
def create_contact(body: Annotated[ContactCreate, Body()]) -> Contact:
    return service.create(body)


@router.post(
    "/contacts/imports/",
    summary="Start a bulk import",
    description="Answers with a pre-signed `upload.url`: PUT the CSV there and the import starts. Columns: "
    "email (required), first_name, last_name, user_id, lifecycle_stage, tags (separated by ; or |), "
    "subscribed (yes/no). Up to 100,000 rows. Follow progress at `GET contacts/imports/{id}/`.",
    security=STAFF,
    tags=TAGS,
    status_code=201,
)
def create_import(body: Annotated[ImportCreate, Body()]) -> ContactImport:
    return imports.create(body)


@router.post(
    "/contacts/imports/<import_id>/confirmations/",
    summary="Ask the import's waiting rows to confirm (re-permission emails)",
    description="Every row of a completed import that asked to subscribe but stated no consent (or that the double "
    "opt-in policy holds) gets one double opt-in email; each subscribes when its owner follows the link. Sent in "
    "the background: `counts.confirmations_sent` grows as they go. Asking again sends nobody a second email. 409 "
    "before the import has completed.",
    security=STAFF,
    tags=TAGS,
    status_code=202,
)
def ask_confirmations(import_id: Annotated[str, Path(description="Import id")]) -> ContactImport:
    return imports.ask_confirmations(import_id)


@router.get(
    "/contacts/imports/<import_id>/",
    summary="An import's progress, counts and rejected rows",
    security=STAFF,
    tags=TAGS,
)
def get_import(import_id: Annotated[str, Path(description="Import id")]) -> ContactImport:
    return imports.get(import_id)


@router.get("/contacts/<contact_id>/", summary="Get a contact", security=STAFF, tags=TAGS)
def get_contact(contact_id: ContactId) -> Contact:
    return service.get(contact_id)


@router.patch("/contacts/<contact_id>/", summary="Change a contact", security=STAFF, tags=TAGS)
def update_contact(contact_id: ContactId, body: Annotated[ContactPatch, Body()]) -> Contact:
    return service.update(contact_id, body)


@router.get("/contacts/<contact_id>/export/", summary="Everything held about a contact", security=STAFF, tags=TAGS)
def export_contact(contact_id: ContactId) -> ContactExport:
    return contact_data.export(contact_id)


@router.delete("/contacts/<contact_id>/", summary="Erase a contact", security=STAFF, tags=TAGS, status_code=204)
def delete_contact(contact_id: ContactId) -> None:
    contact_data.erase(contact_id)


@router.get(
    "/contacts/<contact_id>/consents/",
    summary="The contact's consent log, newest first",
    description="Every subscribe, confirmation, unsubscribe and preference change: when, how, from where (form and "
    "page, import, email), the IP address and user agent where there was a request, the consent wording's version "
    "and who acted. Append-only; erased with the contact.",
    security=STAFF,
    tags=TAGS,
)
def consent_log(contact_id: ContactId, limit: PageLimit = None, cursor: PageCursor = None) -> ConsentPage:
    return contact_data.consent_log(contact_id, limit, cursor)
