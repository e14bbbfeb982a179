"""The screening engine for barred content (C2, C3, C7 hard; C9 warn).

Pure tests: no database, no Django set-up (they also run with ``-p no:django``).
The labelled set in ``data/screening_labelled.json`` is realistic purchase
wording; every barred item must get a hard hit (recall 1.0), no legit item may,
and every suspicious item gets a warning and no hard hit."""

import json
import subprocess
import sys
import threading
import time
from collections import Counter
from functools import cache
from pathlib import Path

import pytest

from govbuy.catalog import screening
from govbuy.catalog.screening import (
    HARD,
    WARN,
    Hit,
    ListEntry,
    PatternError,
    Screener,
    compile_pattern,
    entries_from_seed,
    find_pattern,
    load_seed,
    region_ancestors,
    tokenize,
)

LABELLED_PATH = Path(__file__).resolve().parent / "data" / "screening_labelled.json"
LABELLED = json.loads(LABELLED_PATH.read_text(encoding="utf-8"))
REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _english():
    """Pattern errors are translated; these tests read the English text."""
    try:
        from django.conf import settings

        settings.INSTALLED_APPS  # noqa: B018 - raises when Django is not set up
        from django.utils import translation
    except Exception:
        yield
        return
    with translation.override("en"):
        yield


@cache
def screener_for(region: str | None = None) -> Screener:
    return Screener(entries_from_seed(region_ancestors(region)))


def screen(title: str, description: str = "", region: str | None = None) -> list[Hit]:
    return screener_for(region).screen(title, description)


def hard(hits):
    return [h for h in hits if h.entry.severity == HARD]


def warns(hits):
    return [h for h in hits if h.entry.severity == WARN]


def entry(phrases, unless=(), key="t", rule="C2", severity=HARD):
    return ListEntry(
        key=key,
        rule=rule,
        severity=severity,
        clause="102号令 第十条（三）",
        title="测试",
        reason="测试。",
        phrases=tuple(phrases),
        unless=tuple(unless),
    )


def describe(hits):
    return "; ".join(f"{h.entry.key}@{h.field}:{h.match}" for h in hits) or "no hit"


# --- the four canonical examples ---------------------------------------------------------


def test_cost_consulting_is_buyable():
    assert screen("工程造价咨询服务") == []


def test_road_works_are_barred():
    hits = hard(screen("道路建设工程"))
    assert hits, "道路建设工程 must be a hard hit"
    assert {h.entry.rule for h in hits} & {"C2", "C3"}
    assert hits[0].match == "道路建设工程"


def test_job_fair_is_buyable():
    assert screen("招聘会组织服务") == []


def test_own_hiring_is_barred():
    hits = hard(screen("为本单位招聘编外人员"))
    assert hits and hits[0].entry.rule == "C2"
    assert hits[0].entry.key == "art10-5-hiring"
    # overlapping matches of the entry widen the span
    assert hits[0].match == "为本单位招聘编外人员"
    (desc_hit,) = hard(screen("", "面向社会招聘编外工作人员5名，从事窗口受理。"))
    assert desc_hit.match == "招聘编外工作人员"


def test_domain_dictionary_makes_single_tokens():
    assert tokenize("为本单位招聘编外人员") == ["为", "本单位", "招聘", "编外人员"]
    assert "劳务派遣" in tokenize("劳务派遣服务")
    assert "工程造价咨询" in tokenize("工程造价咨询服务")
    assert "公益性岗位" in tokenize("设置公益性岗位")
    assert "招聘会" in tokenize("招聘会组织服务")
    assert "招聘活动" in tokenize("公益性招聘活动")
    assert tokenize("道路建设工程") == ["道路", "建设工程"]


# --- decisions the government takes itself: the whole family (issue 11, item 19) ----------

