"""``UNSET``: an attribute a request did not give. An update leaves such an attribute alone and
a create takes the service's default, which ``None`` cannot say when null is a valid value."""

from __future__ import annotations

import enum
from typing import Final


class Unset(enum.Enum):
    """The type of ``UNSET``: one member, so ``value is UNSET`` narrows a field's type."""

    UNSET = "UNSET"


UNSET: Final = Unset.UNSET
