"""Money as Decimal with an ISO 4217 currency code. Pure: no Django imports."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation

# The currencies Salesdesk offers in forms; any three-letter upper-case code is accepted
# through the API, so a company can trade in a currency we did not list.
COMMON_CURRENCIES = ("EUR", "USD", "GBP", "CHF", "SEK", "NOK", "DKK", "PLN", "JPY", "AUD", "CAD")
_MINOR_UNITS = {"JPY": 0}


def parse_amount(value: object) -> Decimal:
    """A Decimal from user input ('1,234.50', 1234.5, Decimal); ValueError when it is not a number."""
    if isinstance(value, Decimal):
        result = value
    else:
        text = str(value).strip().replace(",", "").replace("_", "").replace(" ", "")
        try:
            result = Decimal(text)
        except InvalidOperation as exc:
            raise ValueError(f"'{value}' is not an amount") from exc
    if not result.is_finite():
        raise ValueError(f"'{value}' is not an amount")
    return result


def validate_currency(code: str) -> str:
    """The upper-cased code when it looks like ISO 4217 (three letters); ValueError otherwise."""
    code = (code or "").strip().upper()
    if len(code) != 3 or not code.isalpha() or not code.isascii():
        raise ValueError(f"'{code}' is not a three-letter currency code")
    return code


@dataclass(frozen=True)
class Money:
    amount: Decimal
    currency: str

    def quantized(self) -> Money:
        places = _MINOR_UNITS.get(self.currency, 2)
        exp = Decimal(1).scaleb(-places)
        return Money(self.amount.quantize(exp, rounding=ROUND_HALF_EVEN), self.currency)

    def __str__(self) -> str:
        q = self.quantized()
        return f"{q.amount:,} {q.currency}"
