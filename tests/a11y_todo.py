"""What is not accessible (or presentable) yet: the allowlists of the accessibility tests.

Every explorer, notebook and figure of the course is held to the same rules
(issue 15: every picture described, every control named and usable from the
keyboard; issue 11: slides for every notebook). The tests apply each rule to
everything, except the names listed here, which are not done yet. Each list is
grouped by notebook, one name per line: when you finish your part, delete
your lines (the tests then hold your work to the rule, and fail if a listed
name already passes, so the lists only shrink).

Read by ``tests/explorers/test_accessibility.py``, ``tests/test_notebook_a11y.py``,
``tests/test_slides.py`` and ``tests/browser/``.
"""

from __future__ import annotations

#: Explorers whose picture is described only by the generic fallback (the explorer's
#: title and its panels' titles). Done = the explorer overrides ``_describe_picture``
#: (and ``_describe_impossible`` if its message leaves part of the picture), saying
#: with numbers what the picture shows now; its browser test then also checks that
#: the picture's alt text changes when the picture does.
NOT_DESCRIBED: set[str] = set()  # none left (01_pixels ... 07_inside_the_network: done)

#: Explorers with a control that has no accessible name (see
#: ``cnnlib.explorers._a11y.unnamed_controls``). Done = every control has a
#: ``description``, a button has text, a box whose label is a visible heading has
#: ``hidden_name(box, "...")``.
UNNAMED_CONTROLS: set[str] = set()  # none left (06_training's NetworkBuilder: done)

#: Explorers not yet fully usable with the keyboard in the browser suite: Tab
#: reaches every control, arrows/Home/End move sliders and menus, Enter/Space press
#: buttons, and the picture changes. Done = the browser test's keyboard pass for the
#: explorer is green (a drawing pad needs a keyboard way to get a digit, e.g. a
#: "sample digit" button).
KEYBOARD_TODO: set[str] = set()  # none left (01_pixels ... 07_inside_the_network: done)

#: Names above that are not in cnnlib yet (being built elsewhere): allowed to be absent.
PENDING_EXPLORERS: set[str] = set()

#: Notebooks whose outputs still have axe-core WCAG 2.1 A/AA violations the course can
#: fix (after Run All and after moving each explorer's control; upstream ones, listed
#: in tests/browser/axe.py, never fail). Done = the browser test of the notebook
#: reports none (typically: describe() the figures of plain-matplotlib cells, and the
#: notebook's explorers are out of NOT_DESCRIBED / KEYBOARD_TODO).
AXE_TODO: set[str] = set()  # none left (01_pixels: done)

#: Notebooks with a figure shown without a text alternative (a cell drawing with
#: plain matplotlib, not with cnnlib.plotting). Done = each such cell calls
#: ``describe(fig_or_ax, "what it shows")`` (``from cnnlib import describe``).
FIGURES_WITHOUT_ALT: set[str] = set()  # none left (01_pixels ... 07_inside_the_network: done)

#: Numbered notebooks without slide metadata yet. Done = at least 3 cells are
#: slides and at least 90% of the cells have a slide type (View > Cell Toolbar, or the
#: property inspector's "Slide Type"; see the README's "Teaching" section).
NO_SLIDES: set[str] = set()  # none left: 00-07 have their slides
