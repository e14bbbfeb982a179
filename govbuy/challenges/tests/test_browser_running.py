"""A real browser runs a whole purchase (issue 5), every step done by its user
on the pages, the server's clock moved between them:

1. the purchaser publishes the purchase notice of an open tender; the round
   page shows its deadlines, computed across National Day 2026, with the rule
   and basis of each;
2. three providers (large, small, social organization) find the opportunity
   and bid, one with a PDF; each sees its receipt, never its price; a 公益二类
   unit reclassified as 公益一类 is refused by S3 and nothing is saved;
3. before the opening the purchaser's bid list answers "sealed" (P12);
4. at the opening time the purchaser opens the bids; a bidder confirms the record;
5. the panel (4 experts and the purchaser's representative) declares no
   conflict and scores: the SME deduction changes the ranking;
6. the purchaser confirms the award and publishes the result; the public
   notices show the winner and the savings rate;
7. question → answer → complaint → acceptance → decision, shown as one thread.

Never downloads a browser (see accounts/tests/test_browser.py). With
GOVBUY_SCREENSHOTS=1 it writes docs/screenshots/running-*.png.
"""

import re
from decimal import Decimal

import pytest

from govbuy.accounts.tests.test_browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    browser_or_skip,
    screenshot,
)
from govbuy.tendering.tests.fixtures import earlier_purchase

PASSWORD = "correct-horse-battery-9"  # make_user's default (conftest.py)
TITLE = "2027年社区老年助餐服务采购"  # the project's name: the notice's title
# Each member's points (服务方案 of 40, 团队与经验 of 30): the large enterprise is
# slightly better on the technical side, but the small one's 540,000 is evaluated
# at 486,000 (10% deduction) and wins; without the deduction the large would.
POINTS = {"large": ("35", "25"), "small": ("34.5", "25"), "social": ("33", "25")}
# Members differ on 服务方案 by these points; they add up to 0, so the averages stay.
SPREAD = ("1", "-1", "0.5", "-0.5", "0")
PRICES = {"large": "500000.00", "small": "540000.00", "social": "520000.00"}
SHOWN = {"large": "500,000.00", "small": "540,000.00", "social": "520,000.00"}


