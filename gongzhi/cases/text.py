"""Word segmentation of case text (jieba) for duplicate detection and category suggestions."""

import logging
import re
import threading

import jieba
from django.conf import settings


def _words(block: str) -> list[str]:
    """Word lists below are written as whitespace-separated blocks, easier to read and edit."""
    return block.split()


# Function words and politeness that say nothing about the kind of problem.
STOP_WORDS = frozenset(_words("""
的 了 在 是 我 我们 有 和 就 不 都 也 很 到 说 要 去 你 你们 会 着 没有 看 好 自己 这 那 这个 那个
一个 一些 请 麻烦 谢谢 感谢 小区 他 她 他们 它 吗 呢 吧 啊 呀 哦 把 被 给 让 对 与 及 或 还 又 再
但 但是 而且 因为 所以 如果 已经 一直 现在 今天 昨天 经常 总是 非常 特别 比较 希望 能 能够 可以
帮忙 一下 有人 没人 什么 怎么 为什么 这样 那样 这里 那里 这边 那边 问题 情况 反映 相关 部门
尽快 处理 解决 大家 时候 几天 多次 好几 需要 导致 造成 出现 发现 目前 严重 影响 及时
"""))

# Single characters that name a thing or a fault on their own.
MEANINGFUL_CHARS = frozenset("灯水电气树狗猫鼠墙门窗井梯路车坏堵漏臭吵脏黑")

# Everyday complaint words jieba's general dictionary splits badly.
DOMAIN_WORDS = _words("""
路灯 不亮 乱停 乱放 乱停乱放 停车难 下水道 化粪池 积水 漏水 渗水 停水 停电 停气 水压
暖气 供暖 不热 燃气 煤气 电梯 困人 物业 物业费 维修资金 垃圾桶 垃圾站 建筑垃圾 违建 违章搭建
私搭乱建 堆放 占道 占道经营 消防通道 飞线充电 电动车 独居老人 无障碍 井盖 路面 坑洼 噪音 扰民
小广告 牛皮癣 绿化带 修剪 遛狗 犬只 高空抛物 外墙 脱落
""")

# Compounds that glue a thing to its fault; splitting them lets 灯坏 match 灯不亮.
SPLIT_WORDS = ("灯坏", "灯不亮", "路灯不亮", "楼道灯", "又坏了", "垃圾堆")

# Ways of saying "broken", folded into one term so reports in different words still match.
SYNONYMS = {"不亮": "坏", "坏掉": "坏", "损坏": "坏", "失灵": "坏", "故障": "坏"}

_BUILDING = re.compile(r"([0-9]{1,3}|[一二三四五六七八九十]{1,3})\s*(?:号楼|栋|幢|号院)")
_CN_DIGITS = {c: i for i, c in enumerate("零一二三四五六七八九")}
_PUNCT_OR_SPACE = re.compile(r"^[\W_]+$")
_DIGITS = re.compile(r"^[\d.]+$")

_tokenizer: jieba.Tokenizer | None = None
_lock = threading.Lock()


def _get_tokenizer() -> jieba.Tokenizer:
    """Our own tokenizer, loaded once, quietly (jieba logs its dictionary load to stderr)."""
    global _tokenizer
    if _tokenizer is None:
        with _lock:
            if _tokenizer is None:
                jieba.setLogLevel(logging.WARNING)
                tk = jieba.Tokenizer()
                # Cache the parsed dictionary in our data directory, not a shared /tmp.
                tk.tmp_dir = str(settings.DATA_DIR)
                tk.initialize()
                for word in DOMAIN_WORDS:
                    tk.add_word(word, freq=max(tk.FREQ.get(word, 0), 20000))
                for word in SPLIT_WORDS:
                    tk.del_word(word)
                _tokenizer = tk
    return _tokenizer


def _number(text: str) -> int:
    """1–999 from Arabic or Chinese numerals (三, 十二, 二十三)."""
    if text.isdigit():
        return int(text)
    if "十" not in text:
        return int("".join(str(_CN_DIGITS[c]) for c in text))
    tens, _, units = text.partition("十")
    return (_CN_DIGITS[tens] if tens else 1) * 10 + (_CN_DIGITS[units] if units else 0)


def _clean(token: str) -> str:
    """Strip spaces and a trailing 了 ("坏了" → "坏"): the aspect says nothing of the problem."""
    token = token.strip()
    return token[:-1] if len(token) > 1 and token.endswith("了") else token


def _keep(token: str) -> bool:
    if not token or _PUNCT_OR_SPACE.match(token) or _DIGITS.match(token):
        return False
    if len(token) == 1 and token not in MEANINGFUL_CHARS:
        return False
    return token not in STOP_WORDS


def terms(text: str) -> list[str]:
    """Meaningful words of ``text`` in order, duplicates kept (callers decide).

    Building numbers are normalised ("三栋", "3号楼" → "3栋") so reports of one building match.
    """
    if not text:
        return []
    tk = _get_tokenizer()
    out: list[str] = []
    pos = 0
    text = text.lower()
    for match in _BUILDING.finditer(text):
        out.extend(_clean(t) for t in tk.lcut(text[pos:match.start()]))
        try:
            out.append(f"{_number(match.group(1))}栋")
        except KeyError:  # e.g. "十十" — not a number after all
            out.append(match.group(0))
        pos = match.end()
    out.extend(_clean(t) for t in tk.lcut(text[pos:]))
    return [SYNONYMS.get(t, t) for t in out if _keep(t)]
