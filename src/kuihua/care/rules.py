"""Who may do what in the care programme (django-rules).

Alerts are handled by coordinators (the duty officers until the rota lands)
and by trained volunteers assigned as visitors.
"""

import rules

from kuihua.registry.rules import is_coordinator

rules.add_perm("care.handle_alert", is_coordinator)
rules.add_perm("care.manage", is_coordinator)
