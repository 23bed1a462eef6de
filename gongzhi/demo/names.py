"""Made-up but realistic Chinese names, mobile numbers and ID numbers from a seeded RNG.

Everything here is a pure function of the ``random.Random`` passed in, so the same seed
gives the same people on every machine.
"""

import random
from bisect import bisect
from itertools import accumulate
from operator import mul


def words(text: str) -> list[str]:
    """A table written as space-separated words (easier to read than a list of literals)."""
    return text.split()


# Surnames with their rough share of the population (%), most frequent first.
_SURNAME_SHARES = words("""
王 7.1 李 7.0 张 6.7 刘 5.4 陈 4.5 杨 3.1 黄 2.5 赵 2.3 吴 2.0 周 1.9 徐 1.7 孙 1.5 马 1.5
朱 1.3 胡 1.3 郭 1.2 何 1.2 林 1.1 罗 1.1 高 1.1 郑 1.0 梁 1.0 谢 0.9 宋 0.8 唐 0.8 许 0.8
韩 0.7 邓 0.7 冯 0.7 曹 0.7 彭 0.7 曾 0.6 肖 0.6 田 0.6 董 0.5 潘 0.5 袁 0.5 蔡 0.5 蒋 0.5
余 0.5 于 0.5 杜 0.5 叶 0.4 程 0.4 魏 0.4 苏 0.4 吕 0.4 丁 0.4 任 0.4 卢 0.4 姚 0.4 沈 0.4
钟 0.3 姜 0.3 崔 0.3 谭 0.3 陆 0.3 范 0.3 汪 0.3 廖 0.3 石 0.3 金 0.3 韦 0.3 贾 0.3 夏 0.3
付 0.3 方 0.3 邹 0.2 熊 0.2 白 0.2 孟 0.2 秦 0.2 邱 0.2 侯 0.2 江 0.2 尹 0.2 薛 0.2 闫 0.2
段 0.2 雷 0.2 龙 0.2 黎 0.2 史 0.2 陶 0.2 贺 0.2 毛 0.2 郝 0.2 顾 0.2 龚 0.2 邵 0.2 万 0.1
覃 0.1 武 0.1 钱 0.1 戴 0.1 严 0.1 莫 0.1 孔 0.1 向 0.1 常 0.1 欧阳 0.05 诸葛 0.01 司马 0.01
上官 0.01
""")
SURNAMES = _SURNAME_SHARES[0::2]
_SURNAME_CUM = list(accumulate(float(w) for w in _SURNAME_SHARES[1::2]))

