"""gunicorn's access log with the same redaction as every other log line.

`kuihua serve` passes `--logger-class kuihua.core.gunicorn_logging.RedactingLogger`:
the request line, path, query and referrer of each access-log line go through
`kuihua.core.logging.redact`, so a secret in a path (the elder's check-in link) is
written as [密钥].
"""

from gunicorn.glogging import Logger

from kuihua.core.logging import redact

REDACTED_ATOMS = ("r", "U", "q", "f")


class RedactingLogger(Logger):
    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key in REDACTED_ATOMS:
            if isinstance(atoms.get(key), str):
                atoms[key] = redact(atoms[key])
        return atoms
