"""The staff console's journey in a real browser, against local mode as a marketer meets it: sign
in as the local manager; write a template and watch the preview follow the typing; build a segment
with a nested group and refresh it; create a campaign, see its cost, send it and watch the progress
bar reach sent; open and click the email in the outbox; see the campaign's funnel and charts move.
Then the analyst: no way to send, and a plain 403 when a write is forced. Every page visited is
checked with axe-core and photographed."""

from __future__ import annotations

import json
import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.e2e.console.conftest import ANALYST, MANAGER, no_serious_accessibility_findings, screenshot, sign_in
from tests.e2e.test_audience import eventually
from tests.e2e.test_campaigns import TEMPLATE, subscribe

pytestmark = pytest.mark.e2e


@pytest.fixture
def audience(local_stack) -> str:
    """Two subscribers carrying a tag of their own (the segment's), and one without it."""
    tag = f"console-{uuid.uuid4().hex[:8]}"
    staff = local_stack.staff()
    for name in ("Ada", "Grace", "Edsger"):
        subscriber = subscribe(local_stack, f"{name.lower()}.{tag}@example.com", name)
        if name != "Edsger":
            staff.call("PATCH", f"contacts/{subscriber['contact_id']}/", {"tags": [tag]})
    return tag


def checked(page, name: str) -> None:
    no_serious_accessibility_findings(page)
    screenshot(page, name)


