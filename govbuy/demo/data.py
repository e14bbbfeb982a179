"""Demo data: one province (河南, real GB/T 2260 codes), its finance bureaus,
purchasing departments, providers of every S2 category, organizations the
rules refuse, an evaluation firm, an audit office and recipients.

Government bodies carry “（演示）” and every other name is invented: the data is
realistic in shape and plainly fictional. Codes are valid 统一社会信用代码 made
up from the region code and a serial number.
"""

from __future__ import annotations

from typing import NamedTuple

DEMO_PASSWORD = "govbuy-demo-2026"

# (key, name, region, registration+category code, org_type, extra fields, platform role flags)
ORGANIZATIONS = [
    # finance bureaus, one per level
    (
        "fin_hn",
        "河南省财政厅（演示）",
        "410000",
        "11",
        "administrative_organ",
        {},
        {"is_finance_bureau": True, "is_purchaser": True},
    ),
    (
        "fin_zz",
        "郑州市财政局（演示）",
        "410100",
        "11",
        "administrative_organ",
        {},
        {"is_finance_bureau": True, "is_purchaser": True},
    ),
    (
        "fin_ly",
        "洛阳市财政局（演示）",
        "410300",
        "11",
        "administrative_organ",
        {},
        {"is_finance_bureau": True, "is_purchaser": True},
    ),
    (
        "fin_zm",
        "中牟县财政局（演示）",
        "410122",
        "11",
        "administrative_organ",
        {},
        {"is_finance_bureau": True, "is_purchaser": True},
    ),
    (
        "fin_df",
        "登封市财政局（演示）",
        "410185",
        "11",
        "administrative_organ",
        {},
        {"is_finance_bureau": True, "is_purchaser": True},
    ),
    (
        "fin_sx",
        "嵩县财政局（演示）",
        "410325",
        "11",
        "administrative_organ",
        {},
        {"is_finance_bureau": True, "is_purchaser": True},
    ),
    # purchasing departments
    (
        "pur_hn_mz",
        "河南省民政厅（演示）",
        "410000",
        "11",
        "administrative_organ",
        {},
        {"is_purchaser": True},
    ),
    (
        "pur_zz_mz",
        "郑州市民政局（演示）",
        "410100",
        "11",
        "administrative_organ",
        {},
        {"is_purchaser": True},
    ),
    (
        "pur_zz_rs",
        "郑州市人力资源和社会保障局（演示）",
        "410100",
        "11",
        "administrative_organ",
        {},
        {"is_purchaser": True},
    ),
    (
        "pur_ly_sf",
        "洛阳市司法局（演示）",
        "410300",
        "11",
        "administrative_organ",
        {},
        {"is_purchaser": True},
    ),
    (
        "pur_zm_wj",
        "中牟县卫生健康委员会（演示）",
        "410122",
        "11",
        "administrative_organ",
        {},
        {"is_purchaser": True},
    ),
    (
        "pur_sx_cl",
        "嵩县残疾人联合会（演示）",
        "410325",
        "13",
        "mass_organization",
        {"staffing": "administrative", "fiscal_funded": True},
        {"is_purchaser": True},
    ),
    (
        "pur_zz_gjj",
        "郑州市住房公积金管理中心（演示）",
        "410100",
        "12",
        "public_institution",
        {"institution_class": "administrative"},
        {"is_purchaser": True},
    ),
    ("pur_df_court", "登封市人民法院（演示）", "410185", "11", "court", {}, {"is_purchaser": True}),
    # providers: every category of S2
    (
        "pro_yikang",
        "郑州颐康居家养老服务有限公司",
        "410100",
        "91",
        "enterprise",
        {"sme_size": "small"},
        {"is_provider": True},
    ),
    (
        "pro_songyang",
        "登封市嵩阳悦家家政服务有限公司",
        "410185",
        "91",
        "enterprise",
        {"sme_size": "micro"},
        {"is_provider": True},
    ),
    (
        "pro_zhihe",
        "河南智禾法律咨询服务有限公司",
        "410000",
        "91",
        "enterprise",
        {"sme_size": "medium"},
        {"is_provider": True},
    ),
    (
        "pro_zhongyuan",
        "中原锦程城市服务集团有限公司",
        "410100",
        "91",
        "enterprise",
        {"sme_size": "large"},
        {"is_provider": True},
    ),
    (
        "pro_chenxi",
        "郑州市晨曦社会工作服务中心",
        "410100",
        "52",
        "social_organization",
        {"social_org_form": "social_service_agency"},
        {"is_provider": True},
    ),
    (
        "pro_ly_yanglao",
        "洛阳市养老服务业协会",
        "410300",
        "51",
        "social_organization",
        {"social_org_form": "social_group"},
        {"is_provider": True},
    ),
    (
        "pro_zhucan",
        "河南省同心助残公益基金会",
        "410000",
        "53",
        "social_organization",
        {"social_org_form": "foundation"},
        {"is_provider": True},
    ),
    (
        "pro_kangfu",
        "郑州市康复辅具服务中心（演示）",
        "410100",
        "12",
        "public_institution",
        # 郑州市民政局's own 公益二类 unit: it may commission it directly (P6).
        {"institution_class": "public_welfare_2", "competent_department": "pur_zz_mz"},
        {"is_provider": True},
    ),
    (
        "pro_cehui",
        "洛阳市测绘勘察院（演示）",
        "410300",
        "12",
        "public_institution",
        {"institution_class": "business"},
        {"is_provider": True},
    ),
    (
        "pro_qinghe",
        "中牟县青禾村股份经济合作社",
        "410122",
        "N2",
        "rural_collective",
        {},
        {"is_provider": True},
    ),
    (
        "pro_huaiyin",
        "嵩县城关镇槐荫社区居民委员会",
        "410325",
        "55",
        "grassroots_autonomy",
        {},
        {"is_provider": True},
    ),
    (
        "pro_liji",
        "中牟县李记助餐服务部",
        "410122",
        "92",
        "individual_business",
        {"sme_size": "micro"},
        {"is_provider": True},
    ),
    ("pro_wang", "王秀兰（家庭照护员）", "410185", "", "natural_person", {}, {"is_provider": True}),
    (
        "pro_youth",
        "郑州市青少年发展服务中心（演示）",
        "410100",
        "13",
        "mass_organization",
        {"staffing": "institutional", "fiscal_funded": False},
        {"is_provider": True},
    ),
    # a provider excluded from bidding: a serious breach in force (S9, demo/providers.py)
    (
        "pro_anjie",
        "郑州安洁家政服务有限公司",
        "410100",
        "91",
        "enterprise",
        {"sme_size": "small"},
        {"is_provider": True},
    ),
    # organizations the rules refuse in both roles (S3, S4, S3)
    (
        "ref_cdc",
        "中牟县疾病预防控制中心（演示）",
        "410122",
        "12",
        "public_institution",
        {"institution_class": "public_welfare_1"},
        {},
    ),
    (
        "ref_nongji",
        "嵩县农业技术推广站（演示）",
        "410325",
        "12",
        "public_institution",
        {"institution_class": "unclassified"},
        {},
    ),
    (
        "ref_kexie",
        "郑州市科学技术协会（演示）",
        "410100",
        "13",
        "mass_organization",
        {"staffing": "institutional", "fiscal_funded": True},
        {},
    ),
    # third-party evaluation and audit
    (
        "eva_zhengheng",
        "河南正衡绩效评价咨询有限公司",
        "410100",
        "91",
        "enterprise",
        {"sme_size": "small"},
        {"is_evaluator": True},
    ),
    (
        "aud_hn",
        "河南省审计厅（演示）",
        "410000",
        "11",
        "administrative_organ",
        {},
        {"is_audit_office": True},
    ),
    (
        "aud_zz",
        "郑州市审计局（演示）",
        "410100",
        "11",
        "administrative_organ",
        {},
        {"is_audit_office": True},
    ),
]

