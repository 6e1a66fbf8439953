"""The demo company's market: provinces, cities, operators and industry customers (pure data)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class City:
    short: str  # 南宁
    full: str  # 南宁市
    area_code: str  # 0771


@dataclass(frozen=True)
class Province:
    short: str  # 广西
    full: str  # 广西壮族自治区
    code: str  # GX
    cities: tuple[City, ...]


def _cities(spec: str) -> tuple[City, ...]:
    """ "南宁:南宁市:0771 柳州:柳州市:0772" → cities."""
    out = []
    for item in spec.split():
        short, full, code = item.split(":")
        out.append(City(short, full, code))
    return tuple(out)


PROVINCES: tuple[Province, ...] = (
    Province(
        "广西",
        "广西壮族自治区",
        "GX",
        _cities(
            "南宁:南宁市:0771 柳州:柳州市:0772 桂林:桂林市:0773 梧州:梧州市:0774 北海:北海市:0779 "
            "防城港:防城港市:0770 钦州:钦州市:0777 贵港:贵港市:0775 玉林:玉林市:0775 百色:百色市:0776 "
            "贺州:贺州市:0774 河池:河池市:0778 来宾:来宾市:0772 崇左:崇左市:0771"
        ),
    ),
    Province(
        "广东",
        "广东省",
        "GD",
        _cities(
            "广州:广州市:020 深圳:深圳市:0755 佛山:佛山市:0757 东莞:东莞市:0769 珠海:珠海市:0756 "
            "汕头:汕头市:0754 湛江:湛江市:0759 茂名:茂名市:0668 江门:江门市:0750 惠州:惠州市:0752"
        ),
    ),
    Province(
        "云南",
        "云南省",
        "YN",
        _cities(
            "昆明:昆明市:0871 曲靖:曲靖市:0874 玉溪:玉溪市:0877 大理:大理白族自治州:0872 "
            "红河:红河哈尼族彝族自治州:0873 丽江:丽江市:0888 保山:保山市:0875 昭通:昭通市:0870"
        ),
    ),
    Province(
        "贵州",
        "贵州省",
        "GZ",
        _cities(
            "贵阳:贵阳市:0851 遵义:遵义市:0851 六盘水:六盘水市:0858 安顺:安顺市:0851 毕节:毕节市:0857 "
            "铜仁:铜仁市:0856 黔东南:黔东南苗族侗族自治州:0855 黔南:黔南布依族苗族自治州:0854"
        ),
    ),
    Province(
        "湖南",
        "湖南省",
        "HN",
        _cities(
            "长沙:长沙市:0731 株洲:株洲市:0731 湘潭:湘潭市:0731 衡阳:衡阳市:0734 岳阳:岳阳市:0730 "
            "常德:常德市:0736 郴州:郴州市:0735 怀化:怀化市:0745"
        ),
    ),
)

# Guangxi cities handled by team 1 (李明, ar1); the others by team 2 (张伟, ar2).
GX_TEAM1_CITIES = {"南宁", "北海", "防城港", "钦州", "贵港", "玉林", "百色", "崇左"}
# The big city branches are tier A / key accounts.
BIG_CITIES = {"南宁", "柳州", "桂林", "广州", "深圳", "昆明", "贵阳", "长沙"}


@dataclass(frozen=True)
class Operator:
    code: str  # CT / CM / CU
    short: str  # 电信
    website: str

    def provincial(self, p: Province) -> str:
        if self.code == "CT":
            return f"中国电信股份有限公司{p.short}分公司"
        if self.code == "CM":
            return f"中国移动通信集团{p.short}有限公司"
        return f"中国联合网络通信有限公司{p.full}分公司"

    def branch(self, p: Province, c: City) -> str:
        if self.code == "CT":
            return f"中国电信股份有限公司{c.short}分公司"
        if self.code == "CM":
            return f"中国移动通信集团{p.short}有限公司{c.short}分公司"
        return f"中国联合网络通信有限公司{c.full}分公司"


OPERATORS = (
    Operator("CT", "电信", "www.189.cn"),
    Operator("CM", "移动", "www.10086.cn"),
    Operator("CU", "联通", "www.10010.com"),
)


@dataclass(frozen=True)
class Industrial:
    name: str
    short: str
    industry: str
    province: str  # short name of the province
    city: str  # short name of the city
    tier: str


def _industrial(rows: str) -> tuple[Industrial, ...]:
    out = []
    for line in rows.strip().splitlines():
        name, short, industry, province, city, tier = line.split("|")
        out.append(Industrial(name.strip(), short, industry, province, city, tier))
    return tuple(out)


INDUSTRY_CUSTOMERS = _industrial(
    """
    广西电网有限责任公司|广西电网|energy|广西|南宁|S
    广西电网有限责任公司南宁供电局|南宁供电局|energy|广西|南宁|A
    广西电网有限责任公司柳州供电局|柳州供电局|energy|广西|柳州|B
    广西电网有限责任公司桂林供电局|桂林供电局|energy|广西|桂林|B
    广西电网有限责任公司河池供电局|河池供电局|energy|广西|河池|B
    广西电网有限责任公司百色供电局|百色供电局|energy|广西|百色|B
    广西电网有限责任公司玉林供电局|玉林供电局|energy|广西|玉林|B
    广西电网有限责任公司钦州供电局|钦州供电局|energy|广西|钦州|C
    云南电网有限责任公司|云南电网|energy|云南|昆明|A
    贵州电网有限责任公司|贵州电网|energy|贵州|贵阳|A
    广西投资集团有限公司|广西投资集团|energy|广西|南宁|A
    国家电投集团广西电力有限公司|国家电投广西公司|energy|广西|南宁|B
    广西桂冠电力股份有限公司|桂冠电力|energy|广西|南宁|B
    中国石化销售股份有限公司广西石油分公司|广西石油|energy|广西|南宁|B
    华润电力（贺州）有限公司|华润贺州电厂|energy|广西|贺州|C
    广西交通投资集团有限公司|广西交投|transport|广西|南宁|A
    广西北部湾投资集团有限公司|北投集团|transport|广西|南宁|A
    广西新发展交通集团有限公司|新发展交通集团|transport|广西|南宁|B
    广西北部湾国际港务集团有限公司|北港集团|transport|广西|南宁|A
    南宁轨道交通集团有限责任公司|南宁轨道|transport|广西|南宁|B
    广西机场管理集团有限责任公司|广西机场集团|transport|广西|南宁|B
    云南省交通投资建设集团有限公司|云南交投|transport|云南|昆明|B
    贵州高速公路集团有限公司|贵州高速|transport|贵州|贵阳|B
    湖南省高速公路集团有限公司|湖南高速|transport|湖南|长沙|B
    广东省交通集团有限公司|广东交通集团|transport|广东|广州|A
    中国铁路南宁局集团有限公司|南宁铁路局|transport|广西|南宁|B
    广西北部湾银行股份有限公司|北部湾银行|finance|广西|南宁|A
    桂林银行股份有限公司|桂林银行|finance|广西|桂林|A
    柳州银行股份有限公司|柳州银行|finance|广西|柳州|B
    广西农村信用社联合社|广西农信|finance|广西|南宁|B
    贵阳银行股份有限公司|贵阳银行|finance|贵州|贵阳|B
    富滇银行股份有限公司|富滇银行|finance|云南|昆明|B
    长沙银行股份有限公司|长沙银行|finance|湖南|长沙|B
    广西金融投资集团有限公司|广西金投|finance|广西|南宁|C
    中国工商银行股份有限公司广西壮族自治区分行|工行广西分行|finance|广西|南宁|B
    国海证券股份有限公司|国海证券|finance|广西|南宁|C
    广西壮族自治区大数据发展局|自治区大数据局|government|广西|南宁|A
    南宁市大数据发展局|南宁大数据局|government|广西|南宁|B
    柳州市大数据发展局|柳州大数据局|government|广西|柳州|B
    桂林市大数据发展局|桂林大数据局|government|广西|桂林|C
    广西壮族自治区公安厅|自治区公安厅|government|广西|南宁|A
    南宁市公安局|南宁市公安局|government|广西|南宁|B
    广西壮族自治区人民政府办公厅|自治区政府办公厅|government|广西|南宁|B
    数字广西集团有限公司|数字广西集团|government|广西|南宁|A
    南宁市行政审批局|南宁市行政审批局|government|广西|南宁|C
    上汽通用五菱汽车股份有限公司|上汽通用五菱|manufacturing|广西|柳州|A
    广西柳工机械股份有限公司|柳工|manufacturing|广西|柳州|A
    广西玉柴机器集团有限公司|玉柴|manufacturing|广西|玉林|A
    广西柳州钢铁集团有限公司|柳钢|manufacturing|广西|柳州|B
    东风柳州汽车有限公司|东风柳汽|manufacturing|广西|柳州|B
    广西南南铝加工有限公司|南南铝|manufacturing|广西|南宁|C
    广西汽车集团有限公司|广西汽车集团|manufacturing|广西|柳州|B
    桂林三金药业股份有限公司|三金药业|manufacturing|广西|桂林|C
    广西金川有色金属有限公司|金川有色|manufacturing|广西|防城港|C
    广西糖业集团有限公司|广西糖业集团|manufacturing|广西|南宁|C
    广西大学|广西大学|education|广西|南宁|B
    桂林电子科技大学|桂电|education|广西|桂林|B
    广西中医药大学|广西中医药大学|education|广西|南宁|C
    广西医科大学第一附属医院|医科大一附院|healthcare|广西|南宁|B
    广西壮族自治区人民医院|区人民医院|healthcare|广西|南宁|B
    柳州市工人医院|柳州工人医院|healthcare|广西|柳州|C
    """
)

# Prospects for leads: companies that are not customers yet.
LEAD_COMPANIES = _industrial(
    """
    南宁城市建设投资集团有限责任公司|南宁城投|government|广西|南宁|B
    柳州市城市投资建设发展有限公司|柳州城投|government|广西|柳州|B
    广西旅游发展集团有限公司|广西旅发集团|other|广西|南宁|B
    北部湾港股份有限公司|北部湾港|transport|广西|钦州|A
    桂林旅游股份有限公司|桂林旅游|other|广西|桂林|C
    广西壮族自治区水利厅|自治区水利厅|government|广西|南宁|B
    南宁市第一人民医院|南宁一院|healthcare|广西|南宁|C
    桂林医学院附属医院|桂医附院|healthcare|广西|桂林|C
    广西民族大学|广西民族大学|education|广西|南宁|C
    广西师范大学|广西师大|education|广西|桂林|C
    广西交通职业技术学院|广西交职院|education|广西|南宁|C
    玉林市大数据发展局|玉林大数据局|government|广西|玉林|C
    钦州市大数据发展局|钦州大数据局|government|广西|钦州|C
    北海市大数据发展局|北海大数据局|government|广西|北海|C
    广西西江开发投资集团有限公司|西江集团|transport|广西|南宁|B
    广西林业集团有限公司|广西林业集团|manufacturing|广西|南宁|C
    广西华昇新材料有限公司|华昇新材料|manufacturing|广西|防城港|C
    柳州五菱汽车工业有限公司|五菱工业|manufacturing|广西|柳州|B
    广西盛隆冶金有限公司|盛隆冶金|manufacturing|广西|防城港|C
    广西广电网络科技发展有限公司|广西广电网络|telecom|广西|南宁|B
    中国广电广西网络股份有限公司|广西广电|telecom|广西|南宁|A
    云南云电同方科技有限公司|云电同方|energy|云南|昆明|C
    贵州乌江水电开发有限责任公司|乌江水电|energy|贵州|贵阳|B
    湖南省水运建设投资集团有限公司|湖南水运集团|transport|湖南|长沙|C
    广东省广晟控股集团有限公司|广晟集团|manufacturing|广东|广州|B
    """
)

LEAD_PREFIXES = ["南宁", "柳州", "桂林", "钦州", "北海", "玉林", "梧州", "百色", "贵港", "河池"]
LEAD_WORDS = ["智慧", "数字", "云网", "信创", "物联", "新能源", "文旅", "水务", "港航", "数智", "华信", "东盟"]
LEAD_SUFFIXES = ["科技有限公司", "信息技术有限公司", "数据科技有限公司", "网络科技有限公司", "产业发展有限公司"]

ROADS = ["人民路", "解放路", "中山路", "建设路", "长江路", "新华路", "朝阳路", "民主路", "友谊路", "环城路", "高新大道"]
