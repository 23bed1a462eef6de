"""Staff pages for renewal, mounted at /renewal/manage/ (namespace ``renewal_staff``):
projects, their plan, survey, members, acceptance and management (urls_projects); compound
records, funding, the street's board and the Excel ledgers (urls_records)."""

from gongzhi.renewal import urls_projects, urls_records

app_name = "renewal_staff"
urlpatterns = [*urls_projects.urlpatterns, *urls_records.urlpatterns]