DECISIONS_DELEGATED = [
    ("行政处罚", "由承接单位对违停车辆直接开具罚款决定书并送达当事人。"),
    ("行政许可", "由承接单位受理道路运输经营许可申请，审核材料后直接核发道路运输经营许可证。"),
    ("行政审批", "将户外广告设置审批事项委托广告协会办理，由其审查申请并出具准予设置的批准文件。"),
    ("核准", "委托咨询机构对企业投资项目核准申请进行审查，并直接作出予以核准或不予核准的决定。"),
    ("行政强制", "由承接单位对逾期不缴纳罚款的企业加处罚款，并划拨其银行存款。"),
    ("行政检查", "委托第三方机构以市场监管局名义对餐饮单位开展行政检查，并作出责令整改决定。"),
    ("监督检查", "委托消防技术服务机构代为实施消防监督检查，下达责令限期改正通知书。"),
]

AUXILIARY_AROUND_DECISIONS = [
    ("咨询", "在政务服务中心为企业和群众提供行政审批事项咨询和办事指引。"),
    ("材料初审", "对行政许可申请材料进行初审并提出初审意见，许可决定由本局依法作出。"),
    (
        "技术性审查辅助",
        "对建设项目审批涉及的技术文件开展技术性审查，出具技术审查意见供审批部门参考。",
    ),
    ("政策宣传", "围绕行政审批制度改革开展政策宣传，制作宣传手册和短视频。"),
    ("第三方评估", "委托第三方机构对本局年度行政执法工作开展评估，出具评估报告和改进建议。"),
    ("检查辅助", "协助编制年度行政检查计划和随机抽查事项清单，检查由执法人员实施。"),
]


@pytest.mark.parametrize(
    "kind, text", DECISIONS_DELEGATED, ids=[k for k, _t in DECISIONS_DELEGATED]
)
def test_c2_a_decision_the_government_takes_itself_handed_to_a_provider_is_barred(kind, text):
    hits = hard(screen("", text))
    assert hits, f"{kind}: {describe(screen('', text))}"
    assert {h.entry.rule for h in hits} == {"C2"}


@pytest.mark.parametrize(
    "kind, text", AUXILIARY_AROUND_DECISIONS, ids=[k for k, _t in AUXILIARY_AROUND_DECISIONS]
)
def test_c2_auxiliary_services_around_those_decisions_pass(kind, text):
    assert not screen("", text), f"{kind}: {describe(screen('', text))}"


# --- the labelled set ---------------------------------------------------------------------


def test_labelled_set_shape():
    counts = Counter(d["label"] for d in LABELLED)
    assert len(LABELLED) >= 100
    assert counts["barred"] >= 45 and counts["legit"] >= 45 and counts["suspicious"] >= 10
    by_title = {d["title"]: d for d in LABELLED}
    assert len(by_title) == len(LABELLED), "titles are unique"
    assert by_title["工程造价咨询服务"]["label"] == "legit"
    assert by_title["道路建设工程"]["label"] == "barred"
    assert by_title["招聘会组织服务"]["label"] == "legit"
    assert by_title["为本单位招聘编外人员"]["label"] == "barred"
    for d in LABELLED:
        assert set(d) == {"title", "description", "region", "label", "rules", "source"}
        assert d["region"] in (None, "510100", "440300")
        assert set(d["rules"]) <= {"C2", "C3", "C7", "C9"}
        assert bool(d["rules"]) == (d["label"] != "legit")


@pytest.mark.parametrize(
    "item", LABELLED, ids=[f"{i:03d}-{d['label']}-{d['title']}" for i, d in enumerate(LABELLED)]
)
def test_labelled_item(item):
    hits = screen(item["title"], item["description"], item["region"])
    h = hard(hits)
    if item["label"] == "barred":
        assert h, f"missed: {describe(hits)}"
        assert {x.entry.rule for x in h} & set(item["rules"]), (
            f"right verdict, wrong rule: {describe(h)}"
        )
    elif item["label"] == "legit":
        assert not h, f"false alarm: {describe(h)}"
    else:
        assert not h, f"suspicious must not be barred: {describe(h)}"
        assert warns(hits), "suspicious text must get a warning"


