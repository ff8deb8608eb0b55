"""What each function may touch, as the catalog declares it (the `Uses` of each worker and schedule in
catalog/topology.py, API_USES in catalog/api_routes.py), against what the function's code can reach.

Static, and at the level of functions rather than modules: from the top level of the handler's
module (every router, for the API), follow each name a reached function or class refers to through
the imports of its module, lazy ones inside functions included, to the function, class or constant
it names. A store model reached is a table the function uses; a model named by a reached store
function that writes (calls save, update, delete, ... or a store function that does) is a table it
writes. Whole modules would be too coarse: the gift-card expiry imports the gift-card service,
whose emailing of bought cards reads contacts, but the expiry never calls it. Importing the handler
and listing the models loaded would be both too coarse and too narrow: lazy imports load nothing
until an event needs them. An attribute of a module that names nothing in it fails the test
rather than being skipped, so the walk cannot lose an edge silently; the one import by a computed
name, of the API's routers (api/routers.py), is why the API's walk starts at every router.
"""

from __future__ import annotations

import ast
import importlib
from functools import cache
from pathlib import Path

import pytest
from pynamodb.models import Model

from marketing.catalog import topology
from marketing.catalog.api_routes import API_USES, ROUTER_OF_RESOURCE
from marketing.catalog.tables import TABLES
from marketing.catalog.topology import AUTOMATION_CALLS, QUEUES, SCHEDULES, WORKERS, Uses

REPO_ROOT = Path(__file__).resolve().parents[3]
SOURCE_ROOTS = (REPO_ROOT / "functions", REPO_ROOT / "layers" / "shared" / "python")

# Calls on PynamoDB models, items and transactions (and botocore's) that change a table.
WRITE_METHODS = {"save", "update", "delete", "batch_write", "put_item", "update_item", "delete_item"}

# The adapter functions that need a grant besides tables and queues -> the `Uses` field they need.
FLAGS = {
    ("marketing.aws.ses", "send_raw"): "sends_email",
    ("marketing.aws.ses", "account_send_rate"): "reads_send_quota",
    ("marketing.aws.ses", "is_verified_sender"): "checks_senders",
    ("marketing.email.links", "email_links"): "signs_links",
    ("marketing.audience.address_hashes", "address_hasher"): "hashes_addresses",
    ("marketing.growth.codes", "code_key"): "derives_gift_card_codes",
    ("marketing.audience.services.imports", "_open_at"): "reads_imports",  # s3 GetObject
    ("marketing.audience.services.imports", "create"): "uploads_imports",  # a pre-signed PUT
    ("marketing.email.services.inbound_unsubscribes", "_raw_email"): "reads_inbound_mail",  # s3 GetObject
    ("marketing.aws.one_time_schedules", "put"): "schedules_campaigns",
    ("marketing.aws.one_time_schedules", "delete"): "schedules_campaigns",
}
WORKFLOW_CALLS = {"start": "start", "stop": "stop", "abandon": "answer", "task_done": "answer", "status": "describe"}

Ref = tuple[str, str]  # (module, name defined at its top level)


@cache
def _path(module: str) -> Path | None:
    for root in SOURCE_ROOTS:
        base = root.joinpath(*module.split("."))
        for path in (base.with_suffix(".py"), base / "__init__.py"):
            if path.exists():
                return path
    return None


def _outside_type_checking(tree: ast.AST) -> list[ast.AST]:
    """Every node of `tree` except those under `if TYPE_CHECKING:`, which never run."""
    nodes, pending = [], [tree]
    while pending:
        node = pending.pop()
        if isinstance(node, ast.If) and ast.unparse(node.test).endswith("TYPE_CHECKING"):
            pending.extend(node.orelse)
            continue
        nodes.append(node)
        pending.extend(ast.iter_child_nodes(node))
    return nodes


@cache
def _parsed(module: str) -> ast.Module:
    return ast.parse(_path(module).read_text())  # type: ignore[union-attr]


@cache
def _module(module: str) -> tuple[dict[str, Ref | str], dict[str, ast.AST]]:
    """A module's imported names (-> a module, or a (module, name) it imports) and its top-level
    definitions (functions, classes, assigned names)."""
    tree = _parsed(module)
    imported: dict[str, Ref | str] = {}
    for node in _outside_type_checking(tree):
        if isinstance(node, ast.Import):
            imported.update({alias.asname or alias.name: alias.name for alias in node.names if _path(alias.name)})
        elif isinstance(node, ast.ImportFrom) and node.module and _path(node.module):
            for alias in node.names:
                whole = f"{node.module}.{alias.name}"
                imported[alias.asname or alias.name] = whole if _path(whole) else (node.module, alias.name)
    defined: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            defined[node.name] = node
        elif isinstance(node, ast.Assign | ast.AnnAssign):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            defined.update({target.id: node for target in targets if isinstance(target, ast.Name)})
    return imported, defined


def _target(module: str, name: str) -> Ref | None:
    """What `name` in `module` is: a definition there or one it imports (None: a builtin, a local, a
    library's). Follows re-exports."""
    imported, defined = _module(module)
    if name in defined:
        return module, name
    found = imported.get(name)
    if isinstance(found, tuple):
        return _target(*found) or found
    return None


def _definition(ref: Ref) -> ast.AST:
    return _module(ref[0])[1][ref[1]]


