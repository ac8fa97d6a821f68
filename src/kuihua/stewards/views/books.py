"""The books: ledger entries with evidence, reversals, budget, closing periods, the
books check, and the published statements (公示) residents read, with PDF and Excel."""

# The compound's tabs this module serves: (URL name taking compound_id, words, action).
TABS = []

urlpatterns = []
