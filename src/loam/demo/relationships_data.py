"""Word lists of the demo company's relationships story (pure data, zh_CN): who the four story customers are,
the evidence of stage changes, intelligence, checklist evidence, pairing notes and the scenario each kind of
follow-up usually follows."""

from __future__ import annotations

# The four customers of the story (loam.demo.relationships): by name, as loam.demo.companies spells them.
IMPROVES = "中国电信股份有限公司广西分公司"  # ar1: from acquaintance to trust over the year
DECAYS = "中国移动通信集团广东有限公司"  # ar1: lively a year ago, silent for five months
SINGLE_THREAD = "中国联合网络通信有限公司昆明市分公司"  # ar2 alone, with a big 5G deal open
RED_TO_GREEN = "中国电信股份有限公司贵州分公司"  # the director's 10G PON deal: its power map turns green

# Competitors a contact may lean towards, when the customer's deals name none.
RIVALS = {"telecom": ("中兴通讯", "烽火通信", "爱立信"), "other": ("新华三", "锐捷网络", "深信服")}

# Evidence that the exit test of the stage below was passed, by the stage reached.
EVIDENCE = {
    2: (
        "参加了我司{topic}技术交流会，会后主动介绍了现网的主要痛点",
        "到深圳总部参观展厅和样板点后，对我方方案评价积极",
        "邀请我们参与{topic}需求调研，讲了今年的建设重点",
        "春节前拜访，介绍了今年{topic}的投资方向和时间表",
    ),
    3: (
        "私下提供了{topic}招标技术规范的初稿，请我方提前准备",
        "据其下属反馈，在内部评审会上为我方方案说了话",
        "告知了预算批复进度和竞争对手的报价区间",
        "主动约我们复盘上一期项目的问题，坦诚讲了对各家厂商的看法",
    ),
    4: (
        "指导我们调整投标策略，提醒了竞争对手的低价动向",
        "在总经理办公会上力推我方{topic}方案",
        "主动为我们安排与决策者的单独汇报",
    ),
}
DOWN = (
    "新领导到任后与我们接触明显减少，态度转为观望",
    "对上次交付延期意见很大，近期不愿多谈",
    "近期与竞争对手走得较近，我方信息获取困难",
)

ORIENTATIONS = (
    "重技术先进性与演进能力",
    "重价格与总体拥有成本",
    "重交付保障与服务响应",
    "求稳，重风险控制",
    "重与集团战略的一致性",
    "重本地化服务与属地贡献",
)

RISING_PLANS = (
    "每季度安排一次技术交流，推荐参加原厂高级认证培训，邀请参加年度用户大会",
    "请其参与联合创新项目，安排总部参观，由方案经理定期分享行业案例",
    "年轻骨干、业务能力强：安排与我方同龄技术专家结对交流，关注其岗位变动",
)

# Intelligence: (kind, content). {who} a contact, {topic} a topic of the customer, {rival} a competitor.
INTEL_PROJECT = (
    "客户计划年底前启动{topic}项目招标，可研已通过内部评审",
    "{topic}项目已列入明年投资计划，预计一季度立项",
    "客户正在做{topic}的现网测试，计划邀请三家厂商参与",
)
INTEL_BUDGET = (
    "今年{topic}预算约 {amount} 万元，已报上级公司审批",
    "下半年投资计划压缩约 15%，部分新建项目延后到明年",
)
INTEL_PERSON = (
    "{who}重视方案的节能指标，喜欢看实测数据而不是宣传材料",
    "{who}周末常打羽毛球，可以安排交流活动",
    "{who}对上一期项目的交付进度意见较大，沟通时需先讲改进措施",
    "{who}技术出身，决策前一定会听取总工程师的意见",
)
INTEL_RIVAL = (
    "{rival}本月做了高层拜访，承诺免费提供试点设备",
    "{rival}在上一轮报价中降价约 {pct}%，并承诺三年免费维保",
    "{rival}在现网部署了测试设备，技术组评价一般",
    "{rival}邀请客户技术骨干参加其研发中心参观",
)

