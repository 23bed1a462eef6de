"""Staff pages for deliberation, mounted at /deliberation/manage/ (namespace
``deliberation_staff``): councils, meetings, topics and contests in one module, polls,
consultations and resolutions in the other."""

from gongzhi.deliberation import urls_staff_councils, urls_staff_votes

app_name = "deliberation_staff"
urlpatterns = [*urls_staff_councils.urlpatterns, *urls_staff_votes.urlpatterns]
