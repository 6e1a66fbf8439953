"""Word lists for the demo company: people, departments, titles and follow-up note templates (zh_CN).

Pure data, no logic: :mod:`loam.demo.data` draws from these with a fixed seed.
"""

from __future__ import annotations

# Surnames with pinyin and a rough weight (common ones, plus names frequent in Guangxi: 韦 覃 莫 蓝 黎).
SURNAMES: list[tuple[str, str, int]] = [
    ("王", "wang", 20),
    ("李", "li", 20),
    ("张", "zhang", 18),
    ("刘", "liu", 15),
    ("陈", "chen", 14),
    ("杨", "yang", 9),
    ("黄", "huang", 9),
    ("赵", "zhao", 7),
    ("吴", "wu", 7),
    ("周", "zhou", 7),
    ("徐", "xu", 5),
    ("孙", "sun", 5),
    ("马", "ma", 5),
    ("朱", "zhu", 5),
    ("胡", "hu", 5),
    ("郭", "guo", 4),
    ("何", "he", 4),
    ("林", "lin", 4),
    ("罗", "luo", 4),
    ("高", "gao", 4),
    ("梁", "liang", 4),
    ("郑", "zheng", 3),
    ("谢", "xie", 3),
    ("宋", "song", 3),
    ("唐", "tang", 3),
    ("韦", "wei", 5),
    ("覃", "qin", 4),
    ("莫", "mo", 3),
    ("蓝", "lan", 2),
    ("黎", "li", 2),
    ("陆", "lu", 3),
    ("廖", "liao", 3),
    ("邓", "deng", 3),
    ("冯", "feng", 3),
    ("曾", "zeng", 3),
    ("彭", "peng", 3),
    ("蒋", "jiang", 3),
    ("蔡", "cai", 2),
    ("潘", "pan", 2),
    ("田", "tian", 2),
    ("董", "dong", 2),
    ("袁", "yuan", 2),
    ("余", "yu", 2),
    ("叶", "ye", 2),
    ("杜", "du", 2),
    ("苏", "su", 2),
    ("程", "cheng", 2),
    ("魏", "wei", 2),
    ("吕", "lv", 2),
    ("丁", "ding", 2),
    ("沈", "shen", 2),
    ("姚", "yao", 2),
    ("卢", "lu", 2),
    ("钟", "zhong", 2),
    ("谭", "tan", 2),
    ("龙", "long", 2),
    ("农", "nong", 1),
    ("欧阳", "ouyang", 1),
]

# Characters of given names, with pinyin (for e-mail addresses), split by the usual gender reading.
GIVEN_MALE: list[tuple[str, str]] = [
    ("伟", "wei"),
    ("强", "qiang"),
    ("磊", "lei"),
    ("军", "jun"),
    ("勇", "yong"),
    ("杰", "jie"),
    ("涛", "tao"),
    ("斌", "bin"),
    ("超", "chao"),
    ("明", "ming"),
    ("刚", "gang"),
    ("平", "ping"),
    ("辉", "hui"),
    ("鹏", "peng"),
    ("华", "hua"),
    ("飞", "fei"),
    ("鑫", "xin"),
    ("波", "bo"),
    ("宁", "ning"),
    ("健", "jian"),
    ("凯", "kai"),
    ("峰", "feng"),
    ("浩", "hao"),
    ("宇", "yu"),
    ("亮", "liang"),
    ("俊", "jun"),
    ("帆", "fan"),
    ("建", "jian"),
    ("国", "guo"),
    ("志", "zhi"),
    ("海", "hai"),
    ("东", "dong"),
    ("文", "wen"),
    ("德", "de"),
    ("成", "cheng"),
    ("荣", "rong"),
    ("新", "xin"),
    ("春", "chun"),
    ("永", "yong"),
    ("晓", "xiao"),
    ("嘉", "jia"),
    ("振", "zhen"),
    ("立", "li"),
    ("世", "shi"),
    ("卫", "wei"),
    ("光", "guang"),
    ("庆", "qing"),
    ("锋", "feng"),
    ("彬", "bin"),
]

