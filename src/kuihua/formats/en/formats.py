# Short enough for a phone's activity list ("Nov 26"); times stay 24-hour ("H:i").
MONTH_DAY_FORMAT = "M j"
