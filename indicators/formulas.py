"""Formulas over other indicators (kind `formula`): `ho-ngheo / so-ho * 100`.

Parsed by a small recursive-descent parser into a tree of numbers, indicator codes and the four
operations; nothing is ever passed to `eval`. The grammar:

    expression := term (("+" | "-") term)*
    term       := factor (("*" | "/") factor)*
    factor     := "-" factor | number | code | "(" expression ")"

A code is an indicator's code as the catalogue writes it (letters, digits, `_` and inner `-`):
`ho-ngheo` is one code, so a subtraction is written with spaces, `a - b`. A number is digits
with an optional decimal point. Evaluation is exact (Decimal); a division by zero, or a missing
operand, gives no value (None), never an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, DivisionByZero, InvalidOperation

from django.utils.translation import gettext as _

from geoapp.exceptions import InvalidInput

MAX_FORMULA_LENGTH = 500

_TOKEN = re.compile(r"\s*(?:(?P<word>[A-Za-z0-9_.]+(?:-[A-Za-z0-9_]+)*)|(?P<operator>[-+*/()]))")
_NUMBER = re.compile(r"^\d+(?:\.\d+)?$")


@dataclass(frozen=True)
class Number:
    value: Decimal


@dataclass(frozen=True)
class Operand:
    code: str


@dataclass(frozen=True)
class Negation:
    operand: Node


@dataclass(frozen=True)
class Operation:
    operator: str
    left: Node
    right: Node


Node = Number | Operand | Negation | Operation


def _tokens(text: str) -> list[str]:
    tokens, position = [], 0
    stripped = text.rstrip()
    while position < len(stripped):
        match = _TOKEN.match(stripped, position)
        if match is None:
            raise InvalidInput(
                _("công thức “%(formula)s” có ký tự không hợp lệ ở vị trí %(position)d.")
                % {"formula": text, "position": position + 1}
            )
        tokens.append(match.group("word") or match.group("operator"))
        position = match.end()
    return tokens


class _Parser:
    def __init__(self, text: str) -> None:
        self.text = text
        self.tokens = _tokens(text)
        self.index = 0

    def _error(self) -> InvalidInput:
        return InvalidInput(
            _("công thức “%(formula)s” sai cú pháp; ví dụ đúng: ho-ngheo / so-ho * 100.")
            % {"formula": self.text}
        )

    def _peek(self) -> str | None:
        return self.tokens[self.index] if self.index < len(self.tokens) else None

    def _take(self) -> str:
        token = self._peek()
        if token is None:
            raise self._error()
        self.index += 1
        return token

    def parse(self) -> Node:
        if not self.tokens:
            raise InvalidInput(_("công thức trống."))
        node = self._expression()
        if self._peek() is not None:
            raise self._error()
        return node

    def _expression(self) -> Node:
        node = self._term()
        while self._peek() in ("+", "-"):
            node = Operation(self._take(), node, self._term())
        return node

    def _term(self) -> Node:
        node = self._factor()
        while self._peek() in ("*", "/"):
            node = Operation(self._take(), node, self._factor())
        return node

    def _factor(self) -> Node:
        token = self._take()
        if token == "-":
            return Negation(self._factor())
        if token == "(":
            node = self._expression()
            if self._take() != ")":
                raise self._error()
            return node
        if token in ("+", "*", "/", ")"):
            raise self._error()
        if _NUMBER.match(token):
            return Number(Decimal(token))
        if "." in token:
            raise self._error()
        return Operand(token)


def formula_parse(text: str) -> Node:
    """The tree of a formula, or InvalidInput saying what is wrong with it."""
    if len(text) > MAX_FORMULA_LENGTH:
        raise InvalidInput(
            _("công thức dài quá %(length)d ký tự.") % {"length": MAX_FORMULA_LENGTH}
        )
    return _Parser(text).parse()


def formula_operands(node: Node) -> list[str]:
    """The indicator codes a formula reads, each once, in the order written."""
    if isinstance(node, Operand):
        return [node.code]
    if isinstance(node, Negation):
        return formula_operands(node.operand)
    if isinstance(node, Operation):
        codes = formula_operands(node.left)
        return codes + [code for code in formula_operands(node.right) if code not in codes]
    return []


def formula_evaluate(node: Node, values: dict[str, Decimal | None]) -> Decimal | None:
    """The formula's value with `values` by code; None if an operand has no value or a divisor
    is zero."""
    if isinstance(node, Number):
        return node.value
    if isinstance(node, Operand):
        return values.get(node.code)
    if isinstance(node, Negation):
        inner = formula_evaluate(node.operand, values)
        return None if inner is None else -inner
    left = formula_evaluate(node.left, values)
    right = formula_evaluate(node.right, values)
    if left is None or right is None:
        return None
    try:
        if node.operator == "+":
            return left + right
        if node.operator == "-":
            return left - right
        if node.operator == "*":
            return left * right
        return left / right if right != 0 else None
    except (DivisionByZero, InvalidOperation):
        return None
