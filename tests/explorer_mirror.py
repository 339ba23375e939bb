"""A Python mirror of static/explorer.js's decoders, for tests of the static explorer.

It reads the payload the way the script does (constants from ``payload["schema"]``, that is
:mod:`gdcore.widgets._schema`), so a test can compare what the page will show with
``gdcore.run``; tests/browser/test_explorer_js.py runs the script itself against it.
"""

from __future__ import annotations

import math
import zlib
from typing import Any

import numpy as np

from gdcore.widgets import _schema as S


def decode_loss(code: int, refine: bool) -> tuple[str, float]:
    """``(text, value)`` of one loss code: the text is Python's ``.3g`` of the loss."""
    specials = {
        S.CODE_ZERO: ("0", 0.0),
        S.CODE_NAN: ("nan", math.nan),
        S.CODE_INF: ("inf", math.inf),
        S.CODE_NINF: ("-inf", -math.inf),
    }
    if code in specials:
        return specials[code]
    P = S.LOSS_DIGITS
    neg = bool(code & S.SIGN_BIT)
    c = (code & (S.SIGN_BIT - 1)) - 1
    r = 0
    if refine:
        c, r = divmod(c, S.REFINE)
        r -= S.REFINE // 2
    e, m = divmod(c, S.MANTISSAS)
    e += S.E_MIN
    m += 100
    digits = str(m)
    if -4 <= e < P:
        if e >= 0:
            text = digits[: e + 1] + "." + digits[e + 1 :]
        else:
            text = "0." + "0" * (-e - 1) + digits
        text = text.rstrip("0").rstrip(".") if "." in text else text
    else:
        mant = (digits[0] + "." + digits[1:]).rstrip("0").rstrip(".")
        text = f"{mant}e{'-' if e < 0 else '+'}{abs(e):02d}"
    x = m + r / 10.0  # the same arithmetic as explorer.js
    if e < -290:  # stay clear of overflow in 10 ** (2 - e)
        value = x / 1e100 / 10.0 ** (P - 1 - e - 100)
    else:
        value = x * 10.0 ** (e - P + 1) if e >= P - 1 else x / 10.0 ** (P - 1 - e)
    return ("-" + text if neg else text), (-value if neg else value)


def unplanes(b: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    """Undo the byte planes and delta coding of ``_static._planes``."""
    k = np.dtype(dtype).itemsize
    n = int(np.prod(shape))
    d = np.frombuffer(b, np.uint8).reshape(k, n).T.copy().view(dtype).reshape(shape)
    return np.cumsum(d, axis=0, dtype=d.dtype)


def dequantise(q: np.ndarray, exceptions: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Parameters from their grid codes and the float32 exceptions."""
    lo, hi = box[:, 0], box[:, 1]
    out = lo + q.astype(float) / S.QMAX * (hi - lo)
    out[q == S.QMAX + 1] = exceptions.astype(float)
    return out


def unpack(packed: bytes, meta: dict[str, Any], dim: int) -> dict[str, Any]:
    """Decode ``_static.pack``: ``losses`` are the drawn values, ``loss_texts`` their texts."""
    blob = zlib.decompress(packed)
    sec = {k: blob[o : o + n] for k, (o, n) in meta["sections"].items()}
    n = meta["n_points"]
    codes = unplanes(sec["losses"], "<u4", (n,))
    decoded = [decode_loss(int(c), meta["refine"]) for c in codes]
    out: dict[str, Any] = {
        "table": np.frombuffer(sec["table"], "<u4"),
        "lens": np.frombuffer(sec["lens"], "<u4"),
        "nits": np.frombuffer(sec["nits"], "<u4"),
        "codes": np.frombuffer(sec["codes"], "u1"),
        "loss_codes": codes,
        "losses": np.array([v for _, v in decoded]),
        "loss_texts": [t for t, _ in decoded],
    }
    if "vlosses" in sec:
        vcodes = unplanes(sec["vlosses"], "<u4", (n,))
        out["vlosses"] = np.array([decode_loss(int(c), True)[1] for c in vcodes])
    out["offsets"] = np.concatenate([[0], np.cumsum(out["lens"], dtype=np.int64)]).astype(np.int64)
    if "params" in sec:
        q = unplanes(sec["params"], "<u2", (n, dim))
        out["params"] = dequantise(
            q, np.frombuffer(sec["exceptions"], "<f4"), np.asarray(meta["qbox"])
        )
    return out
