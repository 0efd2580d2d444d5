"""Faster rendering for explorers whose axes stay put: redraw only what moves.

Drawing a whole matplotlib figure costs tens of milliseconds, most of it in
tick labels, titles and other text that does not change when a slider moves.
:class:`BlitExplorer` draws the figure once *without* the artists that change
(the "background"), keeps that picture, and on every update pastes it back and
draws only the changing artists on top ("blitting", as in matplotlib's
animation module).

A subclass lists its changing artists in :meth:`_dynamic_artists` and says in
:meth:`_background_key` what the background depends on (e.g. the chosen
landscape, which changes the axis limits). Everything else that is drawn must
stay fixed while the key stays the same: axis limits, ticks, labels, legends.
When something else changes the background (an axis limit that grows with the
data), call :meth:`BlitExplorer.drop_backgrounds`.
Backgrounds are kept per key, so flipping back to an earlier choice is fast too.
Each background is a full copy of the figure's pixels (about 1.5 MB for a
typical explorer, 6 MB at pixel density 2), so only the
:attr:`BlitExplorer.max_backgrounds` most recently used ones are kept; the
least recently used is dropped first and simply drawn again if its key comes back.
"""

from __future__ import annotations

from cnnlib.explorers._base import Explorer

__all__ = ["BlitExplorer"]


class BlitExplorer(Explorer):
    """An :class:`Explorer` that re-renders only its changing artists.

    Attributes
    ----------
    max_backgrounds : int
        How many backgrounds (one per :meth:`_background_key`) are kept; when a
        new one would exceed it, the least recently used one is dropped. A
        subclass may set its own value.
    """

    max_backgrounds = 8

    def _dynamic_artists(self) -> list:
        """The artists that change between updates, plus any fixed artist that must
        stay on top of them (e.g. a zero line over a histogram). They are drawn on
        the background in order of their ``zorder``."""
        raise NotImplementedError

    def _background_key(self):
        """A hashable value; when it changes, the background is drawn again."""
        return None

    def drop_backgrounds(self):
        """Forget every kept background: the next render draws the figure in full.

        For a change the :meth:`_background_key` does not capture, e.g. axis
        limits that grow while a network trains.
        """
        self._backgrounds = {}

    def _pixel_density_changed(self):
        self.drop_backgrounds()  # they have the old size

    def render(self):
        """Paste the cached background, draw the changing artists, make the PNG."""
        canvas = self.figure.canvas
        if not hasattr(self, "_backgrounds"):
            self._backgrounds = {}
        dynamic = self._dynamic_artists()
        # a background per dpi too: a quick 1x picture and the sharp 2x one take turns
        key = (self.figure.dpi, self._background_key())
        if key not in self._backgrounds:
            if not self._layout_frozen:
                Explorer.render(self)  # one full draw with every artist fixes the layout
            # the background: everything but the changing artists, hidden for this draw
            # (animated=True would do, but matplotlib before 3.11 still draws animated images)
            shown = [artist for artist in dynamic if artist.get_visible()]
            for artist in shown:
                artist.set_visible(False)
            canvas.draw()
            self._backgrounds[key] = canvas.copy_from_bbox(self.figure.bbox)
            while len(self._backgrounds) > self.max_backgrounds:
                del self._backgrounds[next(iter(self._backgrounds))]  # least recently used
            for artist in shown:
                artist.set_visible(True)
        else:
            self._backgrounds[key] = self._backgrounds.pop(key)  # now the most recently used
            canvas.restore_region(self._backgrounds[key])
        for artist in sorted(dynamic, key=lambda a: a.get_zorder()):  # as a full draw would
            if artist.get_visible() and (artist.axes is None or artist.axes.get_visible()):
                self.figure.draw_artist(artist)
        self._publish(canvas.buffer_rgba())

    def _lay_out(self):
        """One full draw that fixes the layout, without keeping a background
        (e.g. with the tallest image shown, so later titles never move)."""
        Explorer.render(self)

    def _prepare_backgrounds(self, name):
        """Draw the background for every option of control ``name`` now, so that
        switching between them later is as fast as any other update."""
        control = self.controls[name]
        start = control.value
        for option in control.options:
            value = option[1] if isinstance(option, tuple) else option
            control.value = value
        control.value = start