# (username, display name, organization key or None for a recipient, role)
USERS = [
    ("finance", "赵明远（河南省财政厅）", "fin_hn", "finance"),
    ("finance_zz", "钱晓燕（郑州市财政局）", "fin_zz", "finance"),
    ("finance_zm", "孙立新（中牟县财政局）", "fin_zm", "finance"),
    ("purchaser", "李文静（郑州市民政局）", "pur_zz_mz", "purchaser"),
    ("purchaser_mgr", "王建国（郑州市民政局 负责人）", "pur_zz_mz", "purchaser"),
    ("purchaser_ly", "周海涛（洛阳市司法局）", "pur_ly_sf", "purchaser"),
    ("purchaser_rs", "许文华（郑州市人力资源和社会保障局）", "pur_zz_rs", "purchaser"),
    ("provider", "吴佳怡（郑州颐康居家养老服务有限公司）", "pro_yikang", "provider"),
    ("provider_sw", "郑思远（郑州市晨曦社会工作服务中心）", "pro_chenxi", "provider"),
    ("provider_zy", "韩磊（中原锦程城市服务集团有限公司）", "pro_zhongyuan", "provider"),
    # 评审专家: the 郑州 finance bureau's expert pool, for evaluation panels.
    ("expert", "高文博（评审专家）", "fin_zz", "expert"),
    ("expert2", "林雅琴（评审专家）", "fin_zz", "expert"),
    ("expert3", "马骏（评审专家）", "fin_zz", "expert"),
    ("expert4", "宋佳（评审专家）", "fin_zz", "expert"),
    ("evaluator", "冯志强（河南正衡绩效评价咨询有限公司）", "eva_zhengheng", "evaluator"),
    ("auditor", "陈淑华（河南省审计厅）", "aud_hn", "auditor"),
    ("admin", "平台管理员", "fin_hn", "platform_admin"),
    ("recipient", "张桂芳（服务对象）", None, None),
    ("recipient2", "刘建国（服务对象）", None, None),
]

