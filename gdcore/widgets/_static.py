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
import zlib
from functools import cache
from importlib import resources
from typing import Any

import numpy as np

from ._figure import CSS_DPI, ExplorerFigure, loss_limits
from ._spec import STATUS_CODES, Spec, format_g, status_text

F32_MAX = float(np.finfo(np.float32).max)
PNG_BUDGET = 120_000  # bytes of background PNG before base64

_CSS = """
.gd-explorer{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;font-size:14px;
 margin:0.5em 0 1em 0;padding:0.5em;color:#222;background:#fff;border-radius:4px;
 box-sizing:border-box;max-width:100%;}
.gd-explorer .gd-title{font-weight:600;margin-bottom:0.3em;}
.gd-explorer .gd-controls{display:flex;flex-wrap:wrap;gap:0.25em 1.5em;margin-bottom:0.4em;}
.gd-explorer .gd-control{display:flex;align-items:center;gap:0.5em;min-width:18em;}
.gd-explorer .gd-label{white-space:nowrap;min-width:7.5em;}
.gd-explorer input[type=range]{flex:1 1 9em;min-width:7em;margin:0;}
.gd-explorer .gd-readout{font-variant-numeric:tabular-nums;min-width:3.5em;}
.gd-explorer .gd-figure-wrap{position:relative;width:100%;}
.gd-explorer .gd-background{display:block;width:100%;max-width:100%;height:auto;margin:0;
 padding:0;border:0;}
.gd-explorer canvas.gd-figure{position:absolute;left:0;top:0;width:100%;height:100%;margin:0;
 padding:0;border:0;pointer-events:none;}
.gd-explorer .gd-status{font-variant-numeric:tabular-nums;margin-top:0.3em;min-height:1.3em;}
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


def precompute(spec: Spec) -> dict[str, Any]:
    """All runs the controls can select: one batched ``gdcore.run`` per combination/series.

    Returns the arrays (lengths, status codes, nit, losses, params) in run order
    ``((combination * n_active) + j) * L + lr_index``, each run cut after its last iterate,
    and the batched trajectories themselves.
    """
    lrs = spec.lr_grid[:, None]
    lens, codes, nits, losses, params, trajs = [], [], [], [], [], []
    for combo in spec.combos():
        for i in spec.active_series(combo):
            t = spec.run(spec.series[i], lrs, combo)
            trajs.append(t)
            for j in range(len(lrs)):
                n = int(t.nit[j]) + 1
                lens.append(n)
                codes.append(STATUS_CODES[str(t.status[j])])
                nits.append(int(t.nit[j]))
                losses.append(t.losses[:n, j])
                params.append(t.params[:n, j])
    return {
        "lens": np.asarray(lens, dtype="<u4"),
        "codes": np.asarray(codes, dtype="u1"),
        "nits": np.asarray(nits, dtype="<u4"),
        "losses": np.concatenate(losses),
        "params": np.concatenate(params),
        "trajectories": trajs,
    }


def quant_box(spec: Spec, params: np.ndarray, diverged_mask: np.ndarray) -> np.ndarray:
    """Per-coordinate ``(low, high)`` of the uint16 grid for the parameters.

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


QMAX = 65534  # codes 0..65534 on the grid; 65535 marks an exception stored as float32


