import hashlib

from django.core.management.base import BaseCommand
from django.db import transaction

from govbuy.accounts import services as account_services
from govbuy.accounts.models import User
from govbuy.demo import budgets as demo_budgets
from govbuy.demo import catalog as demo_catalog
from govbuy.demo import data
from govbuy.demo import providers as demo_providers
from govbuy.demo import running as demo_running
from govbuy.orgs import services as org_services
from govbuy.orgs.models import Organization, Region
from govbuy.orgs.validators import CHARSET, uscc_check_char

GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def demo_uscc(prefix: str, region_code: str, key: str) -> str:
    """A valid-looking, made-up 统一社会信用代码: prefix + region + org code + check."""
    if not prefix:
        return ""
    digits = str(int(hashlib.sha256(key.encode()).hexdigest(), 16))[:8]
    c9 = 11 - sum(int(d) * w for d, w in zip(digits, GB11714_WEIGHTS, strict=True)) % 11
    org_code = digits + {10: "X", 11: "0"}.get(c9, str(c9))
    first17 = prefix + region_code + org_code
    assert all(c in CHARSET for c in first17), first17
    return first17 + uscc_check_char(first17)


class Command(BaseCommand):
    help = "Load the demo organizations and users (idempotent: a second run changes nothing)."

    @transaction.atomic
    def handle(self, *args, **options):
        created_orgs = created_users = 0
        orgs = {}
        for key, name, region_code, prefix, org_type, extra, flags in data.ORGANIZATIONS:
            uscc = demo_uscc(prefix, region_code, key)
            existing = Organization.objects.filter(name=name, region__code=region_code).first()
            if existing:
                orgs[key] = existing
                continue
            if "competent_department" in extra:
                extra = {**extra, "competent_department": orgs[extra["competent_department"]]}
            orgs[key] = org_services.create_organization(
                actor="load_demo",
                name=name,
                region=Region.objects.get(code=region_code),
                uscc=uscc,
                org_type=org_type,
                **extra,
                **flags,
            )
            created_orgs += 1
        for username, display_name, org_key, role in data.USERS:
            user = User.objects.filter(username=username).first()
            if user is None:
                user = account_services.create_user(
                    actor="load_demo",
                    username=username,
                    password=data.DEMO_PASSWORD,
                    display_name=display_name,
                )
                created_users += 1
            if org_key:
                account_services.add_membership(
                    actor="load_demo",
                    user=user,
                    organization=orgs[org_key],
                    role=role,
                    is_manager=username in data.MANAGERS,
                )
        catalog_done = demo_catalog.load(orgs)
        # Before budgets and purchases: demo providers must be able to bid.
        providers_done = demo_providers.load(orgs)
        budgets_done = demo_budgets.load(orgs)
        running_done = demo_running.load(orgs)
        self.stdout.write(
            f"demo data: {created_orgs} organizations and {created_users} users created "
            f"({len(orgs)} organizations, {len(data.USERS)} users in the demo set); "
            f"catalog: {', '.join(catalog_done) or 'present'}; "
            f"budgets: {', '.join(budgets_done) or 'present'}; "
            f"providers: {', '.join(providers_done) or 'present'}; "
            f"purchases under way: {', '.join(running_done) or 'present'}"
        )
