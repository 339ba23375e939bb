"""Interactive explorers for the book: :func:`explore` returns an :class:`Explorer`.

In Jupyter (a kernel) an explorer is a live ipywidget: sliders redraw at once, from runs of
:func:`gdcore.run` batched over the learning-rate positions and cached. In the built HTML book
(``GDCORE_STATIC_HTML=1`` while the notebooks execute) its display also carries a
self-contained HTML block that works with no kernel and no network: trajectories precomputed
by gdcore, drawn by a small inline script
(``static/explorer.js``) that reads every shared constant from the payload schema of
:mod:`._schema`. Options (momentum, start, batch size...) are entries of the registry in
:mod:`._options`.
"""

from ._explorer import Explorer, explore

__all__ = ["Explorer", "explore"]
