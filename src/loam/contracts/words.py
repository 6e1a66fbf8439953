"""Amounts in Chinese upper-case money figures (大写金额), as written on contracts and receipts.

``amount_in_words(Decimal("10500.30"))`` → ``"壹万零伍佰元叁角"``; whole amounts end in 整; negative amounts start
with 负. Rounded half-up to the fen (0.01); up to 9,999 万亿 (Numeric(18, 2)).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

DIGITS = "零壹贰叁肆伍陆柒捌玖"
PLACES = ((3, "仟"), (2, "佰"), (1, "拾"), (0, ""))
GROUPS = ("", "万", "亿", "万亿")


def _group(n: int) -> str:
    """0 < n < 10000 → e.g. 1005 → 壹仟零伍 (inner zeros collapse into one 零, trailing zeros vanish)."""
    out, zero = "", False
    for power, unit in PLACES:
        digit = n // 10**power % 10
        if digit == 0:
            zero = zero or bool(out)
            continue
        if zero:
            out += "零"
            zero = False
        out += DIGITS[digit] + unit
    return out


def _integer(n: int) -> str:
    if n == 0:
        return "零"
    groups: list[int] = []
    while n:
        groups.append(n % 10000)
        n //= 10000
    if len(groups) > len(GROUPS):
        raise ValueError("amount too large")
    out, gap = "", False
    for index in reversed(range(len(groups))):
        value = groups[index]
        if value == 0:
            gap = gap or bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += _group(value) + GROUPS[index]
        gap = False
    return out


def amount_in_words(amount: Decimal | int | str) -> str:
    """The amount in 大写 with 元/角/分 (no currency name: templates write 人民币 or the currency themselves)."""
    value = Decimal(str(amount)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    sign = "负" if value < 0 else ""
    fen_total = int(abs(value) * 100)
    yuan, jiao, fen = fen_total // 100, fen_total // 10 % 10, fen_total % 10
    if fen_total == 0:
        return "零元整"
    out = _integer(yuan) + "元" if yuan else ""
    if jiao:
        out += DIGITS[jiao] + "角"
    elif fen and yuan:
        out += "零"
    if fen:
        out += DIGITS[fen] + "分"
    if not jiao and not fen:
        out += "整"
    return sign + out