def test_a_manager_writes_segments_sends_and_watches_a_campaign(page, audience):
    sign_in(page, MANAGER)
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    expect(page.get_by_text("Emails sent")).to_be_visible()  # the figures are in
    expect(page.get_by_text("Loading", exact=False)).to_have_count(0)
    checked(page, "overview")

    # A template: the preview follows the typing.
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Templates").click()
    page.get_by_role("link", name="New template").click()
    page.get_by_label("Name", exact=True).fill(f"Sale {audience}")
    page.get_by_label("Subject").fill("{{ first_name }}, the sale is on")
    html = page.get_by_role("textbox", name="HTML")
    expect(page.locator(".cm-editor")).to_be_visible()  # the highlighting editor has loaded
    html.click()
    page.keyboard.press("Control+A")
    page.keyboard.type('<p>Hi {{ first_name }}</p><p><a href="https://shop.example/sale">Shop the sale</a></p>')
    # The preview frame runs no script (sandbox=""), so neither can a test inside it: what it shows
    # is its srcdoc, the rendered draft.
    preview = page.locator("iframe[title='Email preview']")
    expect(preview).to_have_attribute("sandbox", "")
    expect(preview).to_have_attribute("srcdoc", re.compile(r"<p>Hi Ada</p>.*Shop the sale"))
    page.keyboard.type("<p>Ends Sunday</p>")
    expect(preview).to_have_attribute("srcdoc", re.compile("Ends Sunday"))
    checked(page, "template-editor")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"Template: Sale {audience}"))).to_be_visible()
    page.get_by_label("Test addresses").fill(f"boss.{audience}@example.com")
    page.get_by_role("button", name="Send test").click()
    expect(page.get_by_text(f"Test sent to boss.{audience}@example.com.")).to_be_visible()

    # A segment with a nested group: (stage is lead) AND (tag OR tag), refreshed.
    nav.get_by_role("link", name="Segments").click()
    page.get_by_role("link", name="New segment").click()
    page.get_by_label("Name", exact=True).fill(f"Sale audience {audience}")
    who = page.get_by_role("group", name="Who belongs")
    who.get_by_role("checkbox", name="Lead", exact=True).check()
    who.get_by_role("checkbox", name="Customer", exact=True).uncheck()
    page.get_by_role("button", name="Add group").click()
    nested = page.get_by_role("group", name="Group 2")
    nested.get_by_label("Tags").fill(f"{audience},no-such-tag")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_role("heading", name=re.compile(f"Segment: Sale audience {audience}"))).to_be_visible()
    page.get_by_role("button", name="Refresh", exact=True).click()
    expect(page.get_by_role("progressbar", name="Refresh progress")).to_have_attribute(
        "aria-valuenow", "100", timeout=30_000
    )
    members = page.get_by_role("region", name="Members")
    expect(members.get_by_text(f"ada.{audience}@example.com")).to_be_visible()
    expect(members.get_by_text(f"edsger.{audience}@example.com")).to_have_count(0)
    checked(page, "segment-editor")

    # A campaign: its cost, the send, the progress bar to the end.
    nav.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="New campaign").click()
    page.get_by_label("Name", exact=True).fill(f"Sale campaign {audience}")
    page.get_by_label("Template").select_option(label=f"Sale {audience}")
    page.get_by_label("Segment").select_option(label=f"Sale audience {audience} (2)")  # its members at the refresh
    page.get_by_label("From name", exact=True).fill("Example Shop")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.get_by_role("heading", name=f"Campaign: Sale campaign {audience}")).to_be_visible()
    expect(page.get_by_role("region", name="Cost")).to_contain_text("$")
    checked(page, "campaign-draft")
    page.get_by_role("button", name="Send now").click()
    confirm = page.get_by_role("dialog")  # a whole campaign goes with one click: it asks first
    expect(confirm).to_contain_text("2 recipients")
    checked(page, "campaign-send-confirm")
    confirm.get_by_role("button", name="Send to 2 recipients").click()
    expect(page.get_by_role("progressbar", name="Send progress")).to_have_attribute(
        "aria-valuenow", "100", timeout=60_000
    )
    expect(page.get_by_text("Sent", exact=True).first).to_be_visible(timeout=30_000)

    # The outbox: the email as Ada sees it; a click goes through the tracked link.
    nav.get_by_role("link", name="Outbox").click()
    emails = page.get_by_role("navigation", name="Emails")
    emails.get_by_role("button", name=re.compile(f"ada.{audience}")).first.click()
    email = page.locator("iframe[title^='Email: ']")
    expect(email).to_have_attribute("srcdoc", re.compile("Hi Ada"))
    checked(page, "outbox")
    # Its images (the open pixel) load as a mail client's would; its link is followed as a click
    # is (the frame runs no script, so the test reads the link from the email it shows).
    link = re.search(r'<a href="([^"]+)"[^>]*>Shop the sale', email.get_attribute("srcdoc") or "")
    assert link
    assert "/track/click/" in link[1]
    followed = page.request.get(link[1].replace("&amp;", "&"), max_redirects=0)
    assert followed.status == 302
    assert followed.headers["location"] == "https://shop.example/sale"

    # The campaign's results move: clicked (and so opened) counts one.
    nav.get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name=f"Sale campaign {audience}").click()
    funnel = page.get_by_role("list", name=re.compile("Funnel"))

    def clicked_once() -> bool:
        page.reload()
        clicked = funnel.get_by_role("listitem").filter(has_text="Clicked")
        return re.search(r"\b1 · ", clicked.inner_text()) is not None

    eventually(clicked_once, 30)
    expect(page.get_by_role("region", name="Clicks per link")).to_contain_text("https://shop.example/sale")
    checked(page, "campaign-results")


@pytest.fixture
def draft_campaign(local_stack) -> dict:
    staff = local_stack.staff()
    template = staff.call("POST", "templates/", TEMPLATE)
    segment = staff.call("POST", "segments/", {"name": "Analyst's view", "type": "static", "contact_ids": []})
    body = {"name": f"Draft {uuid.uuid4().hex[:6]}", "template_id": template["id"], "segment_id": segment["id"]}
    return staff.call("POST", "campaigns/", {**body, "from_name": "Example Shop"})


def test_an_analyst_reads_but_finds_no_way_to_send(page, draft_campaign):
    sign_in(page, ANALYST)
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Campaigns").click()
    expect(page.get_by_role("link", name="New campaign")).to_have_count(0)
    page.get_by_role("link", name=draft_campaign["name"]).click()
    expect(page.get_by_role("heading", name=f"Campaign: {draft_campaign['name']}")).to_be_visible()
    expect(page.get_by_role("region", name="Cost")).to_be_visible()
    for write in ("Send now", "Send test", "Delete campaign"):
        expect(page.get_by_role("button", name=write)).to_have_count(0)
    checked(page, "campaign-analyst")

    # Forced through the URL, the API's 403 is shown plainly.
    page.goto("/console/campaigns/new")
    page.get_by_label("Name", exact=True).fill("Not allowed")
    page.get_by_role("button", name=re.compile("Create")).click()
    expect(page.get_by_role("alert")).to_contain_text("Your role (analyst) can't do this")


