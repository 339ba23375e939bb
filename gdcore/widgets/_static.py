"""The static HTML form of an explorer: works in the built book with no kernel and no network.

For every combination of the discrete controls, one batched :func:`gdcore.run` over all grid
learning rates (``lr`` of shape ``(L, 1)``) gives every trajectory the sliders can select; the
step slider reveals a prefix. The runs are stored compactly (float32, base64, cut at each
run's last iterate) next to the matplotlib background (moving artists hidden, drawn at twice
the CSS resolution) and the axes' pixel boxes and data limits; ``static/explorer.js`` draws
the moving parts on a canvas over the background.
"""

from __future__ import annotations

import base64
import hashlib
import html
import json
import numbers
import zlib
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from . import _schema
from ._figure import ExplorerFigure, loss_limits
from ._schema import (
    CODE_INF,
    CODE_NAN,
    CODE_NINF,
    CODE_ZERO,
    CSS_DPI,
    E_MIN,
    MANTISSAS,
    NARROW_PX,
    QMAX,
    REFINE,
    SIGN_BIT,
    STATUS_CODES,
)
from ._spec import Spec, lr_labels, mark_rows, status_text

F32_MAX = float(np.finfo(np.float32).max)
PNG_BUDGET = 120_000  # bytes of background PNG before base64

_CSS = f"""
.gd-explorer{{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;
 margin:0.5em 0 1em 0;padding:0.5em;color:#222;background:#fff;border-radius:4px;
 box-sizing:border-box;max-width:100%;}}
.gd-explorer .gd-title{{font-weight:600;margin-bottom:0.3em;}}
.gd-explorer .gd-controls{{display:flex;flex-wrap:wrap;gap:0.25em 1.5em;margin-bottom:0.4em;}}
.gd-explorer .gd-control{{display:flex;align-items:flex-start;gap:0.5em;min-width:18em;}}
.gd-explorer .gd-control.gd-wide{{flex:1 1 100%;}}
.gd-explorer .gd-label{{white-space:nowrap;min-width:7.5em;line-height:24px;}}
.gd-explorer input[type=range]{{flex:1 1 9em;min-width:7em;height:24px;margin:0;}}
.gd-explorer select{{min-height:24px;}}
.gd-explorer .gd-readout{{font-variant-numeric:tabular-nums;min-width:3.5em;line-height:24px;}}
.gd-explorer .gd-track{{flex:1 1 9em;min-width:7em;display:flex;flex-direction:column;}}
.gd-explorer .gd-track input[type=range]{{flex:none;width:100%;}}
.gd-explorer .gd-marks{{position:relative;display:block;font-size:12px;line-height:15px;
 color:#444;}}
.gd-explorer .gd-tick{{position:absolute;top:0;height:5px;border-left:1px solid #555;}}
.gd-explorer .gd-mark{{position:absolute;transform:translateX(-50%);white-space:nowrap;}}
.gd-explorer .gd-panels{{display:flex;flex-wrap:wrap;align-items:flex-start;}}
.gd-explorer .gd-panel{{position:relative;min-width:0;}}
.gd-explorer .gd-background{{display:block;width:100%;max-width:100%;height:auto;margin:0;
 padding:0;border:0;}}
.gd-explorer canvas.gd-figure{{position:absolute;left:0;top:0;width:100%;height:100%;margin:0;
 padding:0;border:0;pointer-events:none;}}
.gd-explorer .gd-status{{font-variant-numeric:tabular-nums;margin-top:0.3em;min-height:1.3em;}}
.gd-explorer .gd-status.gd-error{{color:#b00020;}}
@media (max-width:{NARROW_PX - 0.02}px){{
 .gd-explorer{{font-size:15px;padding:0.5em 0;}}
 .gd-explorer .gd-panel{{flex:1 1 100% !important;max-width:100% !important;}}
 .gd-explorer .gd-control{{min-width:0;flex:1 1 100%;align-items:center;}}
 .gd-explorer .gd-label{{min-width:6.5em;white-space:normal;line-height:1.2;}}
 .gd-explorer input[type=range]{{height:44px;}}
 .gd-explorer select{{min-height:44px;font-size:15px;max-width:100%;}}
 .gd-explorer .gd-readout{{line-height:44px;}}
 .gd-explorer .gd-marks{{font-size:12px;}}
}}
"""

_counter: dict[str, int] = {}


@cache
def explorer_js() -> str:
    """The explorer script (package data)."""
    return resources.files("gdcore.widgets").joinpath("static/explorer.js").read_text("utf-8")


