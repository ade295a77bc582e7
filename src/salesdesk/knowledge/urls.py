"""Pages of the knowledge app (included under /knowledge/ with the "knowledge" namespace)."""

app_name = "knowledge"

urlpatterns: list = []