GIVEN_FEMALE: list[tuple[str, str]] = [
    ("玉", "yu"),
    ("秀", "xiu"),
    ("英", "ying"),
    ("芳", "fang"),
    ("娟", "juan"),
    ("敏", "min"),
    ("静", "jing"),
    ("丽", "li"),
    ("艳", "yan"),
    ("霞", "xia"),
    ("燕", "yan"),
    ("红", "hong"),
    ("婷", "ting"),
    ("慧", "hui"),
    ("琳", "lin"),
    ("颖", "ying"),
    ("雪", "xue"),
    ("梅", "mei"),
    ("洁", "jie"),
    ("晶", "jing"),
    ("倩", "qian"),
    ("萍", "ping"),
    ("佳", "jia"),
    ("欣", "xin"),
    ("思", "si"),
    ("琦", "qi"),
]

# Executive titles: the first is the head of the customer.
EXECUTIVE_TITLES = {
    "telecom": ["总经理", "副总经理", "副总经理", "总工程师"],
    "government": ["局长", "副局长", "副局长", "总工程师"],
    "default": ["总经理", "副总经理", "副总经理", "总工程师"],
    "finance": ["行长", "副行长", "副行长", "首席信息官"],
    "education": ["校长", "副校长", "副校长", "党委副书记"],
    "healthcare": ["院长", "副院长", "副院长", "党委副书记"],
}

MIDDLE_TITLES = {
    "办公室": ["主任", "副主任"],
    "采购部": ["采购经理", "部门副经理"],
    "default_big": ["部门总经理", "部门副总经理"],
    "default": ["部门经理", "部门副经理"],
    "government": ["处长", "副处长"],
}

STAFF_TITLES = {
    "办公室": ["总经理秘书", "行政专员", "文秘", "司机"],
    "采购部": ["采购专员", "招标主管", "采购工程师"],
    "财务部": ["会计", "出纳", "财务主管"],
    "市场部": ["客户经理", "产品经理", "市场专员"],
    "政企客户部": ["客户经理", "解决方案经理", "行业经理"],
    "default": ["工程师", "高级工程师", "主管工程师", "网络工程师", "项目经理"],
}

PERSONALITIES = [
    "性格直爽，说话干脆，重视效率",
    "为人谨慎，做决定前会反复论证",
    "技术出身，喜欢深入讨论技术细节",
    "注重关系，重感情，喜欢面对面交流",
    "原则性强，对合规要求严格",
    "思路开阔，乐于尝试新技术",
    "较为强势，习惯主导会议节奏",
    "平易近人，愿意分享内部信息",
    "数据导向，汇报需准备详实数据",
    "低调务实，不喜欢过多应酬",
    "时间观念强，会议务必准时",
    "关注个人发展，希望项目出亮点",
]

PREFERENCES = [
    "喜欢打羽毛球",
    "爱好钓鱼",
    "喜欢喝普洱茶",
    "关注孩子教育，孩子今年高考",
    "喜欢徒步登山",
    "爱好摄影",
    "喜欢书法",
    "不喝酒，喜欢喝茶",
    "喜欢篮球，周末常打球",
    "爱好太极拳",
    "喜欢读历史类书籍",
    "关注健康养生",
    "喜欢自驾游",
    "爱好象棋",
    "喜欢游泳",
    "喜欢跑步，参加过南宁马拉松",
]

COMPETITORS = ["中兴", "烽火", "新华三", "锐捷", "诺基亚贝尔", "爱立信"]

TOPICS = {
    "telecom": [
        "5G专网扩容",
        "城域网升级改造",
        "OTN传送网扩容",
        "千兆光网FTTR部署",
        "数据中心DCI互联",
        "IP RAN扩容",
        "核心网云化",
        "政企专线",
        "算力网络",
        "无线网络优化",
        "5G-A试点",
        "基站节能改造",
        "骨干网扩容",
    ],
    "energy": ["电力调度数据网", "配电自动化通信", "变电站视频监控", "电力5G切片", "光纤通信网改造"],
    "transport": ["高速公路ETC门架通信", "隧道监控系统", "收费站网络改造", "智慧高速", "轨道交通通信系统"],
    "finance": ["数据中心网络", "同城灾备", "网点SD-WAN", "信创改造", "核心网络安全加固"],
    "government": ["电子政务外网", "政务云扩容", "雪亮工程", "数字政府平台", "城市大脑"],
    "manufacturing": ["工业互联网平台", "园区网络改造", "5G+智能工厂", "MES系统联网", "OT网络安全"],
    "education": ["智慧校园网", "数据中心建设", "校园无线覆盖", "科研云平台"],
    "healthcare": ["院区无线覆盖", "互联网医院平台", "数据中心建设", "医疗专网"],
    "default": ["园区网络改造", "数据中心建设", "网络安全加固", "云平台扩容"],
}

