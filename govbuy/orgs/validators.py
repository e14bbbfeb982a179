"""统一社会信用代码 (GB 32100-2015): 18 characters, the last one a check character."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015 uses digits and upper-case letters except I, O, Z, S, V.
CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_check_char(first17: str) -> str:
    total = sum(CHARSET.index(c) * w for c, w in zip(first17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def uscc_error(code: str) -> str | None:
    """A readable reason why `code` is not a valid 统一社会信用代码, or None."""
    if len(code) != 18:
        return str(
            _("A unified social credit code has 18 characters (this one has %(n)d).")
            % {"n": len(code)}
        )
    bad = sorted({c for c in code if c not in CHARSET})
    if bad:
        return str(
            _(
                "Character(s) %(chars)s are not allowed (only digits and capital letters except I, O, Z, S, V)."
            )
            % {"chars": " ".join(bad)}
        )
    if uscc_check_char(code[:17]) != code[17]:
        return str(
            _("The check character is wrong: expected %(expected)s, got %(got)s (GB 32100-2015).")
            % {"expected": uscc_check_char(code[:17]), "got": code[17]}
        )
    return None


def validate_uscc(value: str) -> None:
    error = uscc_error(value)
    if error:
        raise ValidationError(error, code="invalid_uscc")
