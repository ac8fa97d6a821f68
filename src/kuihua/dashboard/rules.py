"""Who may read what of the dashboard (django-rules); views ask `user.has_perm`.

- `dashboard.annual_report`: the annual report of the community in force: its
  coordinators, and a district viewer for the community they are looking at.
- `dashboard.district_annual_report`: the report of all the communities a district
  viewer may read, side by side with their total.
"""

import rules

from kuihua.registry.rules import is_coordinator, is_district_viewer

rules.add_perm("dashboard.annual_report", is_coordinator | is_district_viewer)
rules.add_perm("dashboard.district_annual_report", is_district_viewer)
