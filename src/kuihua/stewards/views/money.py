"""Money in: the area's landing page, steward assignments, fee schedules and hardship,
billing runs, homes and their bills, payments, receipts, refunds, voids, reminders."""

# The compound's tabs this module serves: (URL name taking compound_id, words, action).
TABS = []

urlpatterns = []
