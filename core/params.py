"""Query parameters and body flags: the words OpenStack services accept for booleans, and
integers with bounds. The parsers raise ``BadRequest``; each service keeps its own wording by
passing ``message`` (a template with ``{name}`` and ``{value}``)."""

from __future__ import annotations

from .exceptions import BadRequest

#: Words read as true and as false (oslo.utils ``strutils.bool_from_string``), any case.
TRUE_WORDS = frozenset({"1", "t", "true", "on", "y", "yes"})
FALSE_WORDS = frozenset({"0", "f", "false", "off", "n", "no"})

NOT_A_BOOLEAN = "Invalid input for {name}. Value: {value}. Expected a boolean."
NOT_AN_INTEGER = "{name} param must be an integer"
NEGATIVE = "{name} param must be positive"


def bool_word(value: object, words: tuple[frozenset[str], frozenset[str]] = (TRUE_WORDS, FALSE_WORDS)) -> bool | None:
    """The boolean ``value`` means (a JSON bool, or a true or false word), else None.
    ``words`` narrows the vocabulary where a service accepts fewer (Neutron: true/false)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        word = value.strip().lower()
        if word in words[0]:
            return True
        if word in words[1]:
            return False
    return None


def parse_bool(value: object, name: str, message: str = NOT_A_BOOLEAN) -> bool:
    """A strict boolean, else BadRequest(``message``)."""
    meaning = bool_word(value)
    if meaning is None:
        raise BadRequest(message.format(name=name, value=value))
    return meaning


def optional_bool(value: object, name: str, message: str = NOT_A_BOOLEAN) -> bool | None:
    """``parse_bool`` for an optional parameter: None stays None."""
    return None if value is None else parse_bool(value, name, message)


def is_true(value: object) -> bool:
    """A lenient boolean (oslo's ``bool_from_string(value, default=False)``): a true word is
    True; anything else, garbage included, is False."""
    return bool_word(value) is True


def parse_int(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    message: str = NOT_AN_INTEGER,
    below_minimum: str = NEGATIVE,
) -> int:
    """An integer (or a string of one) within [minimum, maximum], else BadRequest. Booleans
    are not integers here. Above ``maximum`` is reported with ``message``."""
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise BadRequest(message.format(name=name, value=value))
    try:
        number = value if isinstance(value, int) else int(value.strip())
    except ValueError:
        raise BadRequest(message.format(name=name, value=value)) from None
    if minimum is not None and number < minimum:
        raise BadRequest(below_minimum.format(name=name, value=value))
    if maximum is not None and number > maximum:
        raise BadRequest(message.format(name=name, value=value))
    return number


def optional_int(
    value: object,
    name: str,
    *,
    minimum: int | None = None,
    maximum: int | None = None,
    message: str = NOT_AN_INTEGER,
    below_minimum: str = NEGATIVE,
) -> int | None:
    """``parse_int`` for an optional parameter: None stays None."""
    if value is None:
        return None
    return parse_int(value, name, minimum=minimum, maximum=maximum, message=message, below_minimum=below_minimum)
