"""The isolation matrix: no user ever reaches another organisation's records.

Generated from the URL resolver (pages) and the django-ninja routers (API), so a
route added later is covered without anyone remembering to add it:

- every route that takes a record id answers 404 to a user of another organisation,
  for every method it accepts, and nothing changes;
- every list (a GET route without an id) shows an outsider none of the other
  organisation's rows;
- every API write whose body names records (``*_id``) refuses ids of another
  organisation's records with a 4xx, and nothing changes.

A route whose parameters the matrix cannot fill fails ``test_every_route_is_described``
until its parameter is added to ``FOREIGN_IDS`` (or, with a reason, to ``NOT_RECORD_ROUTES``).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

import pytest
from django.apps import apps
from django.urls import URLPattern, URLResolver, get_resolver

from salesdesk.core.jobs import job_create
from salesdesk.core.models import AuditEvent
from salesdesk.core.tokens import token_create

pytestmark = pytest.mark.django_db

# Routes outside business isolation, each with the reason.
NOT_RECORD_ROUTES = {
    "admin/": "Django admin: instance operators only (is_staff), not reachable by partners or customers",
    "static/": "static files",
    "media/": "uploaded files are served through views that check visibility, never directly",
    "^api/(?P<unmatched_api_path>": "the API's catch-all: a JSON 404 for unknown paths, no record",
}


@dataclass
class Route:
    path: str  # e.g. "api/organisations/<int:organisation_id>"
    name: str
    params: tuple[str, ...]
    methods: tuple[str, ...] | None  # None: a page (try GET and POST)


def _walk(patterns, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for p in patterns:
        route = prefix + str(p.pattern)
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        else:
            yield route, p


def all_routes() -> list[Route]:
    routes = []
    for path, pattern in _walk(get_resolver().url_patterns):
        if any(path.startswith(skip) for skip in NOT_RECORD_ROUTES):
            continue
        params = tuple(re.findall(r"<(?:\w+:)?(\w+)>", path))
        methods = None
        view = pattern.callback
        # django-ninja's view closes over its PathView, which knows the route's operations.
        for cell in getattr(view, "__closure__", None) or ():
            path_view = cell.cell_contents
            if hasattr(path_view, "operations"):
                methods = tuple(sorted({m for op in path_view.operations for m in op.methods}))
        routes.append(Route(path=path, name=pattern.name or path, params=params, methods=methods))
    return routes


# How to find a record of *another* organisation (world B) for each kind of id.
FOREIGN_IDS: dict[str, Callable[[object], int]] = {
    "organisation_id": lambda w: w.customer.pk,
    "contact_id": lambda w: w.contact.pk,
    "opportunity_id": lambda w: w.opportunity.pk,
    "user_id": lambda w: w.customer_user.pk,
    "token_id": lambda w: w.token.pk,
    "job_id": lambda w: w.job.pk,
    "account_id": lambda w: w.customer.pk,
    "partner_id": lambda w: w.partner.pk,
    "managed_by_id": lambda w: w.partner.pk,
    "owner_id": lambda w: w.partner_user.pk,
    "answer_id": lambda w: _hidden_knowledge(w).hidden_answer.pk,
    "article_id": lambda w: _hidden_knowledge(w).hidden_article.pk,
    "case_id": lambda w: w.case.pk,
    "attachment_id": lambda w: w.attachment.pk,
    "interaction_id": lambda w: w.interaction.pk,
    "assignee_id": lambda w: w.partner_user.pk,
    # SLA policies and calendars are internal: no partner or customer may reach one.
    "policy_id": lambda w: w.sla_policy.pk,
    "calendar_id": lambda w: w.sla_policy.calendar_id,
    # Requirements: a requirement with an open question, and a version shared with the customer.
    "requirement_id": lambda w: w.requirement.pk,
    "question_id": lambda w: w.question.pk,
    "baseline_id": lambda w: w.baseline.pk,
    # Estimates are internal (cost rates, margins): no partner or customer reaches one.
    "estimate_id": lambda w: w.estimate.pk,
    "task_id": lambda w: w.estimate_task.pk,
    "rate_id": lambda w: w.estimate_rate.pk,
    "item_id": lambda w: w.estimate_item.pk,
    "risk_id": lambda w: w.estimate_risk.pk,
    "version_number": lambda w: 1,
    # Deal registrations: a partner sees only their own organisation's.
    "registration_id": lambda w: w.registration.pk,
    # Presales requests: made by the world's partner user on its own deal.
    "presales_request_id": lambda w: w.presales_request.pk,
    # Solution designs are internal: no partner or customer reaches one, nor its rows.
    "design_id": lambda w: w.solution_design.pk,
    "version_id": lambda w: w.solution_version.pk,
    "component_id": lambda w: w.solution_component.pk,
    "service_line_id": lambda w: w.solution_service_line.pk,
    "gap_id": lambda w: w.product_gap.pk,
}


def _estimate_records(world, label: str) -> None:
    """An estimate on the world's opportunity with one row of each kind, made by a level-4 engineer."""
    from decimal import Decimal

    from salesdesk.core.roles import UserKind
    from salesdesk.estimates import services
    from salesdesk.estimates.models import EstimateRisk, EstimateTask, NonLabourItem, RateCardLine

    from .factories import UserFactory

    engineer = UserFactory(username=f"engineer_{label.lower()}", kind=UserKind.SUPPORT, support_level=4)
    world.estimate = services.estimate_create(
        actor=engineer, opportunity_id=world.opportunity.pk, data={"title": f"{label}'s estimate"}
    )

    def add(model, **data):
        return services.line_add(actor=engineer, estimate=world.estimate, model=model, data=data)

    world.estimate_task = add(
        EstimateTask, code="T1", name=f"{label}'s task", optimistic=1, most_likely=2, pessimistic=3
    )
    world.estimate_rate = add(RateCardLine, role="engineer", cost_rate=Decimal(500), sell_rate=Decimal(900))
    world.estimate_item = add(NonLabourItem, description=f"{label}'s licence", unit_cost=Decimal(100))
    world.estimate_risk = add(
        EstimateRisk, code="R1", description=f"{label}'s risk", probability=Decimal("0.5")
    )


