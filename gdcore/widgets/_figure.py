"""The explorer's matplotlib figure: a static background drawn once, moving artists on top.

The background (contour or curve, axes, ticks, labels, legend, data points) is drawn once
with the Agg canvas and cached with ``copy_from_bbox``. An update restores that pixel buffer,
sets the data of the few moving artists (paths, markers, loss lines, fitted lines), draws only
them with ``draw_artist`` and encodes the panels whose pixels changed as PNG at low
compression. The static HTML form uses the same background (moving artists hidden) and
redraws the moving parts in JavaScript from the exported axes boxes and data limits.
"""

from __future__ import annotations

import io
import itertools
import struct
import zlib
from dataclasses import dataclass
from typing import Any

import matplotlib as mpl
import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from PIL import Image

from .. import plotting
from ..plotting import COLORS, STYLE
from ._schema import CSS_DPI, MARKER_EDGE_PT, MARKER_MAX, VALIDATION_DASH
from ._spec import Spec

PANEL_SIZE = (4.2, 3.4)  # inches per panel


def _chunk(tag: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + tag
        + data
        + struct.pack(">I", zlib.crc32(tag + data) & 0xFFFFFFFF)
    )


def png_rows(rgba: np.ndarray) -> np.ndarray:
    """The PNG scanlines of an ``(h, w, 4)`` uint8 image: ``(h, 1 + 3 w)``, RGB, filter type 0.

    The alpha channel is dropped (the figure is opaque); ``rgba`` may be a strided view.
    """
    h, w, _ = rgba.shape
    raw = np.empty((h, 1 + 3 * w), dtype=np.uint8)
    raw[:, 0] = 0  # filter type 0 (none) on every row
    raw[:, 1:].reshape(h, w, 3)[...] = rgba[..., :3]
    return raw


