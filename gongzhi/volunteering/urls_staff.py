"""Staff pages for volunteering (stub until the views land)."""

app_name = "volunteering_staff"
urlpatterns: list = []