def _requirement_records(world, label: str) -> None:
    """A requirement set on the world's opportunity: v1 shared with its contact, then an open question."""
    from salesdesk.core.roles import UserKind
    from salesdesk.deals import requirement_services

    from .factories import UserFactory

    consultant = UserFactory(kind=UserKind.SUPPORT, support_level=3, username=f"consultant_{label.lower()}")
    world.requirement = requirement_services.requirement_add(
        actor=consultant, opportunity=world.opportunity, data={"statement": f"{label}'s requirement"}
    )
    world.baseline = requirement_services.baseline_create(actor=consultant, opportunity=world.opportunity)
    requirement_services.baseline_share(
        actor=consultant, baseline=world.baseline, contact_id=world.contact.pk
    )
    world.question = requirement_services.question_raise(
        actor=consultant,
        requirement=world.requirement,
        text=f"{label}'s question",
        contact_id=world.contact.pk,
    )


def _registration_records(world, label: str) -> None:
    """A deal registered by the world's partner for a customer of its own naming."""
    import datetime as dt

    from salesdesk.deals import registration_services

    world.registration = registration_services.registration_create(
        actor=world.partner_user,
        data={
            "customer_name": f"{label}'s registered customer",
            "product_ids": [_catalog(world).catalog_product.pk],
            "expected_close_date": dt.date.today() + dt.timedelta(days=30),
        },
    )


def _presales_records(world, label: str) -> None:
    """A presales request by the world's partner user on its deal, with a comment."""
    import datetime as dt

    from django.utils import timezone

    from salesdesk.deals import presales_services

    world.presales_request = presales_services.presales_request_create(
        actor=world.partner_user,
        opportunity=world.opportunity,
        data={
            "kind": "demo",
            "description": f"{label}'s presales request",
            "due_date": (timezone.now() + dt.timedelta(days=14)).date(),
        },
    )
    presales_services.presales_comment_add(
        actor=world.partner_user, request=world.presales_request, text=f"{label}'s presales comment"
    )


