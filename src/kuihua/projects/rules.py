"""Who may do what with public-welfare projects (django-rules); which project is a
matter for `selectors.access_project` (404 outside the community, 403 for an action
the user may not take on a project they can read).

- `projects.view`: anyone signed in with a community, and a district viewer (read
  only): the list, a project's page, its budget against what was spent.
- `projects.manage`: a coordinator creates projects and domains, changes a
  project's status, money and indicators of any project.
- `projects.run` (on a project): a coordinator, or the leader (or deputy) of the
  project's lead organization: its plan, budget lines, funding, expenses and
  indicators.
"""

import rules

from kuihua.organizations.rules import leads_organization
from kuihua.registry.rules import is_coordinator, is_district_viewer


@rules.predicate
def is_member(user) -> bool:
    return user.is_authenticated and user.community_id is not None


@rules.predicate
def leads_project(user, project) -> bool:
    """The leader or deputy of the organization that leads `project`."""
    if project is None:
        return False
    return leads_organization(user, project.lead_organization)


rules.add_perm("projects.view", is_member | is_district_viewer)
rules.add_perm("projects.manage", is_coordinator)
rules.add_perm("projects.run", is_coordinator | leads_project)
