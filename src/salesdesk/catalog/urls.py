"""Pages of the catalog app (included under /catalog/ with the "catalog" namespace)."""

app_name = "catalog"

urlpatterns: list = []