def _solution_records(world, label: str) -> None:
    """A solution design on the world's opportunity: a component, a service, a gap raised as a product gap."""
    from salesdesk.catalog.models import Category, Product
    from salesdesk.core.roles import UserKind
    from salesdesk.solutions import services

    from .factories import UserFactory

    engineer = UserFactory(username=f"architect_{label.lower()}", kind=UserKind.SUPPORT, support_level=4)
    category, _ = Category.objects.get_or_create(name="Matrix servers")
    product = Product.objects.create(sku=f"MX-S-{label}", name=f"Matrix server {label}", category=category)
    world.solution_design = services.design_create(
        actor=engineer, opportunity_id=world.opportunity.pk, data={"title": f"{label}'s solution"}
    )
    world.solution_version = world.solution_design.versions.get()
    world.solution_component = services.component_add(
        actor=engineer, version=world.solution_version, data={"product_id": product.pk}
    )
    world.solution_service_line = services.service_line_add(
        actor=engineer, version=world.solution_version, data={"description": f"{label}'s workshop"}
    )
    services.fit_gap_set(
        actor=engineer, version=world.solution_version, requirement_id=world.requirement.pk, coverage="gap"
    )
    world.product_gap = services.product_gap_raise(
        actor=engineer,
        version=world.solution_version,
        requirement_id=world.requirement.pk,
        description=f"{label}'s gap",
    )


