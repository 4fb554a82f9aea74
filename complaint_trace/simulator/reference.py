"""Reference data that makes the feeds look like Guangdong: districts, names, mixes, texts.

Mixes are (values, weights) pairs; weights need not sum to 1 (they are normalised on use).
"""

from __future__ import annotations

import numpy as np

# (district, latitude, longitude, share of cells): Guangdong's busiest districts.
DISTRICTS: tuple[tuple[str, float, float, float], ...] = (
    ("广州市天河区", 23.125, 113.361, 9), ("广州市越秀区", 23.129, 113.267, 6),
    ("广州市海珠区", 23.084, 113.317, 6), ("广州市白云区", 23.158, 113.273, 7),
    ("广州市番禺区", 22.938, 113.384, 6), ("深圳市南山区", 22.533, 113.930, 8),
    ("深圳市福田区", 22.541, 114.055, 7), ("深圳市宝安区", 22.555, 113.884, 8),
    ("深圳市龙岗区", 22.721, 114.247, 7), ("东莞市南城街道", 23.012, 113.752, 6),
    ("佛山市南海区", 23.029, 113.143, 6), ("佛山市顺德区", 22.805, 113.293, 5),
    ("珠海市香洲区", 22.271, 113.543, 4), ("惠州市惠城区", 23.111, 114.416, 4),
    ("中山市石岐区", 22.521, 113.382, 3), ("江门市蓬江区", 22.596, 113.078, 3),
    ("汕头市金平区", 23.366, 116.703, 2), ("湛江市赤坎区", 21.273, 110.359, 2),
)
LANDMARKS = (
    "体育中心", "珠江新城", "科技园", "火车站", "人民医院", "万达广场", "城中村", "工业园",
    "大学城", "地铁站", "汽车站", "步行街", "高铁站", "商业中心", "花园小区", "市政府",
    "滨江路", "中学", "物流园", "会展中心",
)
SURNAMES = "陈李黄张梁林刘吴罗杨郑何谢邓冯曾朱蔡许彭"
GIVEN = ("伟", "芳", "敏", "静", "丽", "强", "磊", "洋", "艳", "勇", "军", "杰", "娟", "涛",
         "明", "超", "秀英", "志强", "嘉欣", "俊杰", "晓玲", "子轩", "梓涵", "浩然")
COMPANIES = ("广州白云物流有限公司", "深圳南山科技股份有限公司", "东莞长安电子厂",
             "佛山顺德家电集团", "珠海港务有限公司", "广东粤海贸易有限公司")
PLAN_CODES = ("4G-58", "4G-88", "5G-128", "5G-198", "5G-298", "ENT-5G-588", "KING-CARD-19")

SITE_TYPES = (("macro", "micro", "indoor", "pico"), (60, 20, 15, 5))
RAT_5G_SHARE = 0.35
TIER_MIX = (("platinum", "gold", "silver", "standard"), (5, 12, 23, 60))
SEGMENT_MIX = (("individual", "enterprise"), (90, 10))
PRIORITY_MIX = (("urgent", "high", "normal", "low"), (5, 20, 60, 15))
TICKET_CHANNEL_MIX = (("hotline", "app", "web", "store", "account_manager", "regulator"),
                      (55, 20, 8, 7, 8, 2))
CONTACT_CHANNEL_MIX = (("hotline", "app", "web", "store", "account_manager"), (60, 20, 8, 7, 5))
FAMILY_MIX = (("network", "billing", "service", "product"), (70, 15, 10, 5))
KINDS = {
    "network": (("coverage", "data_speed", "call_drop", "no_service", "call_quality"),
                (25, 35, 15, 10, 15)),
    "billing": (("dispute", "overcharge", "refund"), (40, 40, 20)),
    "service": (("attitude", "waiting_time", "store_service"), (40, 40, 20)),
    "product": (("plan_change", "roaming", "value_added"), (40, 30, 30)),
}
# closure codes background tickets get, per family (network tickets mostly claim a fix)
CLOSURE_MIX = {
    "network": (("network_fixed", "network_optimized", "coverage_planned", "no_fault_found",
                 "explained", "customer_unreachable"), (35, 20, 15, 15, 10, 5)),
    "billing": (("billing_adjusted", "explained", "no_fault_found", "customer_unreachable"),
                (50, 35, 10, 5)),
    "service": (("explained", "no_fault_found", "customer_unreachable"), (70, 25, 5)),
    "product": (("explained", "billing_adjusted", "no_fault_found"), (60, 25, 15)),
}
DEPARTMENTS = {
    "intake": "10086客服中心",
    "network": "网络优化中心",
    "billing": "计费结算中心",
    "service": "客户服务部",
    "product": "市场产品部",
    "field": "区县网络维护部",
}
ALARM_TYPES = (("cell_out_of_service", "transmission_failure", "power_failure", "vswr_high",
                "high_temperature"), (20, 25, 15, 25, 15))
BACKGROUND_SEVERITY = (("critical", "major", "minor", "warning"), (8, 22, 35, 35))

DESCRIPTIONS = {
    "network": ('客户反映在{d}{l}附近手机信号差，"4G/5G图标经常消失"，'
                '上网很慢，\n已重启手机仍无改善。',
                '用户称家中（{d}）通话经常掉线，"说两句就断"，要求尽快处理，\n另：晚上8点后最严重。',
                '{d}{l}一带无服务，客户说"完全打不出电话"，影响工作，情绪激动。'),
    "billing": ('客户对本月账单有异议，称"流量包已订购，却仍被扣费"，要求退费。',
                '用户反映话费异常，多扣了38.5元，\n要求核查并说明原因。'),
    "service": ('客户投诉营业厅({d})等候时间过长，"排队一个多小时"，服务态度差。',
                '用户反映热线多次转接，问题未解决，要求回电。'),
    "product": ('客户办理套餐变更未生效，称"承诺次月生效，结果还是旧套餐"。',
                '用户反映国际漫游开通后无法使用，\n人在香港，急需处理。'),
}
NOTES = ("已联系客户，说明处理进度", "派单至网络优化中心，请核查{l}站点",
         "现场测试，\"信号强度-105dBm\"",
         "等待客户确认时间，客户称\"明天再说\"", "已处理，请客户观察，\n如有问题再联系")


def pick(rng: np.random.Generator, mix: tuple[tuple[str, ...], tuple[float, ...]],
         size: int) -> np.ndarray:
    """Draw `size` values from a (values, weights) mix as an object array."""
    values, weights = mix
    p = np.asarray(weights, dtype=float)
    return np.asarray(values, dtype=object)[rng.choice(len(values), size=size, p=p / p.sum())]


def person_names(rng: np.random.Generator, size: int) -> np.ndarray:
    surnames = np.array(list(SURNAMES), dtype=object)[rng.integers(0, len(SURNAMES), size)]
    given = np.array(GIVEN, dtype=object)[rng.integers(0, len(GIVEN), size)]
    return surnames + given


def msisdns(rng: np.random.Generator, size: int) -> np.ndarray:
    """Distinct 11-digit Chinese mobile numbers (13x / 15x / 18x)."""
    prefixes = np.array([130, 131, 132, 135, 136, 137, 138, 139, 150, 151, 152, 157, 158, 159,
                         182, 183, 185, 186, 187, 188], dtype=np.int64)
    numbers = prefixes[rng.integers(0, len(prefixes), size)] * 10**8 + rng.choice(
        10**8, size=size, replace=False)
    return numbers.astype(str).astype(object)
