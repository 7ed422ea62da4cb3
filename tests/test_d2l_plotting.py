"""d2l's plotting helpers work in the project's own environment (d2l 0.16.7 calls
IPython.display.set_matplotlib_formats, which IPython 9 removed), and d2l's show_images draws
what utils.show_images draws."""
import subprocess
import sys

import numpy as np
from d2l import mxnet as d2l
from matplotlib import pyplot as plt
from mxnet import nd

import utils
from gluon_tutorials import plotting


def test_use_svg_display_and_set_figsize_in_a_fresh_process():
    code = ("from d2l import mxnet as d2l; d2l.use_svg_display(); d2l.set_figsize((3.5, 2.5)); "
            "print(list(d2l.plt.rcParams['figure.figsize']))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[3.5, 2.5]"


def test_d2l_plot_draws_each_curve():
    d2l.set_figsize((3, 2))
    x = np.arange(5.0)
    d2l.plot(x, [x, x ** 2], "x", "y", legend=["x", "x^2"])
    ax = plt.gca()
    assert [list(line.get_ydata()) for line in ax.get_lines()] == [list(x), list(x ** 2)]
    assert [t.get_text() for t in ax.get_legend().get_texts()] == ["x", "x^2"]
    plt.close("all")


def test_show_images_agrees_with_d2l(tmp_path, monkeypatch):
    images = [nd.full((4, 4), i) for i in range(3)]  # d2l's show_images takes MXNet arrays
    titles = ["a", "b", "c"]
    axes = d2l.show_images(images, 1, 3, titles=titles)
    expected = [(ax.get_title(), ax.get_images()[0].get_array().tolist()) for ax in np.ravel(axes)]
    plt.close("all")
    drawn = []
    save = plotting.save
    monkeypatch.setattr(plotting, "save", lambda fig, path: (
        drawn.extend((ax.get_title(), ax.get_images()[0].get_array().tolist()) for ax in fig.axes),
        save(fig, path))[1])
    utils.show_images(images, titles, str(tmp_path / "grid.png"), ncols=3)
    assert drawn == expected
    assert (tmp_path / "grid.png").read_bytes().startswith(b"\x89PNG")
