"""The one django-ninja API at /api/: OpenAPI 3 at /api/openapi.json, docs at /api/docs."""

from ninja import NinjaAPI

from salesdesk.core.api import SessionAuth, TokenAuth, install_error_handlers

# The docs page loads Swagger UI from the static files django-ninja ships ("ninja" is an
# installed app), never from a CDN: it works offline and under our CSP (script-src 'self').
api = NinjaAPI(
    title="Salesdesk API",
    version="1",
    description=(
        "Everything the pages do, for scripts. Authenticate with a personal API token "
        "(`Authorization: Bearer sd_…`, create one under *API tokens*) or the browser session. "
        'Errors: `{"detail", "errors": [{"field", "message"}]}`. Lists are cursor-paginated. '
        "Reads carry an `ETag`; send it back as `If-Match` to update safely (412 when stale). "
        "POSTs accept an `Idempotency-Key`."
    ),
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
    docs_url="/docs",
)
install_error_handlers(api)

# Each app adds its router here; the isolation matrix in tests/ walks all of them.
from salesdesk.catalog.api import router as catalog_router  # noqa: E402
from salesdesk.core.api_routes import router as core_router  # noqa: E402
from salesdesk.deals.api import router as deals_router  # noqa: E402
from salesdesk.deals.presales_api import router as presales_router  # noqa: E402
from salesdesk.deals.registration_api import router as registrations_router  # noqa: E402
from salesdesk.deals.requirement_api import router as requirements_router  # noqa: E402
from salesdesk.estimates.api import router as estimates_router  # noqa: E402
from salesdesk.estimates.plan_api import router as plans_router  # noqa: E402
from salesdesk.knowledge.api import router as knowledge_router  # noqa: E402
from salesdesk.knowledge.search_api import router as search_router  # noqa: E402
from salesdesk.parties.api import router as parties_router  # noqa: E402
from salesdesk.service.api import router as service_router  # noqa: E402
from salesdesk.solutions.api import router as solutions_router  # noqa: E402
from salesdesk.solutions.capacity_api import router as capacity_router  # noqa: E402

api.add_router("/", core_router)
api.add_router("/", parties_router)
api.add_router("/", deals_router)
api.add_router("/", requirements_router)
api.add_router("/", presales_router)
api.add_router("/", registrations_router)
api.add_router("/", catalog_router)
api.add_router("/", knowledge_router)
api.add_router("/", search_router)
api.add_router("/", service_router)
api.add_router("/", estimates_router)
api.add_router("/", solutions_router)
api.add_router("/", capacity_router)
api.add_router("/", plans_router)