# Given names follow fashion: (whole names, first characters, second characters) per
# birth cohort and sex. About half the names are drawn whole, half composed.
_GIVEN: dict[tuple[str, str], tuple[list[str], str, str]] = {
    ("old", "m"): (words("建国 国庆 德明 志强 富贵 长生 福海 世昌 保国 振华 光明 永福 学文 春生 "
                         "炳坤 树林 德才 福生 国华 金山"), "德福国建永志长玉宝学",
                   "明才生华山林昌贵发全"),
    ("old", "f"): (words("秀英 桂英 玉兰 淑珍 秀兰 桂兰 凤英 玉梅 翠花 春兰 素芬 月娥 金凤 淑英 "
                         "冬梅 秀珍 桂芳 玉珍"), "秀桂玉淑凤翠素月金春",
                   "英兰珍芳梅花娥华莲琴"),
    ("mid", "m"): (words("建华 建军 卫东 红军 志刚 国强 海涛 建平 伟 军 勇 强 平 刚 斌 明 华 东 "
                         "建新 文革 跃进"), "建卫红志国海永立向跃",
                   "华军东刚强平明伟新民"),
    ("mid", "f"): (words("丽 红 芳 华 敏 燕 霞 英 丽华 红梅 小红 海燕 建英 春梅 玉华 丽萍 "
                         "桂香 红霞"), "丽红海春小建玉秀晓美",
                   "华梅燕萍霞英芳琴兰娟"),
    ("young", "m"): (words("伟 磊 涛 超 杰 鹏 浩 强 亮 斌 俊 勇 波 辉 刚 健 晨 宇 志伟 俊杰 "
                           "建辉 文杰 明亮 海波 晓东"), "志俊文明海晓建家鹏浩",
                     "伟杰辉亮波东涛峰龙军"),
    ("young", "f"): (words("静 丽 敏 婷 娟 艳 芳 燕 倩 雪 琳 颖 丹 晶 慧 婷婷 晓燕 丽娟 雪梅 "
                           "文静"), "晓丽雪文婷佳美慧雅思",
                     "燕娟梅静婷丽琳颖洁敏"),
    ("child", "m"): (words("浩然 子轩 宇轩 梓轩 浩宇 俊熙 子墨 一鸣 天佑 宇航 博文 思远 皓轩 "
                           "明轩 沐辰 睿 泽宇 锦程"), "子浩宇梓俊一博思皓沐",
                     "轩然宇熙墨鸣航文远辰"),
    ("child", "f"): (words("欣怡 子涵 雨桐 梓涵 诗涵 一诺 思彤 紫萱 可馨 雨欣 佳怡 语嫣 梦瑶 "
                           "若汐 依诺"), "欣子雨梓诗一思紫可佳",
                     "怡涵桐萱诺彤馨欣瑶汐"),
}

_MOBILE_PREFIXES = words("130 131 132 133 134 135 136 137 138 139 150 151 152 153 155 156 "
                         "157 158 159 166 173 176 177 180 181 182 183 185 186 187 188 189 "
                         "191 198 199")
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"


# Hot paths draw with rng.random() alone: several times faster than randint / choices.
def pick(rng: random.Random, seq):
    return seq[int(rng.random() * len(seq))]


def weighted(rng: random.Random, seq, cum: list[float]):
    return seq[bisect(cum, rng.random() * cum[-1])]


def between(rng: random.Random, low: int, high: int) -> int:
    """An integer in [low, high]."""
    return low + int(rng.random() * (high - low + 1))


def surname(rng: random.Random) -> str:
    return weighted(rng, SURNAMES, _SURNAME_CUM)


def cohort(birth_year: int) -> str:
    if birth_year < 1955:
        return "old"
    if birth_year < 1980:
        return "mid"
    if birth_year < 2005:
        return "young"
    return "child"


def given_name(rng: random.Random, sex: str, birth_year: int) -> str:
    whole, firsts, seconds = _GIVEN[(cohort(birth_year), sex)]
    if rng.random() < 0.5:
        return pick(rng, whole)
    return pick(rng, firsts) + pick(rng, seconds)


def person_name(rng: random.Random, sex: str, birth_year: int, family: str | None = None) -> str:
    """A full name; ``family`` keeps a child's surname the same as the parent's."""
    return (family or surname(rng)) + given_name(rng, sex, birth_year)


def mobile(rng: random.Random) -> str:
    """An 11-digit mainland mobile number with a real carrier prefix (made up)."""
    return f"{pick(rng, _MOBILE_PREFIXES)}{int(rng.random() * 10**8):08d}"


def id_check_digit(first17: str) -> str:
    """The GB 11643 check character (ISO 7064 MOD 11-2)."""
    return _ID_CHECK[sum(map(mul, map(int, first17), _ID_WEIGHTS)) % 11]


def id_number(rng: random.Random, region: str, birth_year: int, sex: str) -> str:
    """An 18-character resident ID with a valid check digit; the sequence is odd for men."""
    month, day = between(rng, 1, 12), between(rng, 1, 28)
    seq = 2 * int(rng.random() * 500) + (1 if sex == "m" else 0)
    first17 = f"{region}{birth_year:04d}{month:02d}{day:02d}{seq:03d}"
    return first17 + id_check_digit(first17)
