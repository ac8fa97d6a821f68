"""The annual report (年度报告) of a community and of a district, as a PDF."""

urlpatterns: list = []