def test_labelled_set_metrics(capsys):
    tp = fp = fn = tn = 0
    any_tp = any_fp = any_fn = 0
    legit_warned = 0
    started = time.perf_counter()
    for d in LABELLED:
        hits = screen(d["title"], d["description"], d["region"])
        is_hard = bool(hard(hits))
        barred = d["label"] == "barred"
        tp += is_hard and barred
        fp += is_hard and not barred
        fn += barred and not is_hard
        tn += not barred and not is_hard
        flagged = d["label"] != "legit"
        any_tp += bool(hits) and flagged
        any_fp += bool(hits) and not flagged
        any_fn += flagged and not hits
        legit_warned += d["label"] == "legit" and bool(hits)
    per_item = (time.perf_counter() - started) / len(LABELLED) * 1000
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    any_precision = any_tp / (any_tp + any_fp) if any_tp + any_fp else 1.0
    any_recall = any_tp / (any_tp + any_fn) if any_tp + any_fn else 1.0
    counts = Counter(d["label"] for d in LABELLED)
    with capsys.disabled():
        print(
            f"\nscreening labelled set: n={len(LABELLED)} (barred {counts['barred']}, "
            f"legit {counts['legit']}, suspicious {counts['suspicious']}) | "
            f"hard: TP={tp} FP={fp} FN={fn} TN={tn} precision={precision:.3f} "
            f"recall={recall:.3f} | "
            f"any hit (barred+suspicious): precision={any_precision:.3f} "
            f"recall={any_recall:.3f} | legit with a warning: {legit_warned}/{counts['legit']} | "
            f"{per_item:.2f} ms per item"
        )
    assert recall == 1.0
    assert fp == 0
    assert any_recall == 1.0


def test_matches_are_spans_of_the_input():
    for d in LABELLED:
        for h in screen(d["title"], d["description"], d["region"]):
            text = d["title"] if h.field == "title" else d["description"]
            assert h.match and h.match in text
            assert text[h.start : h.end] == h.match
            assert h.phrase in h.entry.phrases


# --- pattern syntax -----------------------------------------------------------------------


@pytest.mark.parametrize(
    "line, message",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("+ 工程", "between two terms"),
        ("工程 +", "between two terms"),
        ("工程 + + 施工", "term 2 is empty"),
        ("工程 || 施工", "empty alternative"),
        ("工程|", "empty alternative"),
        ("*", "needs a word"),
        ("*工程*", "not both"),
        ("工*程", "start or the end"),
        ("{0} 道路 + 建设", "between 1 and"),
        ("{99} 道路 + 建设", "between 1 and"),
        ("道路 {3} + 建设", "span limit"),
        ("{2} 甲 + 乙 + 丙", "cannot fit"),
        ("工程。施工", "not allowed"),
        ("道路；建设", "not allowed"),
        ("招聘(编外)", "not allowed"),
        ("、", "not allowed"),
        ("工程" * 300, "too long"),
    ],
)
def test_pattern_errors(line, message):
    with pytest.raises(PatternError) as e:
        compile_pattern(line)
    assert message in str(e.value)


@pytest.mark.parametrize(
    "line",
    [
        "招聘 + 编外人员|临聘人员",
        "{4} 道路 + 建设",
        "*工程",
        "融资*",
        "labour dispatch",
        "招聘＋编外人员｜临聘人员",  # full-width + and |
        "  劳务派遣  ",
        "5G + 基站",
    ],
)
def test_pattern_accepted(line):
    pattern = compile_pattern(line)
    assert pattern.terms and pattern.describe()


def test_pattern_error_is_a_value_error():
    assert issubclass(PatternError, ValueError)


def test_every_seed_pattern_compiles():
    lines = list(screening.seed_patterns())
    assert len(lines) > 100
    for key, line in lines:
        try:
            compile_pattern(line)
        except PatternError as e:  # pragma: no cover - the message is the point
            pytest.fail(f"{key}: {line}: {e}")


def test_screener_names_the_entry_of_a_bad_pattern():
    with pytest.raises(PatternError, match="bad-one"):
        Screener([entry(["道路 + + 建设"], key="bad-one")])


# --- matching semantics -------------------------------------------------------------------


