"""Who may read 数据看板 (django-rules).

- `dashboard.view`: a coordinator reads their community's figures; a district viewer
  reads those of each community they oversee (which community is decided in the
  views: only one of `request.community_ids`).
- `dashboard.view_district`: a district viewer reads every community of theirs side by
  side. A coordinator does not: their own community's page already has everything
  theirs, and the district page would name the neighbours' figures.
- Organization leaders have no dashboard: their organization's own figures are on its
  pages; the community's totals are the coordinators' to publish.

Every figure is a count or a sum; no person is named, so a district viewer reads them
as they are. Recomputing (重新计算) changes no data: whoever reads may ask for it, within
a rate limit (views.REFRESH_RATE).
"""

import rules

from kuihua.registry.rules import is_coordinator, is_district_viewer

rules.add_perm("dashboard.view", is_coordinator | is_district_viewer)
rules.add_perm("dashboard.view_district", is_district_viewer)