def _service_records(world, label: str) -> None:
    """A case (with a file and an internal note) and a logged call on the world's customer."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from salesdesk.service import services
    from salesdesk.service.models import BusinessCalendar, SlaPolicy

    staff = world.opportunity.owner
    calendar, _ = BusinessCalendar.objects.get_or_create(name="Matrix calendar")
    world.sla_policy = SlaPolicy.objects.filter(customer_tier="standard", priority="normal").first() or (
        SlaPolicy.objects.create(
            customer_tier="standard",
            priority="normal",
            first_response_minutes=60,
            resolution_minutes=600,
            calendar=calendar,
        )
    )
    world.case = services.case_open(
        actor=world.customer_user,
        data={"subject": f"{label}'s case", "contact_id": world.contact.pk},
    )
    world.attachment = services.attachment_add(
        actor=world.customer_user,
        case=world.case,
        upload=SimpleUploadedFile(f"{label.lower()}-log.txt", b"log line", content_type="text/plain"),
    )
    world.interaction = services.log_interaction(
        actor=staff, kind="call", contact=world.contact, notes=f"{label}'s call notes"
    )


def _hidden_knowledge(world):
    """Knowledge no partner or customer may read: an internal draft answer and article.

    Knowledge is not owned by an organisation; what an outsider must never reach is
    what is not published for their audience.
    """
    if not hasattr(world, "hidden_answer"):
        from salesdesk.knowledge.models import Answer, Article

        owner = world.opportunity.owner
        world.hidden_answer = Answer.objects.create(
            title="B's internal answer", body="Internal only.", owner=owner, audience="internal"
        )
        world.hidden_article = Article.objects.create(
            title="B's draft article", body="Draft.", owner=owner, audience="customers", status="draft"
        )
    return world


def _catalog(world):
    """Shared catalog records (created on first use): readable by everyone with catalog.view."""
    if not hasattr(world, "catalog_product"):
        import datetime as dt
        from decimal import Decimal

        from salesdesk.catalog.models import (
            Category,
            CompatibilityRule,
            PriceListEntry,
            Product,
            ProductSpec,
        )

        category = Category.objects.create(name="Matrix gateways")
        product = Product.objects.create(sku="MX-1", name="Matrix Gateway", category=category)
        other = Product.objects.create(sku="MX-2", name="Matrix Switch", category=category)
        world.catalog_product = product
        world.catalog_spec = ProductSpec.objects.create(product=product, name="cores", value_number=16)
        world.catalog_price = PriceListEntry.objects.create(
            product=product,
            list_price=Decimal("100"),
            cost_price=Decimal("40"),
            valid_from=dt.date(2026, 1, 1),
        )
        world.catalog_rule = CompatibilityRule.objects.create(
            product=product, kind="requires", other_product=other, message="needs a switch"
        )
    return world


# Ids of shared reference data (the catalog): not "foreign" to anyone, so a route whose
# parameters are all shared is not expected to answer 404 — only to change nothing for
# people who may not edit it.
SHARED_IDS: dict[str, Callable[[object], int]] = {
    "product_id": lambda w: _catalog(w).catalog_product.pk,
    "category_id": lambda w: _catalog(w).catalog_product.category_id,
    "spec_id": lambda w: _catalog(w).catalog_spec.pk,
    "price_id": lambda w: _catalog(w).catalog_price.pk,
    "rule_id": lambda w: _catalog(w).catalog_rule.pk,
}


# A second foreign record for some ids, so each kind of record is tried: a foreign partner
# organisation has pages of its own (managed customers, timeline) as well as a customer.
ALTERNATE_FOREIGN_IDS: dict[str, Callable[[object], int]] = {
    "organisation_id": lambda w: w.partner.pk,
}


def fill_variants(path: str, world) -> list[str]:
    urls = [fill(path, world)]
    for name, alternate in ALTERNATE_FOREIGN_IDS.items():
        if f"{name}>" in path:
            urls.append("/" + re.sub(rf"<(?:\w+:)?{name}>", str(alternate(world)), fill(path, world)[1:]))
    return urls


def fill(path: str, world) -> str:
    def sub(match: re.Match) -> str:
        name = match.group(1)
        return str((FOREIGN_IDS.get(name) or SHARED_IDS[name])(world))

    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", sub, path)


def world_state() -> dict[str, object]:
    """Row counts and versions of every Salesdesk model, to prove that nothing changed."""
    state: dict[str, object] = {"audit": AuditEvent.objects.count()}
    for model in apps.get_models():
        if not model.__module__.startswith("salesdesk."):
            continue
        state[model._meta.label] = model._base_manager.count()
        if hasattr(model, "version"):
            state[model._meta.label + ".versions"] = sum(
                model._base_manager.values_list("version", flat=True)
            )
    return state


@pytest.fixture
def worlds(world_a, world_b):
    # Records of world B that only world B's people may reach: a token and a job.
    world_b.token, _secret = token_create(actor=world_b.partner_user, name="B's script")
    world_b.job = job_create(actor=world_b.partner_user, kind="test", title="B's job")
    _service_records(world_a, "A")
    _service_records(world_b, "B")
    _requirement_records(world_a, "A")
    _requirement_records(world_b, "B")
    _estimate_records(world_a, "A")
    _estimate_records(world_b, "B")
    _solution_records(world_a, "A")
    _solution_records(world_b, "B")
    _registration_records(world_b, "B")
    _presales_records(world_a, "A")
    _presales_records(world_b, "B")
    return world_a, world_b


def outsiders(world_a):
    return [world_a.partner_user, world_a.customer_user]


def markers_of(world_b) -> list[str]:
    return [
        world_b.customer.name,
        world_b.partner.name,
        world_b.opportunity.name,
        world_b.contact.first_name,
        world_b.customer_user.username,
        world_b.partner_user.username,
        "B's job",
        "B's script",
        "B's case",
        "B's call notes",
        "b-log.txt",
        "B's requirement",
        "B's question",
        "B's estimate",
        "B's licence",
        "B's solution",
        "B's workshop",
        "B's gap",
        "B's registered customer",
        "B's presales request",
        "B's presales comment",
    ]


SAMPLE_STRINGS = {
    "email": "someone@example.com",
    "uri": "https://example.com",
    "date": "2027-01-31",
    "date-time": "2027-01-31T10:00:00Z",
    "decimal": "100.00",
}


def _resolve(schema: dict, components: dict) -> dict:
    while "$ref" in schema:
        schema = components[schema["$ref"].rsplit("/", 1)[-1]]
    if "anyOf" in schema:
        options = [o for o in schema["anyOf"] if o.get("type") != "null"]
        return _resolve(options[0], components) if options else {}
    if "allOf" in schema and len(schema["allOf"]) == 1:
        return _resolve(schema["allOf"][0], components)
    return schema


def sample_body(operation: dict, components: dict, world) -> dict:
    """A body that passes the schema, with every ``*_id`` naming world B's records."""
    content = (operation.get("requestBody") or {}).get("content", {}).get("application/json")
    if not content:
        return {}
    schema = _resolve(content["schema"], components)
    body: dict[str, object] = {}
    required = set(schema.get("required", []))
    for name, prop in schema.get("properties", {}).items():
        if name in FOREIGN_IDS:
            body[name] = FOREIGN_IDS[name](world)
            continue
        if name not in required:
            continue
        prop = _resolve(prop, components)
        if "enum" in prop:
            body[name] = prop["enum"][0]
        elif prop.get("type") == "string":
            body[name] = SAMPLE_STRINGS.get(prop.get("format", ""), "Sample value 42")
        elif prop.get("type") in ("integer", "number"):
            body[name] = max(1, prop.get("minimum", 1))
        elif prop.get("type") == "boolean":
            body[name] = False
        else:
            body[name] = None
    return body


