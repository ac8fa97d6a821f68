"""`elder_mode` for every page: base.html puts `elder-mode` on <body> when it is on.

Signed in, the account decides (it follows the person to any device). Signed out (the
sign-in page), the cookie the switch last left on this device decides.
"""

from __future__ import annotations

ELDER_MODE_COOKIE = "kuihua_elder_mode"


def elder_mode(request) -> dict:
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return {"elder_mode": bool(getattr(user, "elder_mode", False))}
    return {"elder_mode": request.COOKIES.get(ELDER_MODE_COOKIE) == "1"}
