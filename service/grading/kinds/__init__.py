"""Answer kinds (number, expression, interval, choice, matrix, text, code): the public API."""

from service.grading.kinds.base import AnswerKind, CheckContext, InvalidAnswer, Verdict
from service.grading.kinds.choice import ChoiceAnswer, YesNoAnswer
from service.grading.kinds.code import CodeAnswer
from service.grading.kinds.expression import ExpressionAnswer
from service.grading.kinds.interval import IntervalAnswer
from service.grading.kinds.matrix import MatrixAnswer
from service.grading.kinds.number import NumberAnswer, NumberRange
from service.grading.kinds.text import TextAnswer

__all__ = [
    "AnswerKind",
    "CheckContext",
    "ChoiceAnswer",
    "CodeAnswer",
    "ExpressionAnswer",
    "IntervalAnswer",
    "InvalidAnswer",
    "MatrixAnswer",
    "NumberAnswer",
    "NumberRange",
    "TextAnswer",
    "Verdict",
    "YesNoAnswer",
]