# {who} = the contact as addressed ("网络部王主任"), {topic}, {customer} (short name), {result}.
FOLLOWUP_TEMPLATES = {
    "visit": [
        "拜访{who}，交流{topic}需求，{result}。",
        "到{customer}拜访{who}，了解{topic}项目进展，{result}。",
        "陪同方案经理拜访{who}，汇报{topic}技术方案，{result}。",
        "拜访{who}，沟通{topic}项目的验收安排，{result}。",
    ],
    "call": [
        "电话沟通{who}，确认{topic}项目的预算安排，{result}。",
        "致电{who}，跟进{topic}招标进度，{result}。",
        "电话回访{who}，了解{topic}设备运行情况，{result}。",
    ],
    "meeting": [
        "参加{customer}{topic}项目启动会，{result}。",
        "与{who}召开{topic}方案评审会，{result}。",
        "组织{topic}技术交流会，{who}等参会，{result}。",
    ],
    "email": [
        "邮件发送{topic}方案建议书给{who}，{result}。",
        "邮件回复{who}关于{topic}的技术澄清问题，{result}。",
    ],
    "reception": [
        "接待{who}一行参观南宁展厅，演示{topic}解决方案，{result}。",
        "接待{who}到公司总部交流{topic}，{result}。",
    ],
    "wechat": [
        "微信与{who}沟通{topic}需求细节，{result}。",
        "微信向{who}发送{topic}案例资料，{result}。",
    ],
}

RESULTS = [
    "客户认可我方方案，要求下周提交详细报价",
    "客户关注建设成本，需补充TCO分析",
    "客户表示年内有预算，计划三季度启动招标",
    "{competitor}近期也做过交流，需加强高层沟通",
    "获取到明年网络建设规划的初步信息",
    "客户对上期项目交付进度有意见，需协调交付团队改进",
    "客户希望安排样板点参观",
    "对方提出需要先做POC测试",
    "客户内部还在论证，预计下月有结论",
    "客户对售后响应速度比较满意",
    "客户要求补充同类项目案例",
    "项目已列入年度投资计划",
    "采购方式初步定为公开招标",
    "客户关心国产化替代要求的满足情况",
    "客户对{competitor}的报价比较关注，需做好价格应对",
]

NEXT_STEPS = [
    "提交技术方案初稿",
    "安排专家技术交流",
    "邀请客户参观样板点",
    "跟进招标文件发布",
    "准备高中低三套报价",
    "协调交付经理确认到货时间",
    "约部门总经理汇报方案",
    "发送测试报告",
    "准备POC测试环境",
    "整理会议纪要并发客户确认",
    "跟进合同审批进度",
    "安排高层拜访",
    "补充同类项目案例材料",
    "跟进回款计划",
]

# kind: weight
FOLLOWUP_KINDS = {"visit": 30, "call": 25, "wechat": 18, "meeting": 12, "email": 10, "reception": 5}

LEAD_REMARKS = {
    "exhibition": "在中国—东盟博览会上交换名片，关注{topic}",
    "referral": "由老客户推荐，有{topic}需求",
    "website": "官网留言咨询{topic}方案",
    "phone": "来电咨询{topic}，希望尽快安排交流",
    "campaign": "参加我司{topic}线上研讨会后留资",
    "bid": "在招标网看到{topic}项目预告",
    "partner": "合作伙伴推荐，{topic}项目处于规划阶段",
    "other": "朋友介绍认识，初步了解{topic}需求",
}

LEAD_TITLES = ["信息中心主任", "技术负责人", "采购经理", "副总经理", "网络工程师", "项目经理", "IT经理", "总工程师"]

LEAD_FOLLOWUPS = [
    "电话初步沟通，了解{topic}的需求背景，客户愿意安排面谈。",
    "微信发送{topic}方案介绍资料，客户表示会内部传阅。",
    "上门拜访，客户介绍了{topic}的初步规划，预算待定。",
    "电话回访，客户暂无明确需求，约定下季度再沟通。",
]
