import factory

from kuihua.organizations.models import Branch, Category, Membership, Organization
from kuihua.registry.tests.factories import CommunityFactory, ResidentFactory


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"夕阳红志愿服务队{n}")
    category = Category.WELFARE
    branch = factory.LazyAttribute(
        lambda o: Branch.objects.with_scopes_disabled().get(
            community=o.community, category=o.category
        )
    )


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    community = factory.SelfAttribute("organization.community")
    resident = factory.LazyAttribute(
        lambda o: ResidentFactory(household__building__compound__community=o.community)
    )
    role = Membership.Role.MEMBER
