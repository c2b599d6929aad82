"""JSON that is safe to put inside a page's ``<script>`` or a JavaScript call."""

from __future__ import annotations

import json
from typing import Any

# JSON is valid JavaScript, but inside HTML "</script>" or "<!--" would end or
# change the script, and U+2028/2029 ended string literals before ES2019.
_UNSAFE = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028", "\u2029": "\\u2029"}
_TABLE = str.maketrans(_UNSAFE)


def script_json(value: Any) -> str:
    """``value`` as JSON text with no ``<``, ``>``, ``&`` or line separators left raw.

    ``{"name": "</script>"}`` becomes ``{"name": "\\u003c/script\\u003e"}``.
    """
    return json.dumps(value, ensure_ascii=True).translate(_TABLE)
