"""The contract between gdcore and ``static/explorer.js``: one versioned payload schema.

Every value both sides need (status codes and texts, the loss and parameter codes, drawing
sizes) is defined here once and sent in each static explorer's payload as
``payload["schema"]``; explorer.js reads them from there and defines none of them itself. It
only knows which payload format it implements, and compares that with ``payload["v"]``: a
mismatch (a page that mixes explorers built by different versions of gdcore) shows
:data:`VERSION_MISMATCH` in the explorer's status line instead of a wrong picture.

The payload (JSON, one per explorer; keys sorted):

``v``
    :data:`VERSION`.
``schema``
    :func:`schema`: the constants below.
``controls``
    One entry per control, in display order: ``name`` (its text, also ``data-name`` of its
    input), ``key`` (``"lr"``, ``"steps"``, ``"optimizer"``, an option's key), ``kind``
    (``"range"`` or ``"select"``), ``labels`` (readout texts, ``null`` for steps),
    ``values`` (the exact value of each position: numbers for numeric controls, ``null``
    for the full batch, a list for a start point, a label for an optimizer), ``value``
    (the initial position) and, for the learning rate, ``marks`` (``[[label, index]]``).
``options``, ``radix``
    The keys of the discrete controls whose combinations were precomputed, and their sizes
    (combination index: the last option varies fastest).
``n_lr``, ``n_active``, ``dim``, ``compare``, ``labels``, ``jump``
    Learning-rate positions, series drawn at once, parameter count, compare mode, series
    labels, and per series the learning-rate position its selection jumps to (or ``null``).
``panels``
    Per panel, left to right: ``panel`` (name), ``size`` (CSS pixels of its image), ``box``
    (the axes box in fractions of the image, from the top left), ``xlim``, ``ylim``, ``xlog``,
    ``ylog``.
``style``
    Colours per series and line widths / marker sizes in CSS pixels.
``fit``
    The fit panel's model, one of :data:`FIT_KINDS`, or ``null``.
``data``, ``layout``
    The runs: base64 of a zlib stream, and its sections, sizes and parameter box.
"""

from __future__ import annotations

from typing import Any

from ..running import CONVERGED, DIVERGED, MAX_STEPS

#: payload format; explorer.js states the format it implements and checks ``payload["v"]``
VERSION = 3

#: run status -> code stored per run
STATUS_CODES = {MAX_STEPS: 0, CONVERGED: 1, DIVERGED: 2}
#: status texts by status code; ``{steps}`` is "1 step" / "n steps", ``{loss}`` the loss text
STATUS_TEXTS = {
    0: "after {steps}: loss {loss}",
    1: "converged after {steps}",
    2: "diverged after {steps}",
}
STEP_WORDS = ("step", "steps")  # singular (n = 1), plural
SERIES_SEPARATOR = "; "  # between the series' texts in compare mode
LABEL_SEPARATOR = ": "  # between a series' label and its text in compare mode
ERROR_PREFIX = "error: "  # a failed redraw shows this and the error's message
VERSION_MISMATCH = (
    "explorer data format {got} does not match explorer.js format {want}: rebuild the page"
)

# Losses are stored as the digits Python's f"{loss:.3g}" shows: mantissa 100..999 and decimal
# exponent, optionally one more digit (the rounding residual -5..5) for drawing, and a sign.
# code = ((e - E_MIN) * MANTISSAS + m - 100) [* REFINE + r + 5] + 1 (+ SIGN_BIT if negative)
LOSS_DIGITS = 3
E_MIN = -350  # decimal exponents -350..309 cover every float64
MANTISSAS = 900
REFINE = 11
SIGN_BIT = 1 << 23
CODE_ZERO, CODE_NAN, CODE_INF, CODE_NINF = 0, (1 << 24) - 1, (1 << 24) - 2, (1 << 24) - 3

# Parameters: a QBITS-bit grid over a box per coordinate; code QMAX + 1 marks a value kept as
# float32 in the "exceptions" section instead.
QBITS = 14
QMAX = (1 << QBITS) - 2

# Drawing
CSS_DPI = 100  # CSS pixels per inch of the figure
MARKER_MAX = 100  # iterates get markers while at most this many points are shown
CURVE_DASH = (3.7, 1.6)  # matplotlib's "--": dash and gap in line widths
VALIDATION_DASH = (3.7, 1.6)  # the validation loss line: dash and gap in line widths
MARKER_EDGE_PT = 1.0  # matplotlib's default marker edge width, points
CLIP_MARGIN_PX = 50  # lines are clipped this far outside the axes box
MARKER_MARGIN_PX = 10  # start/current markers are drawn this far outside the axes box
FIT_KINDS = ("linear", "logistic")
FIT_POINTS = {"linear": 2, "logistic": 100}  # points of the fitted curve across the panel
PANELS = ("curve", "contour", "loss", "fit")
NARROW_PX = 600  # below this viewport width the panels stack at full width


def status_text(code: int, nit: int, k: int, loss_text: str) -> str:
    """The status of a run (code, stopped after ``nit`` updates) with ``k`` steps revealed."""
    done = code != 0 and nit <= k  # the run stopped within the revealed steps
    n = nit if done else k
    steps = f"{n} {STEP_WORDS[0] if n == 1 else STEP_WORDS[1]}"
    return STATUS_TEXTS[code if done else 0].format(steps=steps, loss=loss_text)


def schema() -> dict[str, Any]:
    """The constants explorer.js reads (``payload["schema"]``)."""
    return {
        "status_texts": {str(k): v for k, v in STATUS_TEXTS.items()},
        "step_words": list(STEP_WORDS),
        "series_separator": SERIES_SEPARATOR,
        "label_separator": LABEL_SEPARATOR,
        "error_prefix": ERROR_PREFIX,
        "version_mismatch": VERSION_MISMATCH,
        "loss_digits": LOSS_DIGITS,
        "e_min": E_MIN,
        "mantissas": MANTISSAS,
        "refine": REFINE,
        "sign_bit": SIGN_BIT,
        "code_zero": CODE_ZERO,
        "code_nan": CODE_NAN,
        "code_inf": CODE_INF,
        "code_ninf": CODE_NINF,
        "qmax": QMAX,
        "css_dpi": CSS_DPI,
        "marker_max": MARKER_MAX,
        "curve_dash": list(CURVE_DASH),
        "validation_dash": list(VALIDATION_DASH),
        "marker_edge_pt": MARKER_EDGE_PT,
        "clip_margin_px": CLIP_MARGIN_PX,
        "marker_margin_px": MARKER_MARGIN_PX,
        "fit_points": dict(FIT_POINTS),
    }