def api_operations() -> tuple[list[tuple[str, str, dict]], dict]:
    from salesdesk.config.api import api

    schema = api.get_openapi_schema()
    ops = [
        (path, method.upper(), op) for path, item in schema["paths"].items() for method, op in item.items()
    ]
    return ops, schema.get("components", {}).get("schemas", {})


def test_every_route_is_described():
    unknown = sorted(
        {(r.path, p) for r in all_routes() for p in r.params if p not in FOREIGN_IDS and p not in SHARED_IDS}
    )
    assert not unknown, (
        "These routes take a parameter the isolation matrix cannot fill; add it to FOREIGN_IDS "
        f"(or to NOT_RECORD_ROUTES with a reason): {unknown}"
    )


def test_the_matrix_sees_the_api_and_the_pages():
    routes = all_routes()
    assert any(r.path.startswith("api/") and r.params for r in routes)
    assert any(not r.path.startswith("api/") and r.params for r in routes)


RECORD_ROUTES = [r for r in all_routes() if r.params]
LIST_ROUTES = [r for r in all_routes() if not r.params]


@pytest.mark.parametrize("route", RECORD_ROUTES, ids=[r.path for r in RECORD_ROUTES])
def test_a_foreign_record_is_not_found(route, worlds, client_as):
    world_a, world_b = worlds
    is_api = route.methods is not None
    shared = all(p in SHARED_IDS for p in route.params)
    operations, components = api_operations() if is_api else ([], {})
    methods = route.methods or ("GET", "POST")
    for url, user in [(u, p) for u in fill_variants(route.path, world_b) for p in outsiders(world_a)]:
        client = client_as(user)
        before = world_state()
        statuses = {}
        for method in methods:
            op = next(
                (
                    o
                    for p, m, o in operations
                    if m == method and re.sub(r"\{(\w+)\}", r"<\1>", p).lstrip("/") == route.path
                ),
                {},
            )
            body = sample_body(op, components, world_b)
            response = client.generic(method, url, data=json.dumps(body), content_type="application/json")
            statuses[method] = response.status_code
            if shared:
                # Shared data may be read (200) but never changed by outsiders.
                assert response.status_code < 500, f"{method} {url} as {user.kind}: {response.status_code}"
                assert method == "GET" or response.status_code >= 400, (
                    f"{method} {url} as {user.kind}: {response.status_code}"
                )
                continue
            if is_api:
                assert response.status_code == 404, f"{method} {url} as {user.kind}: {response.status_code}"
                assert response.json() == {"detail": "Not found.", "errors": []}
            else:
                # A page may accept only GET or only POST (405 for the other, whatever the id).
                assert response.status_code in (404, 405), (
                    f"{method} {url} as {user.kind}: {response.status_code}"
                )
        assert shared or 404 in statuses.values(), f"{url} never answered 404 to {user.kind}: {statuses}"
        assert world_state() == before, f"{url} changed something for {user.kind}"


@pytest.mark.parametrize("route", LIST_ROUTES, ids=[r.path or "/" for r in LIST_ROUTES])
def test_lists_show_no_foreign_rows(route, worlds, client_as):
    world_a, world_b = worlds
    if route.methods is not None and "GET" not in route.methods:
        pytest.skip("no GET on this route")
    for user in outsiders(world_a):
        response = client_as(user).get("/" + route.path)
        if response.status_code != 200:
            assert response.status_code in (302, 303, 403, 404, 405), f"/{route.path}: {response.status_code}"
            continue
        raw = b"".join(response.streaming_content) if response.streaming else response.content
        body = raw.decode(errors="replace")
        leaked = [m for m in markers_of(world_b) if m in body]
        assert not leaked, f"/{route.path} shows {leaked} to {user.kind}"


