"""The ``Examples`` sections of gdcore's docstrings run and print what they show (as scipy's do).

One test per module, so that a failing example names its module; the examples are collected
with :mod:`doctest` here (not ``pytest --doctest-modules``, which would also import the test
folders' ``conftest.py`` files as modules).
"""

from __future__ import annotations

import doctest
import importlib
import io
import pkgutil

import pytest

import gdcore

MODULES = sorted(m.name for m in pkgutil.walk_packages(gdcore.__path__, "gdcore."))
FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


@pytest.mark.parametrize(
    "obj",
    [gdcore.run, gdcore.SGD, gdcore.Adam, gdcore.check_grad, gdcore.functions.rosenbrock],
    ids=lambda o: o.__name__,
)
def test_the_main_entry_points_have_examples(obj):
    assert doctest.DocTestFinder(recurse=False).find(obj), f"{obj.__name__} has no Examples"


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples_run(name):
    module = importlib.import_module(name)
    out = io.StringIO()
    runner = doctest.DocTestRunner(optionflags=FLAGS)
    for test in doctest.DocTestFinder().find(module, name):
        if test.filename is None or not test.filename.startswith(module.__file__.rsplit("/", 1)[0]):
            continue  # objects imported from elsewhere are tested in their own module
        runner.run(test, out=out.write)
    result = runner.summarize(verbose=False)
    assert result.failed == 0, out.getvalue()
