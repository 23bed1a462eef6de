"""Notice pages (stub until the views land)."""

app_name = "notices"
urlpatterns: list = []
