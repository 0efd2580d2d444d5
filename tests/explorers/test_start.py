import numpy as np

from cnnlib import WidgetCheck


def test_slider_changes_the_wave_and_the_picture():
    explorer = WidgetCheck()
    first_png, first = explorer.png, explorer.output.copy()
    explorer.controls["frequency"].value = 3.0
    x = np.linspace(0, 2 * np.pi, 200)
    np.testing.assert_allclose(explorer.output, np.sin(3.0 * x))
    assert not np.allclose(explorer.output, first)
    assert explorer.png != first_png and explorer.png.startswith(b"\x89PNG")
    assert explorer.message == ""


def test_displays_as_widget_with_png_fallback():
    bundle = WidgetCheck()._repr_mimebundle_()
    assert "application/vnd.jupyter.widget-view+json" in bundle
    assert "image/png" in bundle
