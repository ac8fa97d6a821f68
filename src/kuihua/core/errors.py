"""The one error type for a broken rule (HackSoft Django-Styleguide's ApplicationError).

Services raise an `ApplicationError`, or an app's thin subclass of it for its name,
whose message is for the user, already translated, and whose `field` names the input
at fault (None: the request as a whole). Apps may subclass it, never redefine it.

- The API answers any of them with the uniform 400 in one handler
  (`core.api_support.install_error_handlers`).
- A page puts one on its form with `core.pages.apply_service_error`; one that no view
  caught becomes a 400 page with its message (`core.middleware.ApplicationErrorMiddleware`),
  not a 500.

See docs/adr/0010-one-error-type.md.
"""

from __future__ import annotations


class ApplicationError(ValueError):
    """A rule was broken; `str(exc)` is the message for the user, `field` the input at fault."""

    def __init__(self, message: str, *, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field