def test_a_csv_import_shows_its_progress_and_the_rows_it_refused(page):
    tag = f"import-{uuid.uuid4().hex[:8]}"
    # Lin's row says how she consented: the import subscribes her and logs that consent. Max's
    # says nothing: he waits, a contact, until he confirms the email the manager has sent him.
    rows = [
        "email,first_name,tags,subscribed,consent_method",
        f"lin.{tag}@example.com,Lin,{tag},yes,newsletter box at checkout",
        f"kay.{tag}@example.com,Kay,{tag},no,",
        f"max.{tag}@example.com,Max,{tag},yes,",
        "not-an-address,Nobody,,yes,",
    ]
    sign_in(page, MANAGER)
    page.goto("/console/contacts/import")
    page.get_by_label("CSV file").set_input_files(
        files=[{"name": "people.csv", "mimeType": "text/csv", "buffer": "\n".join(rows).encode()}]
    )
    expect(page.get_by_text("4 rows to import")).to_be_visible()
    page.get_by_role("button", name="Start import").click()  # the file goes to the pre-signed URL
    expect(page.get_by_role("progressbar", name="Import progress")).to_have_attribute(
        "aria-valuenow", "100", timeout=30_000
    )
    refused = page.get_by_role("row").filter(has_text="email")
    expect(refused.filter(has_text="not a valid email address")).to_have_count(1)
    waiting = page.get_by_role("region", name="Waiting for confirmation")
    expect(waiting).to_contain_text("asked to subscribe without a stated consent")
    waiting.get_by_role("button", name="Email them a confirmation link").click()
    expect(page.get_by_role("progressbar", name="Confirmation emails sent")).to_have_attribute(
        "aria-valuenow", "100", timeout=30_000
    )
    page.goto(f"/console/contacts?tag={tag}")
    expect(page.get_by_role("link", name=f"lin.{tag}@example.com")).to_be_visible()
    expect(page.get_by_role("link", name=f"kay.{tag}@example.com")).to_be_visible()

    # Lin's consent history: the import subscribed her, from row 2 of the file.
    page.get_by_role("link", name=f"lin.{tag}@example.com").click()
    subscribed = page.get_by_role("region", name="Consent history").get_by_role("row").filter(has_text="Subscribed by")
    expect(subscribed).to_contain_text("Subscribed by a contact import")
    expect(subscribed).to_contain_text(re.compile(r"import imp_\S+, row 2"))
    page.go_back()

    # Kay's page: no consent (the file said no); her data as a file, then her erasure, behind a
    # confirmation.
    page.get_by_role("link", name=f"kay.{tag}@example.com").click()
    expect(page.get_by_role("region", name="Consent history")).to_contain_text("No consent recorded yet")
    with page.expect_download() as download:
        page.get_by_role("button", name="Export").click()
    exported = json.loads(Path(download.value.path()).read_text())
    assert exported["contact"]["email"] == f"kay.{tag}@example.com"
    page.get_by_role("button", name="Erase contact").click()
    dialog = page.get_by_role("dialog")
    expect(dialog).to_contain_text(f"kay.{tag}@example.com")
    dialog.get_by_role("button", name="Erase contact").click()
    expect(page.get_by_role("heading", name="Contacts", level=1)).to_be_visible()
    page.goto(f"/console/contacts?tag={tag}")
    expect(page.get_by_role("link", name=f"lin.{tag}@example.com")).to_be_visible()
    expect(page.get_by_role("link", name=f"kay.{tag}@example.com")).to_have_count(0)


