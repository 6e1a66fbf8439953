"""Word lists of the demo company's opportunity-to-cash story (pure data, zh_CN): the product catalogue, the
kinds of deals a Guangxi telecom account team works on, competitors, reasons and notes."""

from __future__ import annotations

from dataclasses import dataclass

# (category, code, name, unit, list price in CNY, description)
CATEGORIES = ("无线", "传输", "数通", "云与软件", "服务")
PRODUCTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    (
        "无线",
        "WL-AAU64T",
        "5G AAU 有源天线单元 64T64R (3.5GHz)",
        "台",
        "168000.00",
        "Massive MIMO 宏站天线射频一体化单元",
    ),
    ("无线", "WL-BBU5G", "5G BBU 基带处理单元", "台", "96000.00", "支持 SA/NSA 双模，单框 3 × 100MHz 小区"),
    ("无线", "WL-RRU18", "4G RRU 射频拉远单元 (1.8GHz)", "台", "23500.00", "4T4R，用于 4G 容量补充"),
    ("无线", "WL-PICO5G", "5G 室内数字化皮站", "套", "12800.00", "含 pRRU、汇聚单元，适用于楼宇、场馆室分"),
    ("无线", "WL-RRU21", "4G RRU 射频拉远单元 (2.1GHz)", "台", "19800.00", "已停产，由 1.8GHz 型号替代"),
    ("传输", "TX-OTN96", "OTN 波分设备 (96 波, 骨干/汇聚)", "套", "1280000.00", "单波 400G，支持 OXC 光交叉"),
    ("传输", "TX-OLT10G", "10G PON OLT 光线路终端", "台", "215000.00", "XG(S)-PON/GPON Combo 板卡，16 槽"),
    ("传输", "TX-ONTWF6", "千兆光猫 ONT (XGS-PON, Wi-Fi 6)", "台", "320.00", "家庭千兆宽带终端"),
    ("传输", "TX-QSFP100", "100G QSFP28 光模块 (10km)", "个", "6800.00", "LR4，单模双纤"),
    ("传输", "TX-MWEB", "E-band 微波传输设备", "套", "45000.00", "10Gbps 微波回传，适用于铁塔与偏远站点"),
    ("数通", "DC-MR400", "城域核心路由器 (400GE)", "台", "860000.00", "城域网/IP RAN 核心层，单槽 14.4T"),
    ("数通", "DC-CS16", "数据中心核心交换机 (16 槽)", "台", "520000.00", "数据中心 Spine，支持 VXLAN/EVPN"),
    ("数通", "DC-AS48", "千兆接入交换机 (48 口)", "台", "8600.00", "园区接入，4 × 10GE 上行"),
    ("数通", "DC-FW10G", "下一代防火墙 (万兆)", "台", "78000.00", "含 IPS、防病毒 3 年特征库"),
    ("数通", "DC-AP6", "企业级 Wi-Fi 6 无线 AP", "个", "2300.00", "室内放装，双频 5.4Gbps"),
    ("云与软件", "SW-NMS", "网络管理与控制软件 (千网元许可)", "套", "420000.00", "统一网管、自动化开通与智能运维"),
    ("云与软件", "SW-CLOUD", "私有云平台软件许可 (每 CPU)", "套", "35000.00", "计算虚拟化、云管理平台"),
    ("云与软件", "SW-STOR1P", "分布式存储 (1PB 可用容量)", "套", "680000.00", "块/文件/对象三合一存储"),
    ("云与软件", "SW-SRV2U", "2U 双路机架服务器", "台", "52000.00", "2 × 32 核, 512GB 内存"),
    ("服务", "SV-INSTALL", "工程安装调测服务", "站", "3500.00", "单站安装、调测与开通"),
    ("服务", "SV-PLAN", "网络规划与优化服务", "人天", "2800.00", "规划、仿真、路测与参数优化"),
    ("服务", "SV-MAINT", "年度维保服务 (7×24)", "年", "120000.00", "备件先行、4 小时到场"),
    ("服务", "SV-TRAIN", "技术培训服务", "人天", "1600.00", "原厂认证讲师授课"),
)
RETIRED = "WL-RRU21"  # used on early deals, then made inactive (inactive products stay on old lines)


@dataclass(frozen=True)
class Deal:
    """A kind of deal: the name pattern, where it fits, its products (code, min, max quantity), competitors."""

    name: str
    fits: tuple[str, ...]  # customer kinds: prov / branch / tower / industry
    lines: tuple[tuple[str, int, int], ...]
    rivals: tuple[str, ...]