def _f32(a: np.ndarray) -> np.ndarray:
    """float32 little-endian, with finite values beyond float32's range clipped (not inf)."""
    a = np.asarray(a, dtype=float)
    with np.errstate(invalid="ignore"):
        a = np.where(np.isfinite(a), np.clip(a, -F32_MAX, F32_MAX), a)
    return a.astype("<f4")


# -- the runs -------------------------------------------------------------------------------------
def precompute(spec: Spec) -> dict[str, Any]:
    """Every run the controls can select, each computed once.

    For each combination of the discrete controls and each series drawn with it, one batched
    ``gdcore.run`` over all grid learning rates. Combinations that differ only in an option
    the series does not take (``beta1`` for SGD, say) share one block of runs: ``table`` maps
    ``combination * n_active + j`` to a block, and run ``block * L + lr_index`` is one
    learning rate of it. Each run is cut after its last iterate.
    """
    blocks: dict[tuple, int] = {}
    table: list[int] = []
    trajs = []
    for combo in spec.combos():
        for i in spec.active_series(combo):
            key = spec.block_key(i, combo)
            if key not in blocks:
                blocks[key] = len(trajs)
                trajs.append(spec.run_block(i, combo))
            table.append(blocks[key])
    # the validation loss along every run, evaluated once per block (cut below like the losses)
    vtrajs = None if spec.validation is None else [spec.validation_losses(t.params) for t in trajs]
    lens, codes, nits, losses, params, vlosses = [], [], [], [], [], []
    for b, t in enumerate(trajs):
        for j in range(len(spec.lr_grid)):
            n = int(t.nit[j]) + 1
            lens.append(n)
            codes.append(STATUS_CODES[str(t.status[j])])
            nits.append(int(t.nit[j]))
            losses.append(t.losses[:n, j])
            params.append(t.params[:n, j])
            if vtrajs is not None:
                vlosses.append(vtrajs[b][:n, j])
    extra = {}
    if vtrajs is not None:
        extra["vlosses"] = np.concatenate(vlosses)
        extra["vtrajectories"] = vtrajs
    return {
        **extra,
        "table": np.asarray(table, dtype="<u4"),
        "lens": np.asarray(lens, dtype="<u4"),
        "codes": np.asarray(codes, dtype="u1"),
        "nits": np.asarray(nits, dtype="<u4"),
        "losses": np.concatenate(losses),
        "params": np.concatenate(params),
        "trajectories": trajs,
    }


# -- losses: exact 3-significant-digit decimals ---------------------------------------------------
# A loss is stored as the digits Python's f"{loss:.3g}" shows (mantissa 100..999, exponent),
# optionally with one more digit (the rounding residual, -5..5) for drawing. explorer.js builds
# the status text from the digits, so it is Python's text by construction (constants: _schema).


def loss_codes(v: np.ndarray, refine: bool) -> np.ndarray:
    """uint32 codes of losses: ``((e - E_MIN) * 900 + m - 100) [* 11 + r + 5] + 1`` (+ sign).

    900 is :data:`_schema.MANTISSAS` and 11 :data:`_schema.REFINE`.
    """
    v = np.asarray(v, dtype=float)
    a = np.abs(v)
    fin = np.isfinite(v) & (a > 0)
    with np.errstate(all="ignore"):
        e = np.floor(np.log10(np.where(fin, a, 1.0))).astype(np.int64)
        e = np.clip(e, -330, 310)
        t = a / 10.0 ** (e - 2).astype(float)
        t = np.where(fin, t, 100.0)  # inf/NaN/0: placeholder digits, replaced below
        m = np.rint(t)
        near_tie = np.abs(t - np.floor(t) - 0.5) < 1e-6
    # the decimal digits of Python's formatting, by string where float arithmetic may be off
    unsure = np.flatnonzero(fin & ((m < 100) | (m >= 1000) | near_tie | (e < -300) | (e > 300)))
    m = np.where(np.isfinite(m) & (m < 1e4), m, 100).astype(np.int64)  # (unsure ones: below)
    for k in unsure:
        mant, exp = f"{a[k]:.2e}".split("e")
        m[k], e[k] = int(mant.replace(".", "")), int(exp)
    e = np.where(fin, e, 0)
    m = np.where(fin, m, 100)
    code = (e - E_MIN) * MANTISSAS + (m - 100)
    if refine:
        with np.errstate(all="ignore"):
            r = np.rint(10.0 * (a / 10.0 ** (e - 2).astype(float) - m))
        half = REFINE // 2
        code = code * REFINE + (np.clip(np.where(fin, r, 0), -half, half).astype(np.int64) + half)
    code = code + 1 + np.where(v < 0, SIGN_BIT, 0)
    code = np.where(v == 0, CODE_ZERO, code)
    code = np.where(np.isnan(v), CODE_NAN, code)
    code = np.where(np.isposinf(v), CODE_INF, code)
    code = np.where(np.isneginf(v), CODE_NINF, code)
    return code.astype("<u4")


