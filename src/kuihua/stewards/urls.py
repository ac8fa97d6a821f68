"""义管家 pages (namespace `stewards`): money in (homes, bills, payments, receipts) and
the books (ledger, budget, periods, check, published statements) keep their own routes."""

from kuihua.stewards.views import books, money

app_name = "stewards"
urlpatterns = [*money.urlpatterns, *books.urlpatterns]
