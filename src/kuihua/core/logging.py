"""A last line of defence: ID numbers, mobile numbers and secrets in paths never reach a
log line (the console handler's filter here; the access log's logger class in
kuihua.core.gunicorn_logging)."""

import logging
import re

_ID_NUMBER = re.compile(r"(?<!\d)\d{17}[\dXx](?!\d)")
_MOBILE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")
# A path segment that is a secret: the elder's check-in link carries one (32 characters
# of token_urlsafe), and whoever reads the log must not be able to press 我很好 for the
# elder. Any segment of 24 or more such characters goes; a long slug lost is harmless.
_SECRET_SEGMENT = re.compile(r"(?<=/)[A-Za-z0-9_-]{24,}(?=[/?#\s\"]|$)")


def redact(text: str) -> str:
    text = _SECRET_SEGMENT.sub("[密钥]", text)
    return _MOBILE.sub("[手机号]", _ID_NUMBER.sub("[身份证号]", text))


class RedactPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True