def png_from_rows(raw: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of scanlines made by :func:`png_rows`."""
    h, n = raw.shape
    header = struct.pack(">IIBBBBB", (n - 1) // 3, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + _chunk(b"IHDR", header)
        + _chunk(b"IDAT", zlib.compress(raw, compress_level))
        + _chunk(b"IEND", b"")
    )


def encode_png(rgba: np.ndarray, compress_level: int = 1) -> bytes:
    """PNG bytes of an ``(h, w, 4)`` uint8 image, stored as RGB with filter type 0."""
    return png_from_rows(png_rows(rgba), compress_level)


@dataclass
class Limits:
    """Fixed data limits of the loss panel (so the background never needs redrawing)."""

    loss: tuple[float, float]
    loss_log: bool


def loss_limits(spec: Spec, losses: list[np.ndarray], diverged: list[np.ndarray]) -> Limits:
    """Limits for the loss panel from sample runs: ``losses`` arrays ``(k+1, B)``.

    Runs that diverged are left out (they leave the panel at the top). The y axis is
    logarithmic when no loss is negative (and the objective's minimum value, if known, is not
    negative); it shows at most 12 decades below the largest loss.
    """
    vals, allv = [], []
    for L, bad in zip(losses, diverged, strict=True):
        L = np.asarray(L, dtype=float).reshape(L.shape[0], -1)
        allv.append(L[np.isfinite(L)])
        keep = L[:, ~np.asarray(bad, dtype=bool).ravel()]
        vals.append(keep[np.isfinite(keep)])
    v = np.concatenate(vals) if vals else np.array([])
    a = np.concatenate(allv) if allv else np.array([])
    if v.size == 0:
        v = a[:1] if a.size else np.array([1.0])
    mv = spec.objective.min_value if spec.objective.minima else None
    log = bool(a.size == 0 or a.min() >= 0) and (mv is None or mv >= 0)
    hi = float(v.max())
    if log:
        pos = v[v > 0]
        hi = max(hi, 1e-300)
        lo = float(pos.min()) if pos.size else hi * 1e-6
        lo = max(lo, hi * 1e-12)
        if lo >= hi:
            lo = hi / 10.0
        return Limits((lo / 3.0, hi * 3.0), True)
    lo = float(v.min())
    obj = spec.objective
    if obj.domain is not None and obj.dim in (1, 2):
        # a linear axis shows no more than the landscape's range over the plotting domain
        # (plus the starts): a run that leaves the domain leaves both panels together
        axes = [np.linspace(a, b, 60) for a, b in obj.domain]
        pts = np.stack(np.meshgrid(*axes), axis=-1)
        with np.errstate(all="ignore"):
            z = np.asarray(obj.value(pts), dtype=float).ravel()
        starts = np.concatenate([np.asarray(L, dtype=float)[0].ravel() for L in losses])
        z = np.concatenate([z, starts])
        z = z[np.isfinite(z)]
        if z.size:
            lo, hi = max(lo, float(z.min())), min(hi, float(z.max()))
    pad = 0.06 * max(hi - lo, 1e-12 * max(abs(hi), 1.0), 1e-300)
    return Limits((lo - pad, hi + pad), False)


class ExplorerFigure:
    """The explorer figure with its cached background and moving artists.

    ``moving[s][panel]`` is a dict of the moving artists of series ``s`` on ``panel``.
    """

    def __init__(self, spec: Spec, limits: Limits, *, dpi: float = CSS_DPI) -> None:
        self.spec = spec
        self.limits = limits
        n = len(spec.panels)
        with mpl.rc_context(STYLE["rc"]):
            self.fig = Figure(
                figsize=(PANEL_SIZE[0] * n, PANEL_SIZE[1]), dpi=dpi, layout="constrained"
            )
            self.canvas = FigureCanvasAgg(self.fig)
            axes = self.fig.subplots(1, n, squeeze=False)[0]
            self.axes = dict(zip(spec.panels, axes, strict=True))
            for panel, ax in self.axes.items():
                getattr(self, f"_draw_{panel}")(ax)
            self.moving = [self._moving_artists(i) for i in range(len(spec.series))]
            handles, labels = [], []
            if len(spec.series) > 1 and spec.compare:
                handles += [
                    Line2D([], [], color=COLORS[i % len(COLORS)], lw=STYLE["loss_lw"])
                    for i in range(len(spec.series))
                ]
                labels += [s.label for s in spec.series]
            if spec.validation is not None:
                grey = {"color": "0.35", "lw": STYLE["loss_lw"]}
                handles += [Line2D([], [], **grey), Line2D([], [], ls=self._val_ls(), **grey)]
                labels += ["training loss", "validation loss"]
            if handles:
                ax = self.axes["loss"] if "loss" in self.axes else next(iter(self.axes.values()))
                ax.legend(handles, labels, loc="upper right")
            self.canvas.draw()
        self.fig.set_layout_engine("none")  # freeze the layout: the background is final
        self._background = self.canvas.copy_from_bbox(self.fig.bbox)
        self.cuts = self._cuts()
        self._last_rows: list[np.ndarray | None] = [None] * n  # what changed_pngs last encoded

    def _cuts(self) -> list[int]:
        """CSS-pixel columns where the figure is cut into one image per panel.

        Between two panels, halfway from the right edge of one panel's decorations (tick
        labels, axis labels, legend) to the left edge of the next one's.
        """
        renderer = self.canvas.get_renderer()
        k = CSS_DPI / self.fig.dpi
        boxes = [ax.get_tightbbox(renderer) for ax in self.axes.values()]
        W = self.css_size[0]
        inner = [round(0.5 * (a.x1 + b.x0) * k) for a, b in itertools.pairwise(boxes)]
        return [0, *[min(max(c, 1), W - 1) for c in inner], W]

    def _columns(self) -> list[tuple[int, int]]:
        """Each panel's pixel columns ``[c0, c1)`` in the canvas."""
        k = self.fig.dpi / CSS_DPI
        W = self.canvas.get_width_height(physical=True)[0]
        px = [min(round(c * k), W) for c in self.cuts]
        return list(itertools.pairwise(px))

    # -- static parts ---------------------------------------------------------------------------
    def _draw_contour(self, ax: Any) -> None:
        plotting.contour(self.spec.objective, ax, resolution=160)

    def _draw_curve(self, ax: Any) -> None:
        plotting.curve(self.spec.objective, ax)

    def _draw_loss(self, ax: Any) -> None:
        ax.set_xlim(-0.02 * self.spec.max_steps, 1.02 * self.spec.max_steps)
        if self.limits.loss_log:
            ax.set_yscale("log")
        ax.set_ylim(*self.limits.loss)
        ax.set_xlabel("step")
        ax.set_ylabel("loss")

    def _draw_fit(self, ax: Any) -> None:
        X, y = self.spec.data
        plotting.scatter_data(X, y, ax)
        pad_x = 0.05 * (X.max() - X.min() or 1.0)
        pad_y = 0.08 * (y.max() - y.min() or 1.0)
        ax.set_xlim(X.min() - pad_x, X.max() + pad_x)
        ax.set_ylim(y.min() - pad_y, y.max() + pad_y)
        ax.set_xlabel("$x$")
        ax.set_ylabel("$y$")

    # -- moving parts ----------------------------------------------------------------------------
    def color(self, i: int) -> str:
        """Colour of series ``i``: the optimizer cycle in compare mode, else the first colour."""
        return COLORS[i % len(COLORS)] if self.spec.compare else COLORS[0]

    def _moving_artists(self, i: int) -> dict[str, dict[str, Line2D]]:
        c = self.color(i)
        out: dict[str, dict[str, Line2D]] = {}
        kw = {"animated": True}
        for panel, ax in self.axes.items():
            arts: dict[str, Line2D] = {}
            if panel in ("contour", "curve"):
                (arts["path"],) = ax.plot(
                    [],
                    [],
                    color=c,
                    zorder=5,
                    marker="o",
                    ms=STYLE["path_ms"],
                    lw=STYLE["path_lw"] if panel == "contour" else 1.0,
                    ls="-" if panel == "contour" else "--",
                    **kw,
                )
                (arts["start"],) = ax.plot([], [], zorder=6, **plotting._start_marker(c), **kw)
                (arts["current"],) = ax.plot(
                    [],
                    [],
                    ls="none",
                    marker="o",
                    ms=STYLE["current_ms"],
                    color=c,
                    mec="white",
                    mew=1.2,
                    zorder=7,
                    **kw,
                )
            elif panel == "loss":
                (arts["line"],) = ax.plot([], [], color=c, lw=STYLE["loss_lw"], zorder=5, **kw)
                if self.spec.validation is not None:
                    (arts["validation"],) = ax.plot(
                        [], [], color=c, lw=STYLE["loss_lw"], ls=self._val_ls(), zorder=5, **kw
                    )
            elif panel == "fit":
                (arts["line"],) = ax.plot([], [], color=c, lw=2.0, zorder=5, **kw)
            out[panel] = arts
        return out

    @staticmethod
    def _val_ls() -> tuple[float, tuple[float, float]]:
        """The validation line's dash pattern (matplotlib scales it by the line width)."""
        return (0.0, VALIDATION_DASH)

    def style(self) -> dict[str, Any]:
        """Sizes in CSS pixels and colours of the moving artists, for explorer.js."""
        k = CSS_DPI / 72.0
        return {
            "colors": [self.color(i) for i in range(len(self.spec.series))],
            "path_lw": STYLE["path_lw"] * k,
            "curve_path_lw": 1.0 * k,
            "path_r": STYLE["path_ms"] * k / 2,
            "start_size": STYLE["start_ms"] * k,
            "start_lw": 1.5 * k,
            "current_r": STYLE["current_ms"] * k / 2,
            "current_lw": 1.2 * k,
            "loss_lw": STYLE["loss_lw"] * k,
            "fit_lw": 2.0 * k,
            "marker_max": MARKER_MAX,
            "marker_edge": MARKER_EDGE_PT * k,
        }

    def update(self, runs: list[tuple]) -> None:
        """Show ``runs``: ``(series index, params prefix (k+1, d), losses prefix (k+1,))``.

        With a validation loss, a run may carry a fourth item, the validation losses along
        its params prefix (``(k+1,)``); they are computed here when it is missing or ``None``.
        """
        self.canvas.restore_region(self._background)
        for i, P, L, *rest in runs:
            arts = self.moving[i]
            for panel, a in arts.items():
                ax = self.axes[panel]
                if panel in ("contour", "curve"):
                    a["path"].set_marker("o" if len(P) <= MARKER_MAX else "")
                if panel == "contour":
                    a["path"].set_data(P[:, 0], P[:, 1])
                    a["start"].set_data(P[:1, 0], P[:1, 1])
                    a["current"].set_data(P[-1:, 0], P[-1:, 1])
                elif panel == "curve":
                    a["path"].set_data(P[:, 0], L)
                    a["start"].set_data(P[:1, 0], L[:1])
                    a["current"].set_data(P[-1:, 0], L[-1:])
                elif panel == "loss":
                    a["line"].set_data(np.arange(len(L)), L)
                    if "validation" in a:
                        V = rest[0] if rest and rest[0] is not None else None
                        if V is None:
                            V = self.spec.validation_losses(P)
                        a["validation"].set_data(np.arange(len(L)), V)
                elif panel == "fit":
                    a["line"].set_data(*self.fit_xy(P[-1]))
                for art in a.values():
                    ax.draw_artist(art)

    def fit_xy(self, p: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """The model ``w x + b`` (or its sigmoid for logistic regression) across the fit panel."""
        x0, x1 = self.axes["fit"].get_xlim()
        if self.spec.fit_kind == "logistic":
            xs = np.linspace(x0, x1, 100)
            with np.errstate(all="ignore"):
                return xs, 1.0 / (1.0 + np.exp(-(p[0] * xs + p[1])))
        xs = np.array([x0, x1])
        return xs, p[0] * xs + p[1]

    def pngs(self, compress_level: int = 1) -> list[bytes]:
        """One PNG per panel from the canvas: RGB, no row filter, zlib at low compression.

        Pillow's encoder spends most of its time choosing row filters; a plain white-background
        figure compresses as well without them, at about half the time.
        """
        rgba = np.asarray(self.canvas.buffer_rgba())
        return [
            encode_png(np.ascontiguousarray(rgba[:, c0:c1]), compress_level)
            for c0, c1 in self._columns()
        ]

    def changed_pngs(self, compress_level: int = 1) -> list[bytes | None]:
        """Like :meth:`pngs`, with ``None`` for a panel whose pixels are those of the last call.

        An unchanged panel is neither encoded nor sent again. The first call encodes every panel.
        """
        rgba = np.asarray(self.canvas.buffer_rgba())
        last = self._last_rows
        out: list[bytes | None] = []
        for k, (c0, c1) in enumerate(self._columns()):
            raw = png_rows(rgba[:, c0:c1])
            if last[k] is not None and np.array_equal(raw, last[k]):
                out.append(None)
                continue
            last[k] = raw
            out.append(png_from_rows(raw, compress_level))
        return out

    def background_pngs(self, colors: int = 64) -> list[bytes]:
        """The background only, one small palette PNG per panel (for the static HTML form)."""
        self.canvas.restore_region(self._background)
        w, h = self.canvas.get_width_height(physical=True)
        whole = Image.frombuffer("RGBA", (w, h), self.canvas.buffer_rgba(), "raw", "RGBA", 0, 1)
        return [self._palette_png(whole.crop((c0, 0, c1, h)), colors) for c0, c1 in self._columns()]

    @staticmethod
    def _palette_png(img: Image.Image, colors: int) -> bytes:
        img = img.convert("RGB").quantize(
            colors=colors, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE
        )
        # the octree averages each colour cell: snap the near-white and near-black entries
        # back to pure white and black (the page background and the text)
        pal = np.asarray(img.getpalette()[: 3 * colors], dtype=int).reshape(-1, 3)
        for pure in (255, 0):
            i = int(np.argmin(np.abs(pal - pure).sum(axis=1)))
            if np.abs(pal[i] - pure).max() <= 8:
                pal[i] = pure
        img.putpalette(pal.astype(np.uint8).ravel().tolist())
        buf = io.BytesIO()
        img.save(buf, format="PNG", optimize=True)
        return buf.getvalue()

    def geometry(self) -> list[dict[str, Any]]:
        """Each panel's image size (CSS px), axes box (fractions of its image, from the top
        left) and data limits."""
        H = self.canvas.get_width_height(physical=True)[1]
        css_h = self.css_size[1]
        out = []
        for (panel, ax), (c0, c1), a, b in zip(
            self.axes.items(), self._columns(), self.cuts, self.cuts[1:], strict=False
        ):
            bb = ax.get_window_extent()
            w = c1 - c0
            out.append(
                {
                    "panel": panel,
                    "size": [b - a, css_h],
                    "box": [(bb.x0 - c0) / w, 1.0 - bb.y1 / H, bb.width / w, bb.height / H],
                    "xlim": [float(v) for v in ax.get_xlim()],
                    "ylim": [float(v) for v in ax.get_ylim()],
                    "xlog": ax.get_xscale() == "log",
                    "ylog": ax.get_yscale() == "log",
                }
            )
        return out

    @property
    def css_size(self) -> tuple[int, int]:
        """The figure's size in CSS pixels."""
        w, h = self.fig.get_size_inches()
        return round(w * CSS_DPI), round(h * CSS_DPI)