# Managers (负责人): they review requirements before a purchase starts (P7).
MANAGERS = {"purchaser_mgr"}


class DemoLogin(NamedTuple):
    """A login the demo's flows need: printed by `manage.py demo_logins` (which
    `make run` calls) and listed in the README, with what to try with it."""

    username: str
    role: str
    try_this: str

    @property
    def organization(self) -> str:
        key = next(org for name, _display, org, _role in USERS if name == self.username)
        return next((o[1] for o in ORGANIZATIONS if o[0] == key), "—")


DEMO_LOGINS = [
    DemoLogin(
        "finance",
        "财政部门 finance bureau (province)",
        "the workbench lists what waits at 郑州市财政局 (read-only); decide the catalog "
        "adjustment in the catalog approvals inbox — the province keeps the 河南 guidance "
        "catalog",
    ),
    DemoLogin(
        "finance_zz",
        "财政部门 finance bureau (city)",
        "approve or return the submitted budget line and the budget adjustment, approve "
        "the department catalog of 郑州市人社局, clear the splitting flag (B4); the 2026 "
        "complaint it decided",
    ),
    DemoLogin(
        "purchaser",
        "购买主体 purchasing department",
        "budget lines in every state; start the approved meals purchase (purchase notice,"
        " deadlines computed in working days); the open tender whose bids stay sealed "
        "until the opening; the 2026 home-care purchase from intention to award and "
        "complaint",
    ),
    DemoLogin(
        "purchaser_mgr",
        "购买主体负责人 the department's manager",
        "review the requirements of the 困境儿童 purchase (P7); the department's "
        "representative on the 2026 panel",
    ),
    DemoLogin(
        "purchaser_rs",
        "购买主体 purchasing department",
        "its department catalog, waiting for 郑州市财政局's approval",
    ),
    DemoLogin(
        "provider",
        "承接主体 provider (small enterprise)",
        "replace or withdraw its sealed bid on the open tender until the deadline (the "
        "receipt shows the time and digest only); it won the 2026 purchase with the SME "
        "price deduction",
    ),
    DemoLogin(
        "provider_sw",
        "承接主体 provider (social organization)",
        "its sealed bid on the open tender; a bidder of the 2026 purchase",
    ),
    DemoLogin(
        "provider_zy",
        "承接主体 provider (large enterprise)",
        "its sealed bid on the open tender; it questioned the 2026 award and complained "
        "to the finance bureau",
    ),
    DemoLogin(
        "expert",
        "评审专家 evaluation experts of the 郑州 bureau's pool",
        "no panel waits now; `expert` chaired the 2026 panel, whose round page it can still "
        "open (the workbench lists only panels still to score)",
    ),
    DemoLogin(
        "evaluator",
        "第三方评价 evaluation firm",
        "no evaluation is assigned yet: the workbench says what will come; public notices"
        " can be read",
    ),
    DemoLogin(
        "auditor",
        "审计 audit office",
        "reads everything in 河南, the audit log, and verifies its hash chain; changes nothing",
    ),
    DemoLogin(
        "admin",
        "平台管理员 platform administrator",
        "users and roles, organizations and locked logins (`/manage/`), policy parameters "
        "and holiday calendars; it never acts for a finance bureau, a department or a "
        "provider",
    ),
    DemoLogin(
        "recipient",
        "服务对象 service recipient (a resident)",
        "public notices; service vouchers come with a later release",
    ),
]