def test_token_boundaries():
    works = Screener([entry(["工程"])])
    assert works.screen("工程造价咨询服务", "") == []
    assert works.screen("", "对工程实施全过程跟踪") != []
    suffix = Screener([entry(["*工程"])])
    assert [h.match for h in suffix.screen("道路建设工程", "")] == ["建设工程"]
    assert suffix.screen("工程造价咨询服务", "") == []
    hiring = Screener([entry(["招聘"])])
    assert hiring.screen("招聘会组织服务", "公益性招聘活动") == []
    assert find_pattern("融资*", "通过融资租赁公司") == ["融资租赁"]
    # an alternative matches whole words however jieba splits the alternative itself
    assert find_pattern("本单位招聘", "为本单位招聘人员") == ["本单位招聘"]
    assert find_pattern("单位", "为本单位招聘人员") == []


def test_terms_in_order_within_window_and_clause():
    assert find_pattern("道路 + 建设", "道路及附属设施建设") == ["道路及附属设施建设"]
    assert find_pattern("建设 + 道路", "道路及附属设施建设") == []
    assert find_pattern("道路 + 建设", "道路。建设") == []
    assert find_pattern("道路 + 建设", "道路；建设") == []
    assert find_pattern("道路 + 建设", "道路\n建设") == []
    assert find_pattern("道路 + 建设", "道路，建设") == ["道路，建设"]
    far = "道路两侧的人行道和绿化带以及照明设施的统一规划与建设"
    assert find_pattern("道路 + 建设", far) == []
    assert find_pattern("{20} 道路 + 建设", far) == [far]


def test_unless_cancels_overlapping_or_touching_hits():
    roads = Screener([entry(["道路 + 建设"], unless=["监理"])])
    assert roads.screen("道路建设监理服务", "") == []  # touches
    assert roads.screen("", "道路建设。监理") != []  # another clause
    assert roads.screen("", "道路建设，另有绿化监理") != []  # neither overlaps nor touches
    wide = Screener([entry(["道路 + 建设"], unless=["{10} 建设 + 监理"])])
    assert wide.screen("", "道路建设，另有绿化监理") == []  # the exception overlaps


def test_unless_falls_through_to_the_next_match():
    roads = Screener([entry(["道路 + 建设"], unless=["监理"])])
    text = "道路建设监理；新建道路后拓宽建设"
    (hit,) = roads.screen("", text)
    assert hit.match == "道路后拓宽建设"
    assert hit.start == text.index("；") + 3


def test_negation_cancels_excluded_mentions():
    works = Screener([entry(["修缮|改扩建"])])
    assert works.screen("", "校舍日常维护保养，不含修缮、改扩建。") == []
    assert works.screen("", "改扩建属工程，不在此列。") == []
    assert works.screen("", "不含监理，实施校舍修缮。") != []
    assert works.screen("", "校舍修缮（不含监理）") != []


def test_one_hit_per_entry_and_field_in_order():
    e = entry(["道路 + 建设"])
    hits = Screener([e]).screen("道路建设", "道路建设；道路改扩建；道路建设")
    assert [(h.field, h.match) for h in hits] == [
        ("title", "道路建设"),
        ("description", "道路建设"),
    ]


def test_warning_inside_a_hard_hit_is_dropped():
    hits = screen("警务辅助人员招聘服务")
    assert [h.entry.key for h in hits] == ["art10-5-hiring"]
    # a warning outside the hard span stays
    hits = screen("", "由人力资源公司派驻6名工作人员，人员接受我单位统一管理和考核。")
    assert {h.entry.rule for h in hits} == {"C2", "C9"}


def test_full_width_and_case_are_normalised():
    hits = hard(screen("Ｌａｂｏｕｒ　Ｄｉｓｐａｔｃｈ ｏｆ ｄｒｉｖｅｒｓ"))
    assert hits and hits[0].match == "Ｌａｂｏｕｒ　Ｄｉｓｐａｔｃｈ"
    assert tokenize("ＡＢＣ　公司") == ["abc", "公司"]
    # spaces between Chinese characters do not split words
    assert hard(screen("劳务 派遣 服务"))


def test_english_input():
    hits = screen("Labour dispatch of drivers", "The bureau hires 5 drivers for a year.")
    assert hard(hits)
    assert screen("Community elderly care", "Meal delivery and bathing help.") == []
    assert warns(screen("Project loan", "A bank loan for the new town hall."))
    words = tokenize("Labour DISPATCH, e.g. 3.5 km; U.S.A.")
    assert words[:3] == ["labour", "dispatch", ","] and "km" in words


