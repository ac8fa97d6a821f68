"""Date formats per language (FORMAT_MODULE_PATH): what Django's own lack or write differently.

Templates name the format (`|date:"MONTH_DAY_FORMAT"`) instead of writing
"n月j日" into the page, so an English page reads "Nov 26".
"""