# -- parameters: 14-bit grid over a box, exceptions kept as float32 -------------------------------


def quant_box(spec: Spec, params: np.ndarray, diverged_mask: np.ndarray) -> np.ndarray:
    """Per-coordinate ``(low, high)`` of the parameter grid.

    The plotting domain widened by its width on each side, or (no domain) the range of the
    finite iterates of runs that did not diverge, widened by half of it.
    """
    dom = spec.objective.domain
    if dom is not None:
        w = dom[:, 1] - dom[:, 0]
        return np.stack([dom[:, 0] - w, dom[:, 1] + w], axis=1)
    P = params[~diverged_mask]
    P = P[np.all(np.isfinite(P), axis=1)]
    if P.size == 0:
        P = params[np.all(np.isfinite(params), axis=1)]
    lo, hi = (P.min(axis=0), P.max(axis=0)) if P.size else (np.zeros(spec.dim), np.ones(spec.dim))
    w = np.maximum(hi - lo, 1e-12 * np.maximum(np.abs(hi), 1.0))
    return np.stack([lo - 0.5 * w, hi + 0.5 * w], axis=1)


def quantise(params: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Grid codes of ``params`` ``(n, d)`` in the box, and the float32 exceptions.

    A value outside the box (or not finite) gets code ``QMAX + 1`` and is kept as float32 in
    the exceptions array, in row-major order.
    """
    lo, hi = box[:, 0], box[:, 1]
    with np.errstate(invalid="ignore", over="ignore"):
        t = (params - lo) / (hi - lo) * QMAX
        ok = np.isfinite(t) & (t >= 0) & (t <= QMAX)
    q = np.where(ok, np.rint(np.where(ok, t, 0)), QMAX + 1).astype("<u2")
    return q, _f32(params[~ok])


# -- packing --------------------------------------------------------------------------------------
def _planes(a: np.ndarray) -> bytes:
    """Delta-code an unsigned little-endian array along axis 0 and split it into byte planes."""
    a = np.asarray(a)
    prev = np.zeros_like(a)
    prev[1:] = a[:-1]
    d = (a - prev).astype(a.dtype)  # wraps modulo 2**bits: lossless
    k = a.dtype.itemsize
    return np.ascontiguousarray(d.reshape(-1).view(np.uint8).reshape(-1, k).T).tobytes()


def pack(spec: Spec, data: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """The binary blob (deflated) and its layout: sections, flags and the parameter box."""
    need_params = any(p in spec.panels for p in ("contour", "curve", "fit"))
    refine = "curve" in spec.panels  # a 4th digit: iterates sit exactly on the drawn curve
    div = np.repeat(data["codes"] == STATUS_CODES["diverged"], data["lens"])
    parts: list[tuple[str, bytes]] = [
        ("table", data["table"].tobytes()),
        ("lens", data["lens"].tobytes()),
        ("nits", data["nits"].tobytes()),
        ("codes", data["codes"].tobytes()),
        ("losses", _planes(loss_codes(data["losses"], refine))),
    ]
    if "vlosses" in data:  # drawn only: always with the fourth digit
        parts.append(("vlosses", _planes(loss_codes(data["vlosses"], True))))
    box = None
    if need_params:
        box = quant_box(spec, data["params"], div)
        q, exc = quantise(data["params"], box)
        parts += [("params", _planes(q)), ("exceptions", exc.tobytes())]
    layout, chunks, off = {}, [], 0
    for name, b in parts:
        layout[name] = [off, len(b)]
        chunks.append(b)
        off += len(b)
    blob = b"".join(chunks)
    meta = {
        "sections": layout,
        "raw_size": len(blob),
        "n_points": int(data["lens"].sum()),
        "refine": refine,
        "qbox": None if box is None else box.tolist(),
    }
    return zlib.compress(blob, 9), meta


def _json_values(o: Any) -> list[Any]:
    """An option's exact values for the payload: numbers, ``null`` (full batch), lists, labels."""
    out = []
    for v in o.positions():
        if isinstance(v, tuple):
            out.append([float(x) for x in v])
        elif isinstance(v, (bool, np.bool_)):
            out.append(bool(v))
        elif isinstance(v, numbers.Integral):
            out.append(int(v))
        elif isinstance(v, numbers.Real):
            out.append(float(v))
        else:
            out.append(v)
    return out


def _controls(spec: Spec) -> list[dict[str, Any]]:
    out = [
        {
            "name": spec.lr_name,
            "key": "lr",
            "kind": "range",
            "labels": lr_labels(spec.lr_grid),
            "values": [float(v) for v in spec.lr_grid],
            "marks": [[label, i] for label, i in spec.marks],
            "value": spec.lr_index,
        },
        {
            "name": "steps",
            "key": "steps",
            "kind": "range",
            "labels": None,
            "values": list(range(spec.max_steps + 1)),
            "min": 0,
            "max": spec.max_steps,
            "value": spec.steps,
        },
    ]
    for o in spec.options:
        out.append(
            {
                "name": o.name,
                "key": o.key,
                "kind": "select" if o.kind == "dropdown" else "range",
                "labels": o.labels,
                "values": _json_values(o),
                "value": o.index,
            }
        )
    return out


MARK_TRACK_PX = 150  # the narrowest learning-rate track at desktop width (for the mark rows)


def _marks_html(c: dict[str, Any], list_id: str) -> str:
    """A datalist of the marks (ticks on the range input) and their labels under it."""
    n = len(c["labels"])
    opts = "".join(
        f'<option value="{i}" label="{html.escape(lab)}"></option>' for lab, i in c["marks"]
    )
    rows = mark_rows([(lab, i) for lab, i in c["marks"]], n, MARK_TRACK_PX)
    spans = []
    for (lab, i), row in zip(c["marks"], rows, strict=True):
        t = i / max(n - 1, 1)
        # the centre of a range input's thumb (about 16 px wide) at position t of the track
        left = f"calc(8px + {t:.5f} * (100% - 16px))"
        spans.append(
            f'<span class="gd-tick" style="left:{left}"></span>'
            f'<span class="gd-mark" data-t="{t:.5f}" style="left:{left};top:{5 + 15 * row}px">'
            f"{html.escape(lab)}</span>"
        )
    height = 5 + 15 * (max(rows) + 1)
    return (
        f'<datalist id="{list_id}">{opts}</datalist>'
        f'<span class="gd-marks" style="height:{height}px">{"".join(spans)}</span>'
    )


def _control_html(c: dict[str, Any], uid: str) -> str:
    name = html.escape(c["name"], quote=True)
    if c["kind"] == "select":
        opts = "".join(
            f'<option value="{i}"{" selected" if i == c["value"] else ""}>'
            f"{html.escape(lab)}</option>"
            for i, lab in enumerate(c["labels"])
        )
        return (
            f'<label class="gd-control"><span class="gd-label">{name}</span>'
            f'<select data-name="{name}">{opts}</select></label>'
        )
    lo, hi = (c["min"], c["max"]) if c["labels"] is None else (0, len(c["labels"]) - 1)
    readout = str(c["value"]) if c["labels"] is None else c["labels"][c["value"]]
    marks = c.get("marks") or []
    list_id = f"{uid}-{c['key']}-marks"
    attr = f' list="{list_id}"' if marks else ""
    slider = (
        f'<input type="range" data-name="{name}" min="{lo}" max="{hi}" step="1" '
        f'value="{c["value"]}" aria-label="{name}"{attr}>'
    )
    if marks:
        slider = f'<span class="gd-track">{slider}{_marks_html(c, list_id)}</span>'
    wide = " gd-wide" if marks else ""
    return (
        f'<label class="gd-control{wide}"><span class="gd-label">{name}</span>{slider}'
        f'<output class="gd-readout">{html.escape(readout)}</output></label>'
    )


def initial_status(spec: Spec, data: dict[str, Any]) -> str:
    """The status line for the initial control values (the same text explorer.js draws)."""
    values = spec.initial_values()
    combo = 0
    for o in spec.options:
        combo = combo * len(o.values) + values[o.key]
    active = spec.active_series(values)
    offsets = np.concatenate([[0], np.cumsum(data["lens"], dtype=np.int64)]).astype(np.int64)
    parts = []
    for j, i in enumerate(active):
        block = int(data["table"][combo * len(active) + j])
        r = block * len(spec.lr_grid) + spec.lr_index
        nit, code = int(data["nits"][r]), int(data["codes"][r])
        k = min(spec.steps, nit)
        text = status_text(code, nit, spec.steps, float(data["losses"][int(offsets[r]) + k]))
        parts.append(
            f"{spec.series[i].label}{_schema.LABEL_SEPARATOR}{text}" if spec.compare else text
        )
    return _schema.SERIES_SEPARATOR.join(parts)


def render_html(spec: Spec) -> str:
    """The self-contained HTML block of an explorer (deterministic for given arguments)."""
    data = precompute(spec)
    packed, layout = pack(spec, data)
    trajs = data["trajectories"]
    losses = [t.losses for t in trajs] + data.get("vtrajectories", [])
    diverged = [t.diverged for t in trajs] * (2 if "vtrajectories" in data else 1)
    limits = loss_limits(spec, losses, diverged)
    # the background at twice the CSS resolution (crisp on high-density screens), unless a busy
    # landscape makes those PNGs too heavy: then fewer colours, then a lower resolution
    for scale, colors in ((2.0, 64), (2.0, 24), (1.5, 24), (1.0, 32)):
        fig = ExplorerFigure(spec, limits, dpi=scale * CSS_DPI)
        backgrounds = fig.background_pngs(colors)
        if sum(len(b) for b in backgrounds) <= PNG_BUDGET:
            break
    css_w = fig.css_size[0]
    n_active = len(spec.series) if spec.compare else 1
    panels = fig.geometry()
    payload = {
        "v": _schema.VERSION,
        "schema": _schema.schema(),
        "controls": _controls(spec),
        "options": [o.key for o in spec.options],
        "radix": [len(o.values) for o in spec.options],
        "n_lr": len(spec.lr_grid),
        "n_active": n_active,
        "dim": spec.dim,
        "compare": spec.compare,
        "labels": [s.label for s in spec.series],
        "jump": [
            (-1 if s.lr is None else int(np.argmin(np.abs(np.log(spec.lr_grid / s.lr)))))
            for s in spec.series
        ]
        if spec.option("optimizer") is not None
        else None,
        "panels": panels,
        "style": fig.style(),
        "fit": spec.fit_kind,
        "data": base64.b64encode(packed).decode("ascii"),
        "layout": layout,
    }
    blob = json.dumps(payload, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    digest = hashlib.sha256(blob.encode() + b"".join(backgrounds)).hexdigest()[:12]
    _counter[digest] = _counter.get(digest, 0) + 1
    uid = f"gdx-{digest}" + (f"-{_counter[digest]}" if _counter[digest] > 1 else "")
    controls = "".join(_control_html(c, uid) for c in payload["controls"])
    title = f'<div class="gd-title">{html.escape(spec.title)}</div>' if spec.title else ""
    figure = "".join(
        _panel_html(p, png, spec.objective.name) for p, png in zip(panels, backgrounds, strict=True)
    )
    status = html.escape(initial_status(spec, data))
    script = explorer_js().replace("</", "<\\/")
    return (
        f'<div class="gd-explorer" id="{uid}" data-ready="0">'
        f"<style>{_CSS}</style>{title}"
        f'<div class="gd-controls">{controls}</div>'
        f'<div class="gd-panels" style="max-width:{css_w}px">{figure}</div>'
        f'<div class="gd-status" aria-live="polite">{status}</div>'
        f'<script type="application/json" class="gd-data">{blob}</script>'
        f'<script>{script}\nwindow.gdExplorer.init(document.getElementById("{uid}"));</script>'
        f"</div>"
    )


PANEL_TEXT = {
    "curve": "the objective's curve with the path of the iterates",
    "contour": "contour lines of the objective with the path of the iterates",
    "loss": "the loss against the step",
    "fit": "the data and the current fitted model",
}


def _panel_html(p: dict[str, Any], png: bytes, name: str) -> str:
    """One panel: its background image and the canvas explorer.js draws the runs on."""
    w, h = p["size"]
    alt = html.escape(f"{PANEL_TEXT[p['panel']]} ({name})", quote=True)
    src = base64.b64encode(png).decode("ascii")
    return (
        f'<div class="gd-panel" data-panel="{p["panel"]}" style="flex:{w} 1 0;max-width:{w}px">'
        f'<img class="gd-background" src="data:image/png;base64,{src}" width="{w}" '
        f'height="{h}" alt="{alt}"><canvas class="gd-figure"></canvas></div>'
    )


__all__ = ["explorer_js", "loss_codes", "pack", "precompute", "render_html"]