def quantise(params: np.ndarray, box: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """uint16 codes of ``params`` ``(n, d)`` on the box grid, and the float32 exceptions.

    A value outside the box (or not finite) gets code 65535 and is kept exactly (as float32)
    in the exceptions array, in row-major order.
    """
    lo, hi = box[:, 0], box[:, 1]
    with np.errstate(invalid="ignore", over="ignore"):
        t = (params - lo) / (hi - lo) * QMAX
        ok = np.isfinite(t) & (t >= 0) & (t <= QMAX)
    q = np.where(ok, np.rint(np.where(ok, t, 0)), 65535).astype("<u2")
    return q, _f32(params[~ok])


def dequantise(q: np.ndarray, exceptions: np.ndarray, box: np.ndarray) -> np.ndarray:
    """Inverse of :func:`quantise` (what explorer.js computes)."""
    lo, hi = box[:, 0], box[:, 1]
    out = lo + q.astype(float) / QMAX * (hi - lo)
    out[q == 65535] = exceptions.astype(float)
    return out


def _planes(a: np.ndarray) -> bytes:
    """Delta-code an unsigned little-endian array along axis 0 and split it into byte planes."""
    a = np.asarray(a)
    prev = np.zeros_like(a)
    prev[1:] = a[:-1]
    d = (a - prev).astype(a.dtype)  # wraps modulo 2**bits: lossless
    k = a.dtype.itemsize
    return np.ascontiguousarray(d.reshape(-1).view(np.uint8).reshape(-1, k).T).tobytes()


def _unplanes(b: bytes, dtype: str, shape: tuple[int, ...]) -> np.ndarray:
    k = np.dtype(dtype).itemsize
    n = int(np.prod(shape))
    d = np.frombuffer(b, np.uint8).reshape(k, n).T.copy().view(dtype).reshape(shape)
    return np.cumsum(d, axis=0, dtype=d.dtype)


def pack(spec: Spec, data: dict[str, Any]) -> tuple[bytes, dict[str, Any]]:
    """The binary blob (deflated) and its layout: sections and the quantisation box."""
    need_params = any(p in spec.panels for p in ("contour", "curve", "fit"))
    div = np.repeat(data["codes"] == STATUS_CODES["diverged"], data["lens"])
    parts: list[tuple[str, bytes]] = [
        ("lens", data["lens"].tobytes()),
        ("nits", data["nits"].tobytes()),
        ("codes", data["codes"].tobytes()),
        ("losses", _planes(_f32(data["losses"]).view("<u4"))),
    ]
    box = None
    if need_params:
        box = quant_box(spec, data["params"], div)
        q, exc = quantise(data["params"], box)
        parts += [("params", _planes(q)), ("exceptions", exc.tobytes())]
    layout, blob, off = {}, b"", 0
    for name, b in parts:
        layout[name] = [off, len(b)]
        blob += b
        off += len(b)
    meta = {
        "sections": layout,
        "raw_size": len(blob),
        "n_runs": len(data["lens"]),
        "n_points": int(data["lens"].sum()),
        "qbox": None if box is None else box.tolist(),
    }
    return zlib.compress(blob, 9), meta


def unpack(packed: bytes, meta: dict[str, Any], dim: int) -> dict[str, np.ndarray]:
    """Decode :func:`pack` (the Python mirror of explorer.js, for tests)."""
    blob = zlib.decompress(packed)
    sec = {k: blob[o : o + n] for k, (o, n) in meta["sections"].items()}
    n = meta["n_points"]
    out = {
        "lens": np.frombuffer(sec["lens"], "<u4"),
        "nits": np.frombuffer(sec["nits"], "<u4"),
        "codes": np.frombuffer(sec["codes"], "u1"),
        "losses": _unplanes(sec["losses"], "<u4", (n,)).view("<f4"),
    }
    out["offsets"] = np.concatenate([[0], np.cumsum(out["lens"], dtype=np.int64)]).astype(np.int64)
    if "params" in sec:
        q = _unplanes(sec["params"], "<u2", (n, dim))
        out["params"] = dequantise(
            q, np.frombuffer(sec["exceptions"], "<f4"), np.asarray(meta["qbox"])
        )
    return out


def _controls(spec: Spec) -> list[dict[str, Any]]:
    out = [
        {
            "name": spec.lr_name,
            "key": "lr",
            "kind": "range",
            "labels": [f"{v:.3g}" for v in spec.lr_grid],
            "value": spec.lr_index,
        },
        {
            "name": "steps",
            "key": "steps",
            "kind": "range",
            "labels": None,
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
                "value": o.index,
            }
        )
    return out


def _control_html(c: dict[str, Any]) -> str:
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
    return (
        f'<label class="gd-control"><span class="gd-label">{name}</span>'
        f'<input type="range" data-name="{name}" min="{lo}" max="{hi}" step="1" '
        f'value="{c["value"]}" aria-label="{name}">'
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
        r = (combo * len(active) + j) * len(spec.lr_grid) + spec.lr_index
        nit, code = int(data["nits"][r]), int(data["codes"][r])
        k = min(spec.steps, nit)
        text = status_text(code, nit, spec.steps, float(_f32(data["losses"][int(offsets[r]) + k])))
        parts.append(f"{spec.series[i].label}: {text}" if spec.compare else text)
    return "; ".join(parts)


def render_html(spec: Spec) -> str:
    """The self-contained HTML block of an explorer (deterministic for given arguments)."""
    data = precompute(spec)
    packed, layout = pack(spec, data)
    trajs = data["trajectories"]
    limits = loss_limits(spec, [t.losses for t in trajs], [t.diverged for t in trajs])
    # the background at twice the CSS resolution (crisp on high-density screens), unless a busy
    # landscape makes that PNG too heavy: then fewer colours, then a lower resolution
    for scale, colors in ((2.0, 64), (2.0, 24), (1.5, 24), (1.0, 32)):
        fig = ExplorerFigure(spec, limits, dpi=scale * CSS_DPI)
        background = fig.background_png(colors)
        if len(background) <= PNG_BUDGET:
            break
    css_w, css_h = fig.css_size
    n_active = len(spec.series) if spec.compare else 1
    payload = {
        "v": 1,
        "size": [css_w, css_h],
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
        "axes": fig.geometry(),
        "style": fig.style(),
        "fit": spec.fit_kind,
        "data": base64.b64encode(packed).decode("ascii"),
        "layout": layout,
    }
    blob = json.dumps(payload, separators=(",", ":"), sort_keys=True).replace("</", "<\\/")
    digest = hashlib.sha256(blob.encode() + background).hexdigest()[:12]
    _counter[digest] = _counter.get(digest, 0) + 1
    uid = f"gdx-{digest}" + (f"-{_counter[digest]}" if _counter[digest] > 1 else "")
    controls = "".join(_control_html(c) for c in payload["controls"])
    title = f'<div class="gd-title">{html.escape(spec.title)}</div>' if spec.title else ""
    alt = html.escape(
        f"{', '.join(spec.panels)} of gradient descent on {spec.objective.name}", quote=True
    )
    png = base64.b64encode(background).decode("ascii")
    status = html.escape(initial_status(spec, data))
    script = explorer_js().replace("</", "<\\/")
    return (
        f'<div class="gd-explorer" id="{uid}" data-ready="0">'
        f"<style>{_CSS}</style>{title}"
        f'<div class="gd-controls">{controls}</div>'
        f'<div class="gd-figure-wrap" style="max-width:{css_w}px">'
        f'<img class="gd-background" src="data:image/png;base64,{png}" width="{css_w}" '
        f'height="{css_h}" alt="{alt}">'
        f'<canvas class="gd-figure"></canvas></div>'
        f'<div class="gd-status" aria-live="polite">{status}</div>'
        f'<script type="application/json" class="gd-data">{blob}</script>'
        f'<script>{script}\nwindow.gdExplorer.init(document.getElementById("{uid}"));</script>'
        f"</div>"
    )


__all__ = ["explorer_js", "format_g", "pack", "precompute", "render_html", "unpack"]
