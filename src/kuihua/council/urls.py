"""Council pages (namespace `council`): each part of the council keeps its own routes."""

from kuihua.council.views import decisions, home, meetings, topics, votes

app_name = "council"
urlpatterns = [
    *home.urlpatterns,
    *topics.urlpatterns,
    *meetings.urlpatterns,
    *votes.urlpatterns,
    *decisions.urlpatterns,
]
