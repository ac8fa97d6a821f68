# Django's zh_Hans writes "09月5日"; community notices write "9月5日".
MONTH_DAY_FORMAT = "n月j日"
