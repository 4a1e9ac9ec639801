"""mkdocs hooks: render fgrad's `Example:` docstring sections as doctest examples.

fgrad's docstrings use Google style with a singular `Example:` heading; griffe's Google parser
only recognises the plural as an examples section, so teach it the singular too.
"""

from griffe._internal.docstrings import google
from griffe._internal.enumerations import DocstringSectionKind


def on_startup(command, dirty):
    """Called once when mkdocs starts."""
    google._section_kind.setdefault("example", DocstringSectionKind.examples)
