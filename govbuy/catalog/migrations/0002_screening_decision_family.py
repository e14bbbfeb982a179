"""The shipped negative list's decisions the government takes itself (C2 (二)):
行政处罚, 行政许可, 行政审批, 行政强制 and 行政检查 handed to a provider are all
refused alike, and auxiliary services (咨询, 材料初审, 技术性审查) pass.

A later load of the shipped list only adds missing items (the new
``art10-2-inspection`` arrives that way); this migration brings the items that
changed up to date **where an installation has not edited them**: a field is
rewritten only while it still holds the value shipped before. Reversible the
same way.
"""

from django.db import migrations

# key -> field -> (shipped before, shipped now)
CHANGES = {'art10-2-coercion': {'phrases': (['行政强制|强制执行|强制措施|强制拆除|强拆',
                                   '强制 + 拆除|拆迁|清除|腾退|清拆',
                                   '{4} 实施|进行|负责 + 查封|扣押|冻结'],
                                  ['行政强制|强制执行|强制措施|强制拆除|强拆',
                                   '强制 + 拆除|拆迁|清除|腾退|清拆',
                                   '{4} 实施|进行|负责 + 查封|扣押|冻结',
                                   '加处罚款|加处 + 罚款|强制划拨',
                                   '{4} 划拨 + 存款|*存款|银行存款|汇款']),
                      'unless': (['查封|扣押|冻结 + 保管|仓储|看管|评估|拍卖|鉴定|集中保管',
                                  '强制执行|行政强制|强制拆除 + 法律咨询|*培训|宣传|评估|监测'],
                                 ['查封|扣押|冻结 + 保管|仓储|看管|评估|拍卖|鉴定|集中保管',
                                  '强制执行|行政强制|强制拆除 + 法律咨询|*培训|宣传|评估|监测',
                                  '{5} 由 + '
                                  '执法部门|执法人员|执法机关|执法队员|审批部门|审批机关|行政机关|主管部门|本局|我局|本机关|机关|*局|*部门|*机关|*中队|*大队|*支队|*委员会|窗口工作人员 '
                                  '+ 作出|出具|签发|下达|核发|审批|决定|实施'])},
 'art10-2-decisions': {'phrases': (['作出 + 复议决定|行政复议决定|行政复议|行政裁决|裁决',
                                    '代为 + 审理|办理|作出 + 行政复议|复议|行政裁决',
                                    '以 + 本机关|机关|政府|*政府|街道办|*办事处|本单位|*局|*委员会 + 名义 + '
                                    '作出|出具|签发|开具|下达'],
                                   ['作出 + 复议决定|行政复议决定|行政复议|行政裁决|裁决',
                                    '代为 + 审理|办理|作出 + 行政复议|复议|行政裁决',
                                    '以 + 本机关|机关|政府|*政府|街道办|*办事处|本单位|*局|*委员会 + 名义 + '
                                    '作出|出具|签发|开具|下达',
                                    '{12} 以 + 本机关|机关|政府|*政府|街道办|*办事处|本单位|*局|*委员会|*所|*队|*部门 + '
                                    '名义 + 开展|实施|进行 + 检查|行政检查|执法检查|监督检查|*检查'])},
 'art10-2-law-enforcement': {'unless': (['执法 + 设备|装备|记录仪|*培训|案卷|宣传'],
                                        ['执法 + 设备|装备|记录仪|*培训|案卷|宣传',
                                         '{8} 执法|行政执法 + 工作|情况|质量|效能|水平 + 评估|评价|评查|测评|考评|满意度'])},
 'art10-2-licensing': {'description': ('行政许可、行政审批等决定须由法定机关依法作出，不得把审查权、许可决定或证照核发交给社会力量。',
                                       '行政许可、行政审批、核准等决定须由法定机关依法作出，不得把审查权、许可或核准决定、证照核发交给社会力量；咨询、材料初审、技术性审查辅助等辅助性服务可以购买。'),
                       'description_en': ('Licensing and approval decisions are made by the '
                                          'organs the law names; review powers, licence '
                                          'decisions and the issuing of permits are never '
                                          'handed to contracted parties.',
                                          'Licensing, approval and authorisation decisions are '
                                          'made by the organs the law names; review powers, '
                                          'licence or authorisation decisions and the issuing '
                                          'of permits are never handed to contracted parties. '
                                          'Auxiliary services (advice, a first check of the '
                                          'documents, technical review in support) may be '
                                          'bought.'),
                       'phrases': (['作出 + 许可|准予|行政许可|审批 + 决定',
                                    '准予 + 许可|行政许可',
                                    '{6} 许可证|执照|证照|行政许可 + 审核|核发|发放|审批 + 工作|事项 + 委托',
                                    '代为 + 审批|许可|*审批|审核发放',
                                    '{4} 核发|颁发|发放 + 营业执照|*许可证|许可证|执照|证照',
                                    '{6} 审批权|许可权 + 委托|交由|外包'],
                                   ['作出 + 许可|准予|行政许可|审批|行政审批|核准|不予核准|不予许可|批准 + 决定',
                                    '准予 + 许可|行政许可',
                                    '{6} 许可证|执照|证照|行政许可 + 审核|核发|发放|审批 + 工作|事项 + 委托',
                                    '代为 + 审批|许可|*审批|审核发放|核准|核发|批准',
                                    '{4} 核发|颁发|发放 + 营业执照|*许可证|许可证|执照|证照',
                                    '{6} 审批权|许可权|核准权 + 委托|交由|外包',
                                    '{6} 审批|许可|核准|行政审批|行政许可 + 事项|工作|职能 + 委托|交由|外包|整体委托',
                                    '{10} 审批|许可|核准 + 审查 + 批准|决定 + 工作 + 交由|委托',
                                    '{3} 直接 + 核发|颁发|审批|核准|批准',
                                    '{6} 由 + 其|承接*|承接方|第三方|中标*|服务机构|*公司|社会组织|社会机构|*协会 + 决定 + '
                                    '是否 + 批准|许可|核准|准予|予以|发放|核发',
                                    '{6} 出具|签发|核发|下达 + 准予|批准 + 文件|决定书|批复|批准书']),
                       'title': ('行政许可和审批决定', '行政许可、审批和核准决定'),
                       'title_en': ('Licences and approval decisions',
                                    'Licences, approvals and authorisations'),
                       'unless': (['咨询|辅助|导办|帮办|代办|预审|指引|案卷|评查 + 审批|许可',
                                   '{6} 营业执照|*许可证|许可证|执照|证照 + 邮寄|送达|寄递|制证|印制',
                                   '审批|许可 + 咨询|辅助|导办|帮办|代办|预审|指引|案卷|评查'],
                                  ['咨询|辅助|导办|帮办|代办|预审|初审|指引|案卷|评查|技术审查|技术性审查 + '
                                   '审批|许可|行政审批|行政许可|核准',
                                   '{6} 营业执照|*许可证|许可证|执照|证照 + 邮寄|送达|寄递|制证|印制',
                                   '{4} 审批|许可|行政审批|行政许可|核准 + '
                                   '咨询|辅助|导办|帮办|代办|预审|初审|指引|案卷|评查|技术审查|技术性审查|申请材料|宣传|评估|满意度|制度改革',
                                   '{3} 审批|许可|行政审批|行政许可 + 业务|工作|人员|知识|政策 + *培训',
                                   '{2} 审批|许可|行政审批|行政许可 + *培训',
                                   '{6} 由 + '
                                   '执法部门|执法人员|执法机关|执法队员|审批部门|审批机关|行政机关|主管部门|本局|我局|本机关|机关|*局|*部门|*机关|*中队|*大队|*支队|*委员会|窗口工作人员 '
                                   '+ 依法|统一|负责|直接|自行 + 作出|出具|签发|下达|核发|审批|决定',
                                   '{5} 由 + '
                                   '执法部门|执法人员|执法机关|执法队员|审批部门|审批机关|行政机关|主管部门|本局|我局|本机关|机关|*局|*部门|*机关|*中队|*大队|*支队|*委员会|窗口工作人员 '
                                   '+ 作出|出具|签发|下达|核发|审批|决定|实施',
                                   '{3} '
                                   '执法部门|执法人员|执法机关|执法队员|审批部门|审批机关|行政机关|主管部门|本局|我局|本机关|机关|*局|*部门|*机关|*中队|*大队|*支队|*委员会|窗口工作人员 '
                                   '+ 直接 + 核发|颁发|审批|作出|决定'])},
 'art10-2-penalty': {'phrases': (['作出|开具|下达|出具|签发 + 行政处罚|处罚决定|罚款决定|处罚|罚款',
                                  '行政处罚 + 决定|决定书',
                                  '罚款决定书|处罚决定书|处罚通知',
                                  '收缴|收取 + 罚款|罚没款',
                                  '{4} 行政处罚|处罚 + *案件|案件 + 办理|查办|调查|审理|处理|调查取证',
                                  '{4} 办理|查办|承办|调查|审理 + 行政处罚|处罚 + *案件|案件',
                                  '吊销 + 许可证|执照|营业执照'],
                                 ['作出|开具|下达|出具|签发 + 行政处罚|处罚决定|罚款决定|处罚|罚款',
                                  '行政处罚 + 决定|决定书',
                                  '罚款决定书|处罚决定书|处罚通知',
                                  '收缴|收取 + 罚款|罚没款',
                                  '{4} 行政处罚|处罚 + *案件|案件 + 办理|查办|调查|审理|处理|调查取证',
                                  '{4} 办理|查办|承办|调查|审理 + 行政处罚|处罚 + *案件|案件',
                                  '吊销 + 许可证|执照|营业执照',
                                  '{4} 作出|下达|签发|开具 + 责令停产停业|责令关闭|责令停业|暂扣许可证|暂扣执照']),
                     'unless': (['行政处罚|处罚 + 案卷|评查|案卷评查|*培训|宣传|裁量基准|法律咨询',
                                 '案卷|评查|*培训|宣传 + 行政处罚'],
                                ['行政处罚|处罚 + 案卷|评查|案卷评查|*培训|宣传|裁量基准|法律咨询',
                                 '案卷|评查|*培训|宣传 + 行政处罚',
                                 '{6} 由 + '
                                 '执法部门|执法人员|执法机关|执法队员|审批部门|审批机关|行政机关|主管部门|本局|我局|本机关|机关|*局|*部门|*机关|*中队|*大队|*支队|*委员会|窗口工作人员 '
                                 '+ 依法|统一|负责|直接|自行 + 作出|出具|签发|下达|核发|审批|决定',
                                 '{5} 由 + '
                                 '执法部门|执法人员|执法机关|执法队员|审批部门|审批机关|行政机关|主管部门|本局|我局|本机关|机关|*局|*部门|*机关|*中队|*大队|*支队|*委员会|窗口工作人员 '
                                 '+ 作出|出具|签发|下达|核发|审批|决定|实施'])}}


def _move(apps, schema_editor, *, forward: bool):
    Item = apps.get_model("catalog", "NegativeListItem")
    for key, fields in CHANGES.items():
        item = Item.objects.filter(key=key, region__isnull=True).first()
        if item is None:
            continue
        changed = []
        for field, (before, after) in fields.items():
            old, new = (before, after) if forward else (after, before)
            if _value(getattr(item, field)) == _value(old):
                setattr(item, field, _value(new))
                changed.append(field)
        if changed:
            item.save(update_fields=changed)


def _value(v):
    # The data file keeps phrase lists as lists; the table as one pattern a line.
    return "\n".join(v) if isinstance(v, list) else (v or "")


def forwards(apps, schema_editor):
    _move(apps, schema_editor, forward=True)


def backwards(apps, schema_editor):
    _move(apps, schema_editor, forward=False)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