DEALS: tuple[Deal, ...] = (
    Deal("{short}5G无线网络扩容工程", ("prov", "branch"),
         (("WL-AAU64T", 12, 48), ("WL-BBU5G", 4, 16), ("SV-INSTALL", 12, 48), ("SV-PLAN", 20, 60)),
         ("中兴通讯", "爱立信", "诺基亚")),
    Deal("{short}4G/5G室内覆盖项目", ("branch", "tower"),
         (("WL-PICO5G", 40, 160), ("SV-INSTALL", 10, 40)), ("中兴通讯", "京信通信")),
    Deal("{short}4G容量补充工程", ("branch",),
         (("WL-RRU18", 20, 80), ("SV-INSTALL", 20, 80)), ("中兴通讯", "诺基亚")),
    Deal("{short}OTN波分扩容工程", ("prov", "branch"),
         (("TX-OTN96", 2, 5), ("TX-QSFP100", 40, 160), ("SV-INSTALL", 4, 12)), ("中兴通讯", "烽火通信", "中国信科")),
    Deal("{short}千兆光网(10G PON)升级项目", ("prov", "branch"),
         (("TX-OLT10G", 4, 20), ("TX-ONTWF6", 2000, 12000), ("SV-INSTALL", 4, 20)), ("中兴通讯", "烽火通信")),
    Deal("{short}IP城域网改造项目", ("prov", "branch"),
         (("DC-MR400", 2, 6), ("TX-QSFP100", 24, 96), ("SV-PLAN", 30, 90)), ("中兴通讯", "新华三", "诺基亚")),
    Deal("{short}网管系统升级项目", ("prov",), (("SW-NMS", 1, 2), ("SV-TRAIN", 10, 30)), ("中兴通讯", "亚信科技")),
    Deal("{short}年度网络维保服务", ("prov", "branch", "industry"), (("SV-MAINT", 1, 3), ("SV-PLAN", 10, 40)),
         ("中兴通讯", "中通服")),
    Deal("{short}微波回传扩容项目", ("tower", "branch"), (("TX-MWEB", 10, 50), ("SV-INSTALL", 10, 50)),
         ("中兴通讯", "爱立信")),
    Deal("{short}数据中心网络建设项目", ("industry",),
         (("DC-CS16", 2, 4), ("DC-AS48", 20, 80), ("DC-FW10G", 2, 6), ("SV-INSTALL", 2, 6)), ("新华三", "锐捷网络")),
    Deal("{short}园区网络改造项目", ("industry",), (("DC-AS48", 30, 160), ("DC-AP6", 100, 500), ("DC-FW10G", 1, 3)),
         ("新华三", "锐捷网络", "中兴通讯")),
    Deal("{short}私有云平台建设项目", ("industry", "prov"),
         (("SW-CLOUD", 20, 80), ("SW-SRV2U", 10, 40), ("SW-STOR1P", 1, 2), ("SV-PLAN", 20, 60)),
         ("新华三", "浪潮信息", "深信服")),
    Deal("{short}网络安全加固项目", ("industry",), (("DC-FW10G", 2, 10), ("SV-PLAN", 20, 60), ("SV-TRAIN", 5, 20)),
         ("新华三", "深信服", "奇安信")),
)  # fmt: skip

COMPETITOR_REMARKS = (
    "报价低于我方约 {pct}%，技术评分略低",
    "与客户网络部关系较好，重点做了高层拜访",
    "主推上一代产品，交付周期短",
    "本地有服务团队，强调响应速度",
    "方案演示效果好，客户技术组评价较高",
    "在该客户有存量设备，强调兼容与利旧",
)
CONTACT_ROLES = ("decision_maker", "approver", "evaluator", "influencer", "user", "initiator")

# Notes for closing moves: lost reason (zh name of the seeded list) → notes; invalid reasons likewise.
LOST_NOTES = {
    "价格": "{rival}最终报价低于我方约 {pct}%，客户按最低价中标",
    "技术方案": "客户技术组更认可{rival}的方案，我方方案评分落后",
    "关系": "{rival}与客户信息中心关系更深，我方高层拜访不足",
    "竞争对手": "{rival}以战略价格进入，承诺三年免费维保",
    "预算取消": "客户年度投资压缩，项目取消，明年再议",
    "需求变化": "客户改为租用运营商云资源，不再自建",
}
INVALID_NOTES = {
    "重复商机": "与同客户另一商机重复，已合并跟进",
    "需求不真实": "仅为询价摸底，无实际建设计划",
    "客户无预算": "客户今年无预算，待明年立项后重新跟进",
}
REJECT_COMMENT = "预付款比例低于公司要求（不低于 30%），请与客户重新谈判付款条件后再提交。"
VOID_REASON = "客户组织架构调整，签约主体变更，原合同作废后重新签订。"
PAYMENT_TERMS = (
    "合同签订后 30 日内支付 30% 预付款；设备到货后支付 40% 到货款；初验合格后支付 20% 验收款；终验一年后支付 10% 尾款。"
)
SERVICE_TERMS = "服务费按季度支付，每季度首月 15 日前支付当季费用。"
SITE_AREAS = ("城区片区", "县域片区", "乡镇片区")
APPROVE_COMMENTS = ("同意", "同意，注意回款节点", "同意。价格在授权范围内", "同意，请尽快安排交付")
SUBMIT_COMMENTS = ("客户已确认合同文本，请审批", "商务条款已与客户谈定", None)
NEEDS = ("年度", "二期", "新建", "扩容")
BUDGETS = ("已纳入投资计划", "预算待批", "已完成可研")