def _pdf(text: str) -> bytes:
    """A small but well-formed one-page PDF (header, objects, xref, trailer)."""
    content = f"BT /F1 14 Tf 72 770 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n%s\nendstream" % (len(content), content),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (n, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_a_purchase_run_in_the_browser(
    live_server, tendering, clock, settings, tmp_path, monkeypatch
):
    sync_playwright = browser_or_skip()
    from playwright.sync_api import expect

    from govbuy.challenges.models import Complaint, ComplaintStatus, Question
    from govbuy.core.models import AuditEvent
    from govbuy.orgs import services as orgs
    from govbuy.procurement.models import ProjectStatus
    from govbuy.tendering.models import (
        Bid,
        BidStatus,
        Notice,
        NoticeKind,
        PanelMember,
        Tender,
        TenderStatus,
    )

    t = tendering
    settings.MEDIA_ROOT = tmp_path  # the bid's attachment
    # A breach on the social organization's record, shown to the panel (S9, not
    # excluding), recorded by the 郑州 bureau about an earlier purchase it bid on.
    orgs.record_credit(
        actor=t.finance,
        recording_organization=t.zz,
        organization=t.social,
        project=earlier_purchase(t, t.social),
        kind="breach",
        description="2025年助餐合同履约迟延 10 天，已整改。",
        basis="郑财购〔2026〕1号",
    )
    # Names people would have (the screenshots go in the README).
    names = {
        t.purchaser: "赵强（民政局）",
        t.rep: "陈静（民政局代表）",
        t.finance: "孙丽（郑州市财政局）",
        **dict(
            zip(
                t.experts,
                ("王磊（评审专家）", "李娜（评审专家）", "张敏（评审专家）", "刘洋（评审专家）"),
                strict=True,
            )
        ),
        t.large_user: "周军（豫康养老）",
        t.small_user: "吴芳（金水乐龄）",
        t.social_user: "郑洁（夕阳红社工）",
        t.unit_user: "冯涛（社会福利服务中心）",
    }
    for user, name in names.items():
        type(user).objects.filter(pk=user.pk).update(display_name=name)
    # The test reads the database between steps, inside Playwright's event loop.
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    base = live_server.url
    bidders = {
        "large": (t.large, t.large_user),
        "small": (t.small, t.small_user),
        "social": (t.social, t.social_user),
    }

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        try:
            context = browser.new_context(locale="en-US", viewport={"width": 1280, "height": 900})
            context.set_default_timeout(15_000)
            page = context.new_page()
            main = page.locator("main")

            def log_in(user):
                """A fresh session: sessions expire by the server's clock, which moves."""
                context.clear_cookies()
                context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])
                page.goto(f"{base}/accounts/login/")
                page.get_by_label("Username").fill(user.username)
                page.get_by_label("Password").fill(PASSWORD)
                main.get_by_role("button", name="Log in", exact=True).click()
                expect(page).to_have_url(re.compile(r"/workbench/$"))

            def log_out():
                context.clear_cookies()
                context.add_cookies([{"name": "govbuy_language", "value": "en", "url": base}])

            def menu(name):
                page.locator("header").get_by_role("link", name=name, exact=True).click()

            def alert(text):
                expect(page.locator(".alert", has_text=text).first).to_be_visible()

            # --- 1. The purchase notice, from the project page -----------------------------
            clock.at("2026-09-15 10:00")
            log_in(t.purchaser)
            page.goto(f"{base}/procurement/{t.project.pk}/")
            main.get_by_role("link", name="Publish the purchase notice").click()
            expect(page.get_by_role("heading", level=1)).to_have_text(
                "Publish the purchase notice (采购公告)"
            )
            page.locator("input[name=bid_deadline]").fill("2026-10-12T09:30")
            page.locator("select[name=evaluation_method]").select_option("comprehensive")
            page.locator("input[name=price_weight]").fill("30")
            for i, (name, points, how) in enumerate(
                (
                    ("服务方案", "40", "方案完整、可行，助餐点布局合理"),
                    ("团队与经验", "30", "人员资质与类似业绩"),
                )
            ):
                page.locator(f"#criteria-{i}-name").fill(name)
                page.locator(f"#criteria-{i}-points").fill(points)
                page.locator(f"#criteria-{i}-description").fill(how)
            page.locator("input[name=sme_deduction]").fill("10")
            page.locator("textarea[name=qualification]").fill(
                "具有独立承担民事责任的能力；近三年无重大违法记录"
            )
            page.locator("textarea[name=documents]").fill(
                "招标文件：服务内容、标准与评分办法见附件。"
            )
            page.get_by_role("button", name="Publish the notice").click()
            expect(page).to_have_url(re.compile(r"/procurement/rounds/\d+/$"))
            alert("bids are received until 2026-10-12 09:30")
            tender = Tender.objects.get(project=t.project)
            round_url = f"{base}/procurement/rounds/{tender.pk}/"
            expect(page.get_by_role("heading", level=1)).to_contain_text(TITLE)
            expect(main).to_contain_text("10% price deduction for small and micro enterprises")
            expect(page.get_by_test_id("bid-count")).to_contain_text("sealed until the opening")
            deadlines = page.get_by_test_id("deadlines")

            def deadline(kind):
                return deadlines.locator(f"tr[data-kind={kind}]")

            # 5 working days after Tue 15 Sep: 16, 17, 18, Sun 20 (a make-up working day), 21.
            expect(deadline("notice_period")).to_contain_text("2026-09-21")
            expect(deadline("documents")).to_contain_text("2026-09-21")
            # 15 days before the bid deadline.
            expect(deadline("clarification")).to_contain_text("2026-09-27")
            # 7 working days after 21 Sep, across Mid-Autumn (25 Sep) and National Day (1–7 Oct).
            expect(deadline("question_documents")).to_contain_text("2026-10-08")
            expect(deadline("bid_deadline")).to_contain_text("2026-10-12 09:30")
            expect(deadline("opening")).to_contain_text("2026-10-12 09:30")
            expect(deadline("opening").locator(".rule-id")).to_have_text("P12")
            # Every deadline names its rule and its legal basis, and says how it is computed.
            rows = deadlines.locator("tbody tr")
            expect(rows).to_have_count(Tender.objects.get(pk=tender.pk).deadlines.count())
            for i in range(rows.count()):
                row = rows.nth(i)
                expect(row.locator(".rule-id")).to_have_text(re.compile(r"^[A-Z]\d+$"))
                expect(row.locator("td").nth(1)).to_contain_text(re.compile(r"\S+\s+\S+"))
                expect(row.locator("td").nth(2)).not_to_be_empty()
            screenshot(page, "running-deadlines.png")

            # --- 2. Three providers bid; a 公益一类 unit is refused (S3) ----------------------
            clock.at("2026-10-09 15:00")
            pdf = _pdf("Service plan: 120 meal points, central kitchen, dietitian menus.")
            for key, (org, user) in bidders.items():
                log_in(user)
                menu("Opportunities")
                row = page.get_by_test_id("opportunities").locator("tr", has_text=TITLE)
                expect(row).to_contain_text("2026-10-12 09:30")
                row.get_by_role("link", name="Bid").click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Submit a bid")
                page.get_by_label("Bid price").fill(PRICES[key])
                page.get_by_label("Technical response").fill(
                    f"{org.name}：120 个助餐点，中央厨房配送，营养师配餐，实名刷卡。"
                )
                page.get_by_label("Declared enterprise size").select_option(org.sme_size or "")
                if key == "small":
                    page.get_by_label("Attachments").set_input_files(
                        files=[
                            {"name": "服务方案.pdf", "mimeType": "application/pdf", "buffer": pdf}
                        ]
                    )
                page.get_by_role("button", name="Submit my bid").click()
                alert("The platform received your bid at 2026-10-09 15:00:00 (server time)")
                bid = Bid.objects.get(tender=tender, provider=org)
                receipts = page.get_by_test_id("receipts")
                expect(receipts.locator("tbody tr")).to_have_count(1)
                expect(receipts).to_contain_text("2026-10-09 15:00:00")
                expect(receipts).to_contain_text(bid.digest)
                expect(receipts.locator("tbody td").nth(2)).to_have_text(
                    "1" if key == "small" else "0"
                )
                expect(main).to_contain_text(bid.digest)  # in the message too
                # The price is never shown back, in no form.
                for shown in (SHOWN[key], PRICES[key], PRICES[key].split(".")[0]):
                    expect(main).not_to_contain_text(shown)
                expect(page.get_by_label("Bid price")).to_have_value("")
                if key == "small":
                    screenshot(page, "running-receipt.png")
            assert (
                bidders["small"][0].bids.get().attachments.get().content_type == "application/pdf"
            )

            # The 公益二类 unit was reclassified as 公益一类 (事业单位分类改革).
            t.unit.__class__.objects.filter(pk=t.unit.pk).update(
                institution_class="public_welfare_1"
            )
            log_in(t.unit_user)
            menu("Opportunities")
            page.get_by_test_id("opportunities").locator("tr", has_text=TITLE).get_by_role(
                "link", name="Bid"
            ).click()
            # The page warns before anything is sent, and the submission is refused.
            expect(page.get_by_role("region", name="Eligibility check today")).to_contain_text("S3")
            page.get_by_label("Bid price").fill("450000.00")
            page.get_by_label("Technical response").fill("由事业单位承担助餐服务。")
            page.get_by_role("button", name="Submit my bid").click()
            refusal = main.locator("form .violation", has_text="S3")
            expect(refusal.first).to_be_visible()
            expect(page.get_by_role("heading", level=1)).to_have_text("Submit a bid")
            expect(page.get_by_test_id("receipts")).to_have_count(0)
            assert not Bid.objects.filter(provider=t.unit).exists()
            assert not AuditEvent.objects.filter(
                actor=t.unit_user, action__startswith="procurement."
            ).exists()
            assert tender.bids.count() == 3

            # --- 3. Before the opening the bids are sealed (P12) ---------------------------
            log_in(t.purchaser)
            page.goto(round_url)
            expect(page.get_by_test_id("bid-count")).to_contain_text("sealed until the opening")
            expect(main.get_by_role("link", name="Bids and their review")).to_have_count(0)
            response = page.goto(f"{round_url}bids/")
            assert response.status == 403
            expect(page.get_by_role("heading", level=1)).to_have_text("Sealed until the opening")
            expect(page.get_by_test_id("sealed").locator(".rule-id")).to_have_text("P12")
            expect(main).to_contain_text("2026-10-12 09:30:00")
            for key in bidders:
                expect(main).not_to_contain_text(SHOWN[key])
                expect(main).not_to_contain_text(bidders[key][0].name)
            assert AuditEvent.objects.filter(
                action="procurement.bid.sealed_read_refused", actor=t.purchaser
            ).exists()

            # --- 4. The opening, at the opening time ---------------------------------------
            clock.at("2026-10-12 09:30:00")
            log_in(t.purchaser)  # the session of 9 October has expired
            page.goto(round_url)
            page.get_by_role("button", name="Open the bids").click()
            expect(page).to_have_url(re.compile(r"/opening/$"))
            alert("The bids are opened")
            record = page.get_by_test_id("opening-record")
            expect(record.locator("tbody tr")).to_have_count(3)
            for key, (org, _user) in bidders.items():
                line = record.locator("tr", has_text=org.name)
                expect(line).to_contain_text(SHOWN[key])
                expect(line).to_contain_text("intact")
                expect(line).to_contain_text("2026-10-09 15:00:00")

            log_in(t.large_user)
            menu("My bids")
            page.get_by_test_id("my-bids").get_by_role("link", name="Opening record").click()
            expect(page.get_by_role("heading", level=1)).to_contain_text("Opening record")
            page.get_by_role("button", name="Confirm the record").click()
            alert("You confirmed the opening record.")
            expect(page.get_by_test_id("response").filter(has_text=t.large.name)).to_contain_text(
                "Confirmed"
            )

            # --- 5. The panel scores -------------------------------------------------------
            log_in(t.purchaser)
            page.goto(round_url)
            main.get_by_role("link", name="Appoint the panel").click()
            for member in t.panel:
                page.locator(f"input[name=members][value='{member.pk}']").check()
            page.get_by_label("Chair").select_option(str(t.experts[0].pk))
            page.get_by_role("button", name="Appoint the panel").click()
            alert("The panel is appointed.")
            expect(main.locator("#panel-heading + ul li")).to_have_count(5)

            bids = {
                key: Bid.objects.get(tender=tender, provider=org)
                for key, (org, _) in bidders.items()
            }
            criteria = list(tender.criteria.order_by("position", "pk"))
            for n, member in enumerate(t.panel):
                log_in(member)
                if member in t.experts:
                    page.get_by_test_id("panels").get_by_role("link", name=TITLE).click()
                else:  # the department's representative comes through the round page
                    page.goto(round_url)
                    page.get_by_role("link", name="Go to the score sheet").click()
                expect(page.get_by_role("heading", level=1)).to_have_text("Score sheet (评分表)")
                # Before declaring: the bidders' names, not their bids.
                for key, (org, _user) in bidders.items():
                    expect(main).to_contain_text(org.name)
                    expect(main).not_to_contain_text(SHOWN[key])
                page.get_by_role("button", name="I declare no conflict of interest").click()
                alert("You declared no conflict of interest")
                for key, bid in bids.items():
                    card = main.locator("section.card", has=page.locator(f"#bid-{bid.pk}"))
                    expect(card).to_contain_text(SHOWN[key])
                    if key == "social":
                        expect(card.get_by_test_id("credit")).to_contain_text("履约迟延")
                    else:
                        expect(card).to_contain_text("No credit records.")
                    plan, team = POINTS[key]
                    points = (str(Decimal(plan) + Decimal(SPREAD[n])), team)
                    for criterion, value in zip(criteria, points, strict=True):
                        page.locator(f"input[name='scores.{bid.pk}.{criterion.pk}']").fill(value)
                if n == 0:
                    screenshot(page, "running-panel.png")
                page.get_by_role("button", name="Submit my scores").click()
                alert("Your scores are submitted.")
                expect(page.get_by_role("button", name="Submit my scores")).to_have_count(0)

            log_in(t.purchaser)
            page.goto(round_url)
            main.get_by_role("link", name="Evaluation", exact=True).click()
            ranking = page.get_by_test_id("ranking").locator("tbody tr")
            expect(ranking).to_have_count(3)
            expect(ranking.nth(0)).to_contain_text(t.small.name)
            expect(ranking.nth(0)).to_contain_text("540,000.00")
            expect(ranking.nth(0)).to_contain_text("−10%")
            expect(ranking.nth(0)).to_contain_text("486,000.00")
            expect(ranking.nth(0)).to_contain_text("89.50")
            expect(ranking.nth(1)).to_contain_text(t.large.name)
            expect(ranking.nth(1)).to_contain_text("500,000.00")
            expect(ranking.nth(1)).to_contain_text("89.16")
            expect(ranking.nth(2)).to_contain_text(t.social.name)
            sheets = page.get_by_test_id("member-scores")
            expect(sheets).to_have_count(5)
            expect(sheets.first.locator("caption")).to_have_text("王磊（评审专家） · chair")
            expect(sheets.first.locator("tr", has_text=t.large.name)).to_contain_text("36.00")
            screenshot(page, "running-evaluation.png")

            # --- 6. Award and result -------------------------------------------------------
            clock.at("2026-10-13 10:00")
            log_in(t.purchaser)
            page.goto(round_url)
            main.get_by_role("link", name="Confirm the winner").click()
            expect(page.locator(f"#award-bid-{bids['small'].pk}")).to_be_checked()
            page.get_by_role("button", name="Confirm the winner").click()
            alert("The winner is confirmed")
            expect(main).to_contain_text("savings rate 64.00%")
            main.get_by_role("link", name="Publish the result").click()
            expect(main).to_contain_text("64.00%")
            page.get_by_role("button", name="Publish the result").click()
            alert("is published")

            log_out()
            page.goto(f"{base}/")
            menu("Notices")
            notice_row = page.get_by_test_id("notice-list").locator("tr", has_text="Result notice")
            expect(notice_row).to_have_count(1)
            notice_row.get_by_role("link").first.click()
            facts = page.get_by_test_id("notice-data")
            expect(facts).to_contain_text(t.small.name)
            expect(facts).to_contain_text("540,000.00")
            expect(facts).to_contain_text("savings rate 64.00%")
            expect(page.get_by_test_id("result-ranking").locator("tbody tr")).to_have_count(3)

            # --- 7. Question → answer → complaint → acceptance → decision ------------------
            clock.at("2026-10-15 11:00")
            log_in(t.large_user)
            menu("My bids")
            page.get_by_test_id("my-bids").get_by_role("link", name=TITLE).click()
            main.get_by_role("link", name="Question (质疑)").click()
            page.get_by_label("What is questioned").select_option("result")
            page.get_by_label("Question and your request").fill(
                "中标供应商的中小企业声明不实，请求复核价格扣除。"
            )
            page.get_by_role("button", name="File the question").click()
            alert("the purchaser answers by 2026-10-26")
            thread_url = page.url

            clock.at("2026-10-20 16:00")
            log_in(t.purchaser)
            page.goto(round_url)
            page.get_by_test_id("questions").get_by_role("link", name="2026-10-15 11:00").click()
            page.get_by_label("Answer (答复)").fill("经核实，中标供应商为小型企业，声明属实。")
            page.get_by_role("button", name="Send the answer").click()
            alert("Your answer is sent to the provider.")

            clock.at("2026-10-22 09:00")
            log_in(t.large_user)
            page.goto(thread_url)
            main.get_by_role("link", name="Complain to the finance bureau").click()
            page.get_by_label("Complaint and your request").fill(
                "对质疑答复不满意，请求财政部门复核。"
            )
            page.get_by_role("button", name="File the complaint").click()
            alert("it decides whether to accept it by 2026-10-29")

            log_in(t.finance)
            menu("Complaints")
            page.get_by_test_id("complaint-queue").get_by_role(
                "link", name="2026-10-22 09:00"
            ).click()
            page.get_by_role("button", name="Accept (受理)").click()
            alert("The complaint is accepted")

            clock.at("2026-11-05 10:00")
            log_in(t.finance)
            menu("Complaints")
            page.get_by_test_id("complaint-queue").get_by_role(
                "link", name="2026-10-22 09:00"
            ).click()
            page.get_by_label("Decision and reasons").fill("投诉事项缺乏事实依据，驳回投诉。")
            page.get_by_role("button", name="Rejected (投诉不成立)").click()
            alert("The decision is recorded")

            # The thread, as the complainant sees it.
            log_in(t.large_user)
            page.goto(thread_url)
            thread = page.get_by_test_id("thread")
            expect(thread.locator("#question")).to_contain_text("2026-10-15 11:00")
            expect(thread.locator("#question")).to_contain_text("请求复核价格扣除")
            expect(thread.locator("#answer")).to_contain_text("2026-10-20 16:00")
            expect(thread.locator("#answer")).to_contain_text("声明属实")
            complaint_item = thread.locator("#complaint")
            expect(complaint_item).to_contain_text("2026-10-22 09:00")
            expect(complaint_item).to_contain_text("accepted")
            expect(complaint_item).to_contain_text("2026-11-05 10:00")
            expect(complaint_item).to_contain_text("驳回投诉")
            screenshot(page, "running-thread.png")
        finally:
            browser.close()

    # --- the database at the end ---------------------------------------------------------------
    tender.refresh_from_db()
    t.project.refresh_from_db()
    assert tender.status == TenderStatus.AWARDED
    assert tender.awarded_provider == t.small
    assert str(tender.savings_rate) == "0.6400"
    assert t.project.status == ProjectStatus.AWARDED
    assert {b.provider_id: b.rank for b in tender.bids.filter(status=BidStatus.SUBMITTED)} == {
        t.small.pk: 1,
        t.large.pk: 2,
        t.social.pk: 3,
    }
    assert not Bid.objects.filter(provider=t.unit).exists()
    assert PanelMember.objects.filter(tender=tender, submitted_at__isnull=False).count() == 5
    assert tender.opening_responses.get().provider == t.large
    assert list(
        Notice.objects.filter(tender=tender).values_list("kind", flat=True).order_by("pk")
    ) == [
        NoticeKind.PURCHASE,
        NoticeKind.RESULT,
    ]
    question = Question.objects.get(tender=tender)
    assert question.provider == t.large and question.answered_by == t.purchaser
    complaint = Complaint.objects.get(question=question)
    assert complaint.status == ComplaintStatus.DECIDED
    assert complaint.decided_by == t.finance
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "procurement.round.start",
        "procurement.bid.submit",
        "procurement.bid.sealed_read_refused",
        "procurement.round.open",
        "procurement.opening.confirm",
        "procurement.panel.appoint",
        "procurement.panel.no_conflict",
        "procurement.panel.score",
        "procurement.round.evaluate",
        "procurement.award.confirm",
        "procurement.result.publish",
        "procurement.question.file",
        "procurement.question.answer",
        "procurement.complaint.file",
        "procurement.complaint.accept",
        "procurement.complaint.decide",
    } <= actions
    for data in AuditEvent.objects.filter(action="procurement.bid.submit").values_list(
        "data", flat=True
    ):
        assert "price" not in data
