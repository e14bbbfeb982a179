"""Demo providers may bid (clean compliance profiles), except the one with a serious
breach in force; the young social organization is not refused for its age."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from govbuy.demo import data, providers
from govbuy.orgs.models import CreditRecord, Organization, ProviderCompliance
from govbuy.orgs.selectors import bidding_violations, with_bidding_facts


@pytest.fixture
def demo(demo_module, db):
    """The demo, loaded once for this module (conftest.demo_module)."""


def names():
    return {key: name for key, name, *_rest in data.ORGANIZATIONS}


def test_every_demo_provider_has_a_compliance_profile(demo):
    providers_ = Organization.objects.filter(is_provider=True)
    assert ProviderCompliance.objects.filter(organization__in=providers_).count() == (
        providers_.count()
    )
    assert set(providers.ESTABLISHED_YEARS) == {
        key for key, *_rest, flags in data.ORGANIZATIONS if flags.get("is_provider")
    }


def test_demo_providers_may_bid_except_the_excluded_one(demo):
    today = timezone.localdate()
    excluded = names()[providers.EXCLUDED]
    for org in with_bidding_facts(Organization.objects.filter(is_provider=True)):
        hard = [(v.rule, v.field) for v in bidding_violations(org, at=today) if v.is_hard]
        if org.name == excluded:
            assert hard == [("S9", "credit_records")]
        else:
            assert hard == [], org.name


def test_young_social_organization_and_natural_person(demo):
    today = timezone.localdate()
    young = Organization.objects.get(name=names()["pro_ly_yanglao"])
    assert young.compliance.annual_inspection_year is None
    assert (today - young.compliance.established_on).days < 400
    assert bidding_violations(young, at=today) == []
    person = Organization.objects.get(name=names()["pro_wang"])
    assert [(v.rule, v.severity) for v in bidding_violations(person, at=today)] == [("S8", "warn")]


def test_second_run_adds_no_profile_or_record(demo):
    before = (ProviderCompliance.objects.count(), CreditRecord.objects.count())
    out = StringIO()
    call_command("load_demo", stdout=out)
    assert (ProviderCompliance.objects.count(), CreditRecord.objects.count()) == before
    assert "providers: present" in out.getvalue()