@pytest.mark.parametrize(
    "title, description", [("", ""), ("   ", "\n\t"), (None, None), ("。", "，，")]
)
def test_empty_input(title, description):
    assert screen(title, description) == []
    assert all(t.strip() for t in tokenize(title or ""))


def test_long_input_runs():
    # Speed is measured by the benchmark (bench/), not here.
    text = ("为辖区老年人提供助餐、助浴服务，不含修缮。" * 1000)[:19_000] + "道路建设工程"
    assert len(text) > 19_000
    hits = screen("居家养老服务", text)
    assert [h.match for h in hard(hits)] == ["道路建设工程"]
    assert hits[0].start == 19_000
    # many exceptions and negations: still a sound answer
    assert hard(screen("", ("不含道路建设" * 4000)[:20_000])) == []
    screen("", ("道路建设工程监理，" * 3000)[:20_000])


# --- seed ---------------------------------------------------------------------------------


def test_seed_items():
    items, suspicious = load_seed()
    keys = [i["key"] for i in items] + [s["key"] for s in suspicious]
    assert len(keys) == len(set(keys))
    assert 25 <= len(items) <= 45
    clauses = Counter(i["clause"] for i in items)
    for clause in ("art10_1", "art10_2", "art10_3", "art10_4", "art10_5", "art10_6"):
        assert clauses[clause], clause
    assert clauses["caiyu_2017_87"] >= 5
    regions = {i["region"] for i in items if i["region"]}
    assert {"510100", "440300"} <= regions
    assert regions & {"410000", "410100"}
    for i in items:
        assert (i["region"] is None) == (i["clause"] != "local"), i["key"]
        assert i["rule"] == screening.CLAUSE_RULES[i["clause"]], i["key"]
        for field in ("title", "title_en", "description", "description_en", "basis"):
            assert i[field].strip(), (i["key"], field)
    for s in suspicious:
        for field in ("title", "title_en", "reason", "reason_en"):
            assert s[field].strip(), (s["key"], field)
        assert s["phrases"], s["key"]


def test_entries_from_seed_by_region():
    national = entries_from_seed(None)
    assert not [e for e in national if e.rule == "C7"]
    assert {e.rule for e in national} == {"C2", "C3", "C9"}
    assert all(e.severity == (WARN if e.rule == "C9" else HARD) for e in national)
    assert all(e.clause == "C9" for e in national if e.rule == "C9")
    chengdu = {e.key for e in entries_from_seed(region_ancestors("510104"))}
    assert "chengdu-borrowing" in chengdu and "shenzhen-benefit-payments" not in chengdu
    zhengzhou = {e.key for e in entries_from_seed(region_ancestors("410102"))}
    assert {"henan-village-cadre-pay", "zhengzhou-personnel-decisions"} <= zhengzhou
    assert region_ancestors("510104") == ["510104", "510100", "510000"]
    assert region_ancestors("440300") == ["440300", "440000"]
    assert region_ancestors(None) == []


def test_local_lists_apply_only_to_their_region():
    text = "委托银行代为发放辖区企业退休人员基本养老金。"
    assert [h.entry.rule for h in hard(screen("", text, "440300"))] == ["C7"]
    assert hard(screen("", text, "510100")) == []
    assert hard(screen("", text)) == []


# --- set-up -------------------------------------------------------------------------------


def test_tokenizer_initialises_once_across_threads(monkeypatch):
    monkeypatch.setattr(screening, "_tokenizer", None)
    seen = []
    threads = [
        threading.Thread(target=lambda: seen.append(screening.get_tokenizer())) for _ in range(6)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(seen) == 6 and len({id(t) for t in seen}) == 1
    assert "编外人员" in list(seen[0].cut("招聘编外人员", HMM=False))


def test_module_imports_without_django():
    code = (
        "import sys; sys.modules['django'] = None; "
        "from govbuy.catalog import screening as s; "
        "print(len(s.Screener(s.entries_from_seed(None)).screen('道路建设工程', '')))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert int(result.stdout.strip()) >= 1