def test_a_gift_card_is_created_looked_up_redeemed_once_and_disabled(page):
    sign_in(page, MANAGER)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Growth").click()
    page.get_by_role("tab", name="Gift cards").click()
    create = page.get_by_role("form", name="Create a gift card")
    create.get_by_label("Amount", exact=True).fill("25.00")
    create.get_by_role("button", name="Create gift card").click()
    created = page.get_by_role("status").filter(has_text="Gift card created")
    expect(created).to_contain_text("shown only this once")
    code = created.locator(".secret").inner_text().strip()
    assert len(code) >= 8
    page.get_by_role("button", name="Done").click()
    expect(page.get_by_text(code)).to_have_count(0)  # shown once, then only its last characters

    page.get_by_role("search", name="Gift card by code").get_by_label("Gift card code").fill(code)
    page.get_by_role("button", name="Look up").click()
    redeem = page.get_by_role("form", name="Redeem")
    order = f"order-{uuid.uuid4().hex[:6]}"
    for _ in range(2):  # the same order twice charges once
        redeem.get_by_label("Amount to redeem").fill("10.00")
        redeem.get_by_label("Order id").fill(order)
        redeem.get_by_role("button", name="Redeem").click()
        expect(page.locator("p", has_text="of £25.00 left")).to_contain_text("£15.00 of £25.00 left")
    page.get_by_role("button", name="Disable gift card").click()
    page.get_by_role("dialog").get_by_role("button", name="Disable gift card").click()
    expect(page.get_by_role("form", name="Redeem")).to_have_count(0)
    checked(page, "gift-card")


# Every page of the console, as the manager sees it (the journeys above check the editors).
PAGES = {
    "templates": "/console/templates",
    "segments": "/console/segments",
    "contacts": "/console/contacts",
    "contact-import": "/console/contacts/import",
    "campaigns": "/console/campaigns",
    "campaign-new": "/console/campaigns/new",
    "automations": "/console/automations",
    "automation-new": "/console/automations/new",
    "growth": "/console/growth",
}


def test_every_page_has_no_serious_accessibility_findings(page, audience):
    sign_in(page, MANAGER)
    for name, path in PAGES.items():
        page.goto(path)
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        page.wait_for_load_state("networkidle")
        checked(page, name)
    page.goto("/console/contacts")
    page.get_by_role("textbox", name="Tag").fill(audience)
    page.keyboard.press("Enter")
    page.get_by_role("link", name=f"ada.{audience}@example.com").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"ada.{audience}@example.com")
    page.wait_for_load_state("networkidle")
    checked(page, "contact")


def test_the_keyboard_alone_signs_in_and_reaches_the_pages(page):
    page.goto("/console/")
    page.get_by_label("Email").focus()
    page.keyboard.type(MANAGER.username)
    page.keyboard.press("Tab")
    page.keyboard.type("not-the-password")
    page.keyboard.press("Enter")
    expect(page.get_by_role("alert")).to_contain_text("Incorrect username or password")
    page.get_by_label("Password").fill("")
    page.get_by_label("Password").focus()
    page.keyboard.type(MANAGER.password)
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Overview")).to_be_visible()
    page.keyboard.press("Tab")  # the first stop is the skip link
    expect(page.get_by_role("link", name="Skip to content")).to_be_focused()
    for _ in range(12):  # then on through the header and the navigation, to Templates
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.textContent") == "Templates":
            break
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Templates", level=1)).to_be_visible()


def test_signing_out_revokes_the_refresh_token_so_a_copy_renews_nothing(page, local_stack):
    sign_in(page, MANAGER)
    saved = json.loads(page.evaluate("sessionStorage.getItem('marketing-console.session')"))
    refresh = page.request.post("/local/console/refresh", data={"refreshToken": saved["refreshToken"]})
    assert refresh.status == 200  # the copy works while signed in

    page.get_by_role("button", name="Sign out").click()
    expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    assert page.evaluate("sessionStorage.getItem('marketing-console.session')") is None

    def refused() -> bool:  # the revocation runs beside the sign-out: it may land a moment later
        return page.request.post("/local/console/refresh", data={"refreshToken": saved["refreshToken"]}).status == 401

    assert eventually(refused, timeout=5)
