"""Checks shared by the explorer tests (the fixtures of ``tests/conftest.py`` apply too)."""

from __future__ import annotations

import pytest


def _check_usable_only_when(explorer, name, *, when, otherwise, moved_to):
    """``explorer.controls[name]`` works only in the settings ``when``.

    ``when`` and ``otherwise`` map control names to values. In the settings
    ``otherwise`` the control is disabled (moving it would change nothing, so
    the keyboard and screen readers skip it); in ``when`` it is enabled, and
    moving it to ``moved_to`` changes the picture. The explorer is left in
    ``otherwise``.
    """
    controls = explorer.controls

    def apply(settings):
        for key, value in settings.items():
            controls[key].value = value

    apply(otherwise)
    assert controls[name].disabled, f"{name} can be moved with {otherwise}: it changes nothing"
    apply(when)
    assert not controls[name].disabled, f"{name} is disabled with {when}"
    before = explorer.png
    controls[name].value = moved_to
    assert explorer.png != before, f"{name} = {moved_to!r} with {when} left the picture as it was"
    apply(otherwise)
    assert controls[name].disabled, f"{name} stays usable after going back to {otherwise}"


@pytest.fixture
def usable_only_when():
    """:func:`_check_usable_only_when`: a control that matters only in some settings is
    disabled in the others (call it with the explorer, the control's name, ``when=``,
    ``otherwise=`` and ``moved_to=``)."""
    return _check_usable_only_when
