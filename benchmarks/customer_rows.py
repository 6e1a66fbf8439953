"""Realistic customer rows for the benchmarks and for the tests' 10,000-row correctness runs: Chinese
company names with 10 % duplicates (same name or same phone as an earlier row), mobiles, emails, industry,
level, province, city, address, source, owner login, created date and a remark. No side effects."""

from __future__ import annotations

import random
from datetime import date, timedelta

HEADER = [
    "客户名称",
    "电话",
    "邮箱",
    "客户行业",
    "客户级别",
    "省份",
    "城市",
    "详细地址",
    "客户来源",
    "负责人",
    "创建时间",
    "备注",
]
PROVINCES = {
    "广西": ["南宁", "柳州", "桂林", "河池", "百色", "玉林"],
    "广东": ["广州", "深圳", "佛山", "东莞"],
    "云南": ["昆明", "大理", "曲靖"],
}
KINDS = [
    "电信分公司",
    "移动分公司",
    "联通分公司",
    "供电局",
    "高速公路有限公司",
    "城商行支行",
    "制造股份有限公司",
    "科技有限公司",
]
INDUSTRIES = ["电信运营商", "能源与公用事业", "金融", "交通运输", "制造业", "互联网"]
LEVELS = ["重点客户", "普通客户", "非优先客户"]
SOURCES = ["展会", "转介绍", "网站", "电话咨询", "市场活动"]
OWNERS = ["ar1", "ar2", "sr1", "fr1", "director"]


def rows(n: int):
    rnd = random.Random(42)
    start = date(2019, 1, 1)
    names: list[str] = []
    phones: list[str] = []
    for i in range(n):
        province = rnd.choice(list(PROVINCES))
        city = rnd.choice(PROVINCES[province])
        name = f"{province}{city}{rnd.choice(KINDS)}{i:07d}"
        phone = f"1{rnd.choice('3456789')}{rnd.randrange(10**9):09d}"
        if names and rnd.random() < 0.10:  # a duplicate of an earlier row: same name or same phone
            k = rnd.randrange(len(names))
            if rnd.random() < 0.5:
                name = names[k]
            else:
                phone = phones[k]
        if i % 10 == 0 or len(names) < 10_000:
            names.append(name)
            phones.append(phone)
        yield [
            name,
            phone,
            f"contact{i}@example{i % 97}.com",
            rnd.choice(INDUSTRIES),
            rnd.choice(LEVELS),
            province,
            city,
            f"{city}市青秀区民族大道{rnd.randrange(1, 999)}号",
            rnd.choice(SOURCES),
            rnd.choice(OWNERS),
            (start + timedelta(days=rnd.randrange(2500))).isoformat(),
            "" if rnd.random() < 0.7 else "年度框架采购",
        ]