# Organisational checklist evidence, by item key.
MARKS = {
    "strategic_agreement": "双方签署《战略合作框架协议》，覆盖无线、传输与数通领域",
    "exec_meetings": "过去一年举行了 {n} 次高层会晤，纪要见跟进记录",
    "exec_pairing": "客户{who}与我方王建国总监保持定期对口交流",
    "joint_innovation": "联合创新实验室已挂牌，开展 5G-A 与算力网络联合测试",
    "joint_plan": "双方共同制定年度联合经营计划，按季度回顾",
    "summit": "客户高层出席我司年度生态大会并作主题发言",
    "satisfaction": "年度满意度调查完成，提出的改进项均已闭环",
    "crisis": "台风期间我方 48 小时内恢复核心站点，客户发来感谢信",
}
AGREEMENT_SCOPES = {"1.00": "（集团级）", "0.70": "（省级）", "0.40": "（项目级）"}

PAIRING_REMARK = "高层对口：总监层面每季度至少会晤一次"
TECH_PAIRING_REMARK = "技术对口：方案经理与总工程师每两个月交流一次"
MEETING_SUMMARIES = (
    "就明年网络规划与合作方向交换意见",
    "回顾本年度合作项目，确认下一阶段重点",
    "介绍我司最新技术路标，邀请参加年度生态大会",
    "沟通重大项目进展与交付保障",
)

# The scenario (loam.relationships scenario catalogue code) a follow-up of a kind usually followed.
SCENARIO_OF_KIND = {
    "visit": ("daily_visit", "daily_visit", "executive_visit", "tech_exchange"),
    "meeting": ("tech_exchange", "onsite_meeting", "mgmt_seminar"),
    "reception": ("hq_visit", "reference_site", "hospitality"),
}

# The improving customer's new follow-ups: (kind, scenario, content, departments met, with whom on our side).
GROWTH = (
    ("visit", "daily_visit", "拜访{who}，了解今年网络建设重点和采购计划", ("网络部",), ()),
    ("meeting", "tech_exchange", "组织5G-A技术交流会，{who}等参会，会后索要了详细方案", ("网络部", "技术部"),
     ("sr1",)),
    ("visit", "executive_visit", "陪同王建国总监拜访{who}，沟通双方高层对口合作", ("公司领导",), ("director",)),
    ("meeting", "onsite_meeting", "在客户现场召开传输网扩容需求澄清会，{who}参会", ("运维部", "工程部"), ("sr1",)),
    ("visit", "daily_visit", "与交付经理一起拜访{who}，沟通到货与验收付款节点", ("财务部", "采购部"), ("fr1",)),
    ("reception", "reference_site", "接待{who}一行参观南宁样板点，现场演示节能方案", ("网络部", "云网运营部"),
     ("sr1",)),
    ("meeting", "mgmt_seminar", "联合举办数字化转型管理研讨会，{who}等参会", ("公司领导", "市场部", "政企客户部"),
     ("director",)),
    ("visit", "daily_visit", "拜访{who}，同步联合经营计划的季度进展", ("市场部", "办公室"), ()),
    ("meeting", "tech_exchange", "与{who}召开算力网络方案评审会", ("技术部", "云网运营部", "网络部"), ("sr1",)),
    ("reception", "summit", "接待{who}出席我司年度生态大会", ("公司领导", "网络部"), ("director",)),
    ("visit", "daily_visit", "拜访{who}，沟通明年框架采购的商务条件", ("采购部", "财务部"), ("fr1",)),
    ("meeting", "customer_forum", "召开年度客户满意度回访座谈会，{who}等参会", ("运维部", "办公室", "工程部"),
     ("sr1", "fr1")),
)  # fmt: skip
