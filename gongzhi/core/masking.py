"""Masking of personal data for everyone not entitled to see it (PIPL: minimum exposure)."""

# However short the value, at least this many characters are hidden.
_MIN_HIDDEN = 4


def _keep_ends(value: str, head: int, tail: int) -> str:
    """``value`` with all but ``head`` leading and ``tail`` trailing characters starred."""
    return f"{value[:head]}{'*' * (len(value) - head - tail)}{value[len(value) - tail:]}"


def mask_phone(phone: str | None) -> str:
    """138****1234: first three and last four digits stay; short numbers keep less."""
    if not phone:
        return ""
    value = phone.strip()
    if len(value) < 7:
        return "*" * len(value)
    # A mobile number keeps 3 + 4; a 7- or 8-digit landline keeps only its tail.
    tail = min(4, len(value) - _MIN_HIDDEN)
    head = max(0, min(3, len(value) - tail - _MIN_HIDDEN))
    return _keep_ends(value, head, tail)


def mask_id_number(id_number: str | None) -> str:
    """110105********1234: region code and last four stay; the birth date is hidden."""
    if not id_number:
        return ""
    value = id_number.strip()
    if len(value) == 18:
        return _keep_ends(value, 6, 4)
    if len(value) == 15:
        # First-generation card: region (6) + birth date YYMMDD (6) + sequence (3).
        return _keep_ends(value, 6, 3)
    if len(value) < 10:
        return "*" * len(value)
    # Other documents (passport, permits): only the last quarter shows.
    return _keep_ends(value, 0, min(4, len(value) // 4))


def mask_name(name: str | None) -> str:
    """张*明 / 李*: for public notices, the surname and (for long names) the last character."""
    if not name:
        return ""
    name = name.strip()
    if not name:
        return ""
    if len(name) <= 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]
