"""The project report's routes: the page, its Excel file and its PDF."""

urlpatterns: list = []