def _referred(module: str, node: ast.AST) -> set[Ref]:
    refs: set[Ref] = set()
    imported, _ = _module(module)
    for child in _outside_type_checking(node):
        if isinstance(child, ast.Attribute) and isinstance(child.value, ast.Name):
            source = imported.get(child.value.id)
            if isinstance(source, str):  # `store.get` where `store` is a module of ours
                found = _target(source, child.attr)
                assert found or _path(f"{source}.{child.attr}"), f"{module}: {source}.{child.attr} names nothing"
                if found:
                    refs.add(found)
                continue
        if isinstance(child, ast.Name) and (found := _target(module, child.id)):
            refs.add(found)
    return refs


def _is_catalog_entry(ref: Ref) -> bool:
    """The catalogs' entries name every queue, table and function: data to read, not code that runs."""
    return ref[0].startswith("marketing.catalog.") and not isinstance(_definition(ref), ast.FunctionDef)


def _reached(modules: list[str]) -> set[Ref]:
    pending = [ref for module in modules for ref in _referred(module, _parsed(module))]
    seen: set[Ref] = set()
    while pending:
        ref = pending.pop()
        if ref in seen or not _path(ref[0]) or ref[1] not in _module(ref[0])[1]:
            continue
        seen.add(ref)
        if not _is_catalog_entry(ref):
            pending.extend(_referred(ref[0], _definition(ref)))
    return seen


def _is_store(module: str) -> bool:
    return ".store." in module or module.startswith("marketing.store")


def _writes(ref: Ref, reached: frozenset[Ref], visiting: frozenset[Ref] = frozenset()) -> bool:
    """Whether a store function changes a table, itself or through a store function it calls."""
    node = _definition(ref)
    for child in ast.walk(node):
        if isinstance(child, ast.Call) and isinstance(child.func, ast.Attribute) and child.func.attr in WRITE_METHODS:
            return True
    callees = _referred(ref[0], node) & reached - visiting - {ref}
    return any(
        _is_store(callee[0])
        and isinstance(_definition(callee), ast.FunctionDef)
        and _writes(callee, reached, visiting | {ref})
        for callee in callees
    )


def _table_of(ref: Ref) -> str | None:
    found = getattr(importlib.import_module(ref[0]), ref[1], None)
    if isinstance(found, type) and issubclass(found, Model) and hasattr(found.Meta, "table_env"):
        return found.Meta.table_env
    return None


def derived_uses(modules: list[str]) -> Uses:
    """The `Uses` that the code of the function whose modules are `modules` needs."""
    reached = frozenset(_reached(modules))
    tables = {ref: table for ref in reached if _is_store(ref[0]) and (table := _table_of(ref))}
    written = {
        tables[model]
        for ref in reached
        if _is_store(ref[0]) and isinstance(_definition(ref), ast.FunctionDef) and _writes(ref, reached)
        for model in _referred(ref[0], _definition(ref))
        if model in tables
    }
    # Queues named by the code it runs; a handler module names its own queue to consume it.
    named = {
        ref
        for code in reached
        if code[0] not in modules and not _is_catalog_entry(code)
        for ref in _referred(code[0], _definition(code))
    }
    queues = {getattr(topology, name) for module, name in named if module == topology.__name__}
    return Uses(
        reads=frozenset(tables.values()) - written,
        writes=frozenset(written),
        sends_to=tuple(queue for queue in QUEUES if queue in queues),
        automation_calls=frozenset(
            call for name, call in WORKFLOW_CALLS.items() if ("marketing.aws.workflows", name) in reached
        ),
        **{flag: True for ref, flag in FLAGS.items() if ref in reached},
    )


def _handler_module(handler: str) -> str:
    return handler.rsplit(".", 1)[0]


FUNCTIONS: dict[str, tuple[list[str], Uses]] = {
    **{f"{worker.name} worker": ([_handler_module(worker.handler)], worker.uses) for worker in WORKERS},
    **{f"{schedule.name} schedule": ([_handler_module(schedule.handler)], schedule.uses) for schedule in SCHEDULES},
    # The API includes its routers by name on a first request (api/routers.py): every one of them.
    "API": (["api.app", *(f"api.routes.{router}" for router in sorted(set(ROUTER_OF_RESOURCE.values())))], API_USES),
}


def _comparable(uses: Uses) -> dict:
    return uses._asdict() | {"sends_to": {queue.name for queue in uses.sends_to}}


@pytest.mark.parametrize("function", FUNCTIONS)
def test_a_function_is_granted_what_its_code_reaches_and_nothing_more(function):
    modules, declared = FUNCTIONS[function]
    assert _comparable(declared) == _comparable(derived_uses(modules))


def test_declarations_name_real_tables_and_calls():
    for _, uses in FUNCTIONS.values():
        assert uses.tables <= set(TABLES.values())
        assert not uses.reads & uses.writes
        assert uses.automation_calls <= AUTOMATION_CALLS


def test_the_walk_finds_lazy_imports_and_tells_reads_from_writes():
    # campaign-send reads the template only when a scheduled start checks the campaign, through
    # an import inside the message handler; the expiry reads and writes gift cards, and no contact.
    send = derived_uses(["workers.campaign_send"])
    assert "TEMPLATES_TABLE" in send.reads
    assert send.checks_senders
    expiry = derived_uses(["schedules.gift_card_expiry"])
    assert expiry.writes == {"GIFT_CARDS_TABLE"}
    assert not expiry.reads
