"""AlexNet and VGG: each section runs once on tiny data at its smallest image size; the
tests read its namespace and printout. Shapes at the book's image sizes and the parameter
counts against a hand count come from the section's own net cell, executed again."""
import re

import pytest
from mxnet import autograd, nd

import utils
from conftest import run_section, write_fashion_mnist
from gluon_tutorials import data, notebook, runtime, sections
from test_chapter04_lenet_bn import (check_is_a_notebook, defaults, execute, is_png, log_lines,
                                     tiny_data)

# slug -> (epochs, batch size, learning rate, resize) of the book, its smallest resize, and
# the book's test accuracy
BOOK = {
    "alexnet_gluon": ((1, 64, 0.01, 224), 67, 0.8019),
    # the book's text trains VGG at 0.05 (AlexNet: 0.01)
    "vgg_gluon": ((1, 64, 0.05, 96), 32, 0.8247),
}
SLUGS = list(BOOK)
# One batch of 64 at the smallest image size: a few seconds each.
TINY = {slug: {"epochs": 1, "subset": 64, "resize": minimum, "ctx": "cpu"}
        for slug, (_, minimum, _) in BOOK.items()}


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    with tiny_data(tmp_path_factory,
                   lambda folder, mp: write_fashion_mnist(folder / "fashion-mnist", mp)) as t:
        yield t


@pytest.fixture(scope="module")
def ran(tiny):
    """ran(slug): the section's run on the tiny data (TINY), executed on first use."""
    root, _ = tiny
    cache = {}

    def get(slug):
        if slug not in cache:
            cache[slug] = execute(slug, root / "out" / slug, **TINY[slug])
        return cache[slug]
    return get


def fresh_net(run, slug):
    """A new, uninitialized net from the section's own net cell, run again in a copy of
    the namespace (VGG's cell calls the vgg_stack the section defined)."""
    nb = notebook.read(sections.get(slug).path)
    [cell] = [c for c in nb.cells if c.cell_type == "code" and "net = nn.Sequential()" in c.source]
    ns = dict(run.ns)
    exec(cell.source, ns)  # noqa: S102  (the project's own section)
    assert ns["net"] is not run.ns["net"]
    ns["net"].initialize()
    return ns["net"]


def conv_params(c_in, c_out, k):
    return c_out * c_in * k * k + c_out


def dense_params(n_in, n_out):
    return n_in * n_out + n_out


def out_size(size, kernel, stride=1, pad=0):
    return (size + 2 * pad - kernel) // stride + 1


def count_params(net):
    return sum(p.data().size for p in net.collect_params().values())


# --- both sections --------------------------------------------------------------------------

@pytest.mark.parametrize("slug", SLUGS)
def test_is_a_notebook_with_the_books_defaults(slug):
    check_is_a_notebook(slug)
    (epochs, batch_size, learning_rate, resize), _, test_acc = BOOK[slug]
    params = defaults(slug)
    assert (params["epochs"], params["batch_size"], params["learning_rate"], params["resize"]) == (
        epochs, batch_size, learning_rate, resize)
    assert (params["ctx"], params["seed"], params["subset"], params["hybridize"]) == (
        "auto", 1, None, True)
    assert params["out"] == f"out/{slug}"
    assert sections.get(slug).book == {"test_acc": test_acc}
    assert sections.get(slug).cpu_subset


@pytest.mark.parametrize("slug", SLUGS)
def test_a_tiny_run_says_it_is_smaller_than_the_books(slug, ran):
    run = ran(slug)
    size = TINY[slug]["resize"]
    book_size = BOOK[slug][0][3]
    assert run.out.count(f"Quick run on images resized to {size}x{size} (the book: "
                         f"{book_size}x{book_size}); expect other accuracies than the book's.") == 1
    assert run.out.count("Using only the first 64 training and first 64 test examples") == 1
    [(epoch, loss, train_acc, test_acc)] = log_lines(run.out)
    assert epoch == 0 and loss > 0 and 0 <= train_acc <= 1
    assert run.ns[sections.get(slug).variable("test_acc")] == pytest.approx(test_acc, abs=5e-7)
    assert len(run.seconds) == 1
    assert is_png(run.dir / "predictions.png")


@pytest.mark.parametrize("slug", SLUGS)
@pytest.mark.parametrize("change", ["none", "smaller", "larger"])
def test_notice_comes_before_any_data_is_read(slug, change, data_dir, tmp_path, capsys):
    """Without data the run stops at the loading; what it printed before is the notice."""
    book_size = BOOK[slug][0][3]
    overrides, notice = {
        "none": ({}, None),
        "smaller": ({"resize": book_size - 1},
                    f"Quick run on images resized to {book_size - 1}x{book_size - 1} "
                    f"(the book: {book_size}x{book_size}); expect"),
        "larger": ({"resize": book_size + 1}, None),
    }[change]
    with pytest.raises(data.DataError):
        run_section(slug, tmp_path, **overrides)
    printed = capsys.readouterr().out
    if notice is None:
        assert "Quick run" not in printed
    else:
        assert notice in printed


@pytest.mark.parametrize("slug", SLUGS)
def test_too_small_images_are_refused_before_anything_runs(slug, data_dir, tmp_path):
    minimum = BOOK[slug][1]
    # no data at all: the check comes before the loading
    with pytest.raises(ValueError, match=f"at least {minimum}x{minimum}, but resize = {minimum - 1}"):
        execute(slug, tmp_path, resize=minimum - 1)


