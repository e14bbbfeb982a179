"""A small world for catalog tests: 河南's finance bureau keeps this year's
catalog (the shipped model catalog, seeded once per test database), 郑州 and 洛阳
each have a finance bureau and a purchasing department. The world is of YEAR
(the year the suite runs in, so it survives the calendar); its clock stands on
21 November of YEAR (after the yearly adjustment closed) unless a test moves it."""

from types import SimpleNamespace

import pytest
from django.utils import timezone

YEAR = timezone.localdate().year
WORLD_DAY = f"{YEAR}-11-21 10:00"


@pytest.fixture
def world(db, clock, standard, make_org, make_user, region):
    from govbuy.catalog import seed

    if not clock.is_set:
        clock.at(WORLD_DAY)
    # The standard world's 河南 bureau keeps the seeded catalog of YEAR (once per database).
    hn = standard.hn
    zz = make_org("郑州市财政局（测试）", "410100", is_finance_bureau=True, is_purchaser=True)
    ly = make_org("洛阳市财政局（测试）", "410300", is_finance_bureau=True, is_purchaser=True)
    dept = make_org("郑州市民政局（测试）", "410100", is_purchaser=True)
    dept_ly = make_org("洛阳市民政局（测试）", "410300", is_purchaser=True)
    audit = make_org("郑州市审计局（测试）", "410100", is_audit_office=True)
    catalog = seed.load_guidance_catalog(year=YEAR, region=region("410000"), owner=hn, publish=True)
    return SimpleNamespace(
        hn=hn,
        zz=zz,
        ly=ly,
        dept=dept,
        dept_ly=dept_ly,
        catalog=catalog,
        finance_hn=make_user("finance", hn),
        finance_zz=make_user("finance", zz),
        finance_ly=make_user("finance", ly),
        purchaser=make_user("purchaser", dept),
        purchaser_ly=make_user("purchaser", dept_ly),
        auditor=make_user("auditor", audit),
    )