def _writes_with_references() -> list[tuple[str, str, dict]]:
    operations, components = api_operations()
    found = []
    for path, method, op in operations:
        if method not in ("POST", "PATCH", "PUT") or "{" in path:
            continue
        content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
        if not content:
            continue
        props = _resolve(content["schema"], components).get("properties", {})
        if any(name in FOREIGN_IDS for name in props):
            found.append((path, method, op))
    return found


WRITES_WITH_REFERENCES = _writes_with_references()


@pytest.mark.parametrize(
    ("path", "method", "op"), WRITES_WITH_REFERENCES, ids=[f"{m} {p}" for p, m, _ in WRITES_WITH_REFERENCES]
)
def test_a_write_naming_foreign_records_is_refused(path, method, op, worlds, client_as):
    world_a, world_b = worlds
    _ops, components = api_operations()
    body = sample_body(op, components, world_b)
    for user in outsiders(world_a):
        before = world_state()
        response = client_as(user).generic(
            method, path, data=json.dumps(body), content_type="application/json"
        )
        assert response.status_code in (400, 403, 404), (
            f"{method} {path} as {user.kind}: {response.status_code}"
        )
        assert set(response.json()) == {"detail", "errors"}
        assert world_state() == before, f"{method} {path} changed something for {user.kind}"


def test_the_matrix_covers_writes_with_references():
    assert {p for p, _m, _o in WRITES_WITH_REFERENCES} >= {"/api/contacts", "/api/opportunities"}


# The outsider's own records, for writes that name a foreign record in the body.
OWN_IDS: dict[str, Callable[[object], int]] = {
    "organisation_id": lambda w: w.customer.pk,
    "contact_id": lambda w: w.contact.pk,
    "opportunity_id": lambda w: w.opportunity.pk,
    "case_id": lambda w: w.case.pk,
    "requirement_id": lambda w: w.requirement.pk,
    "baseline_id": lambda w: w.baseline.pk,
    "estimate_id": lambda w: w.estimate.pk,
}


def _own_record_writes() -> list[tuple[str, str, dict]]:
    operations, components = api_operations()
    found = []
    for path, method, op in operations:
        params = re.findall(r"{(\w+)}", path)
        if method not in ("POST", "PATCH", "PUT") or not params or not all(p in OWN_IDS for p in params):
            continue
        content = (op.get("requestBody") or {}).get("content", {}).get("application/json")
        if not content:
            continue
        props = _resolve(content["schema"], components).get("properties", {})
        if any(name in FOREIGN_IDS for name in props):
            found.append((path, method, op))
    return found


OWN_RECORD_WRITES = _own_record_writes()


@pytest.mark.parametrize(
    ("path", "method", "op"), OWN_RECORD_WRITES, ids=[f"{m} {p}" for p, m, _ in OWN_RECORD_WRITES]
)
def test_an_update_of_ones_own_record_cannot_point_at_foreign_records(path, method, op, worlds, client_as):
    # given a partner or customer user and a record of their own organisation
    world_a, world_b = worlds
    _ops, components = api_operations()
    url = re.sub(r"{(\w+)}", lambda m: str(OWN_IDS[m.group(1)](world_a)), path)
    body = sample_body(op, components, world_b)
    for user in outsiders(world_a):
        before = world_state()
        # when they change it to point at another organisation's records
        response = client_as(user).generic(
            method, url, data=json.dumps(body), content_type="application/json"
        )
        # then it is refused, and nothing changed
        assert response.status_code in (400, 403, 404), (
            f"{method} {url} as {user.kind}: {response.status_code}"
        )
        assert world_state() == before, f"{method} {url} changed something for {user.kind}"


def test_the_matrix_covers_updates_with_references():
    assert {p for p, _m, _o in OWN_RECORD_WRITES} >= {
        "/api/contacts/{contact_id}",
        "/api/cases/{case_id}/assignment",
        "/api/cases/{case_id}",
    }


def test_the_matrix_covers_requirement_writes_with_references():
    assert {p for p, _m, _o in OWN_RECORD_WRITES} >= {
        "/api/requirements/{requirement_id}/questions",
        "/api/requirement-baselines/{baseline_id}/share",
    }