@pytest.mark.parametrize("slug", SLUGS)
def test_smallest_image_size_is_the_computed_one(slug, ran):
    net = fresh_net(ran(slug), slug)
    minimum = BOOK[slug][1]
    assert net(nd.zeros((1, 1, minimum, minimum))).shape == (1, 10)
    with pytest.raises(Exception, match="exceeds input"):
        fresh_net(ran(slug), slug)(nd.zeros((1, 1, minimum - 1, minimum - 1)))


@pytest.mark.parametrize("slug", SLUGS)
def test_one_more_sgd_step_lowers_the_loss(slug, ran):
    ns = ran(slug).ns
    data, label = next(iter(ns["train_data"]))
    size = TINY[slug]["resize"]
    assert data.shape == (64, 1, size, size)
    loss, net = ns["softmax_cross_entropy"], ns["net"]
    # outside autograd.record the dropout layers pass everything: a deterministic loss
    before = loss(net(data), label).mean().asscalar()
    with autograd.record():
        batch_loss = loss(net(data), label)
    batch_loss.backward()
    ns["trainer"].step(data.shape[0])
    assert loss(net(data), label).mean().asscalar() < before


@pytest.mark.parametrize("slug", SLUGS)
def test_transform_enlarges_one_example(slug, ran):
    image = nd.array([[[0], [255]], [[255], [0]]], dtype="uint8")  # 2 x 2 x 1, HWC
    data, label = ran(slug).ns["transform"](image, nd.array([3]))
    size = TINY[slug]["resize"]
    assert data.shape == (1, size, size) and data.dtype.__name__ == "float32"
    assert 0 <= data.min().asscalar() < data.max().asscalar() <= 1
    assert label.asscalar() == 3
    # the same pixels as utils' batch-wise resize
    batch = nd.image.resize(image.expand_dims(0), size=size)
    expected = utils.transform_mnist(batch[0], label)[0]
    assert (data == expected).min().asscalar() == 1


# At 1e9 AlexNet's first step leaves every ReLU dead: from then on only the output bias
# moves, and the loss grows with the rate (to ~1e8) but stays finite, which check_finite
# cannot tell from a bad but finite run. Between 10 and 1e30 whether the loss overflows
# depends on the exact path; at 1e38 the weights themselves overflow float32.
DIVERGING = {"alexnet_gluon": 1e38, "vgg_gluon": 1e9}


@pytest.mark.parametrize("slug", SLUGS)
def test_a_diverging_run_stops_before_writing(slug, tiny, tmp_path):
    rate = DIVERGING[slug]
    with pytest.raises(runtime.Diverged, match=re.escape(f"learning_rate = {rate:g}")):
        # three batches: the second and third losses come after a step
        execute(slug, tmp_path, **dict(TINY[slug], subset=96, batch_size=32, learning_rate=rate))
    assert not (tmp_path / "predictions.png").exists()


# --- AlexNet --------------------------------------------------------------------------------

def test_alexnet_shapes_and_parameter_count_at_224(ran):
    net = fresh_net(ran("alexnet_gluon"), "alexnet_gluon")
    x = nd.zeros((1, 1, 224, 224))
    assert net(x).shape == (1, 10)

    side = out_size(224, 11, stride=4)          # conv 1: 54
    side = out_size(side, 3, stride=2)          # pool: 26 (conv 2 keeps it)
    side = out_size(side, 3, stride=2)          # pool: 12 (convs 3-5 keep it)
    side = out_size(side, 3, stride=2)          # pool: 5
    features = 256 * side * side
    assert net[:9](x).shape == (1, features) == (1, 6400)
    expected = (conv_params(1, 96, 11) + conv_params(96, 256, 5) + conv_params(256, 384, 3)
                + conv_params(384, 384, 3) + conv_params(384, 256, 3)
                + dense_params(features, 4096) + dense_params(4096, 4096) + dense_params(4096, 10))
    assert count_params(net) == expected


def test_alexnet_is_initialized_with_xavier(ran):
    # Xavier (uniform, magnitude 3, averaging fan in and out) draws the first conv's weights
    # from +-sqrt(3 / ((1 * 121 + 96 * 121) / 2)) = +-0.0226; MXNet's default from +-0.07.
    # One SGD step at 0.01 moves them by far less than the difference.
    net = ran("alexnet_gluon").ns["net"]
    largest = nd.abs(net[0].weight.data()).max().asscalar()
    assert 0.02 < largest < 0.0226 + 0.005


# --- VGG --------------------------------------------------------------------------------------

def test_vgg_block_halves_the_side_and_sets_channels(ran):
    run = ran("vgg_gluon")
    assert run.ns["y"].shape == (2, 128, 8, 8)
    assert "(2, 128, 8, 8)" in run.out
    assert run.ns["architecture"] == ((1, 64), (1, 128), (2, 256), (2, 512), (2, 512))
    stack = run.ns["vgg_stack"](run.ns["architecture"])
    assert [sum(type(layer).__name__ == "Conv2D" for layer in block) for block in stack] == [
        1, 1, 2, 2, 2]


def test_vgg11_shapes_and_parameter_count_at_96(ran):
    net = fresh_net(ran("vgg_gluon"), "vgg_gluon")
    x = nd.zeros((1, 1, 96, 96))
    assert net(x).shape == (1, 10)

    side = 96 // 2 ** 5
    assert net[0](x).shape == (1, 512, side, side)
    channels = [1, 64, 128, 256, 256, 512, 512, 512, 512]
    convs = sum(conv_params(c_in, c_out, 3) for c_in, c_out in zip(channels, channels[1:]))
    expected = (convs + dense_params(512 * side * side, 4096) + dense_params(4096, 4096)
                + dense_params(4096, 10))
    assert count_params(net) == expected
