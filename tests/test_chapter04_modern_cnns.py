"""The modern CNNs of the book's release 0.6: nin_gluon, googlenet_gluon, resnet_gluon,
densenet_gluon. Each section runs once in this process on tiny Fashion-MNIST at its smallest
image size (a few seconds each); the tests read its namespace and printout. The shapes the
book's cells print, the smallest image sizes, and the channel arithmetic of each net are
checked on nets built from the section's own classes and functions."""
import re

import pytest
from mxnet import nd
from mxnet.gluon import nn

from conftest import write_fashion_mnist
from gluon_tutorials import __main__ as runner
from gluon_tutorials import cli, runtime, sections
from test_chapter04_alexnet_vgg import fresh_net
from test_chapter04_lenet_bn import check_is_a_notebook, defaults, execute, is_png, tiny_data
from test_cli import assert_one_line_exit_2

# slug -> the book's (epochs, batch size, learning rate, resize), and the smallest resize
BOOK = {
    "nin_gluon": ((1, 64, 0.1, 224), 67),
    "googlenet_gluon": ((1, 64, 0.01, 96), 93),
    "resnet_gluon": ((1, 64, 0.05, 96), 75),
    "densenet_gluon": ((1, 64, 0.1, 32), 29),
}
SLUGS = list(BOOK)
# Two batches of 16 at the smallest image size.
TINY = {slug: {"epochs": 1, "subset": 32, "batch_size": 16, "resize": minimum, "ctx": "cpu"}
        for slug, (_, minimum) in BOOK.items()}
# The lines of the book's release 0.6 utils.train, which these sections call.
START = "Start training on  cpu(0)"
EPOCH_LINE = re.compile(r"^Epoch (\d+)\. Loss: (\d+\.\d{3}), Train acc (\d\.\d{2}), "
                        r"Test acc (\d\.\d{2}), Time (\d+\.\d) sec$", re.MULTILINE)
# What each section's demonstration cells print, in order (the book's shapes).
PRINTED = {
    "nin_gluon": ["(32, 64, 6, 6)"],
    "googlenet_gluon": ["(32, 256, 64, 64)",
                        "Block 1 output: (4, 64, 23, 23)", "Block 2 output: (4, 192, 11, 11)",
                        "Block 3 output: (4, 480, 5, 5)", "Block 4 output: (4, 832, 2, 2)",
                        "Block 5 output: (4, 1024, 1, 1)", "Block 6 output: (4, 10)"],
    "resnet_gluon": ["(4, 3, 6, 6)", "(4, 8, 3, 3)",
                     "Block 1 output: (4, 64, 45, 45)", "Block 2 output: (4, 64, 22, 22)",
                     "Block 3 output: (4, 128, 11, 11)", "Block 4 output: (4, 256, 6, 6)",
                     "Block 5 output: (4, 512, 3, 3)", "Block 6 output: (4, 10)"],
    "densenet_gluon": ["(4, 23, 8, 8)", "(4, 10, 4, 4)"],
}
# A new, uninitialized net from the section's own definitions.
BUILD = {
    "nin_gluon": lambda run: fresh_net(run, "nin_gluon"),
    "googlenet_gluon": lambda run: run.ns["GoogLeNet"](10),
    "resnet_gluon": lambda run: run.ns["ResNet"](10),
    "densenet_gluon": lambda run: run.ns["dense_net"](),
}


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


def built(run, slug):
    net = BUILD[slug](run)
    net.initialize(force_reinit=True)  # fresh_net has initialized NiN already
    return net


def layers(block, kind):
    """Every `kind` layer inside `block`, depth first."""
    found = [block] if isinstance(block, kind) else []
    for child in block._children.values():
        found += layers(child, kind)
    return found


@pytest.mark.parametrize("slug", SLUGS)
def test_is_a_notebook_with_the_books_defaults(slug):
    check_is_a_notebook(slug)
    (epochs, batch_size, learning_rate, resize), _ = BOOK[slug]
    params = defaults(slug)
    assert (params["epochs"], params["batch_size"], params["learning_rate"], params["resize"]) == (
        epochs, batch_size, learning_rate, resize)
    assert (params["ctx"], params["seed"], params["subset"]) == ("auto", 1, None)
    assert params["out"] == f"out/{slug}"
    section = sections.get(slug)
    assert section.dataset == "fashion-mnist" and section.cpu_subset


def test_registered_after_vgg_in_the_books_order():
    slugs = [s.slug for s in sections.SECTIONS]
    start = slugs.index("vgg_gluon") + 1
    assert slugs[start:start + 4] == SLUGS


@pytest.mark.parametrize("slug", SLUGS)
def test_prints_the_books_shapes_then_trains_one_epoch(slug, ran):
    run = ran(slug)
    printed = [line for line in run.out.splitlines() if line.startswith(("(", "Block "))]
    assert printed == PRINTED[slug]
    size = TINY[slug]["resize"]
    book_size = BOOK[slug][0][3]
    quick = (f"Quick run on images resized to {size}x{size} (the book: {book_size}x{book_size}); "
             f"expect other accuracies than the book's.")
    assert run.out.count(quick) == (1 if size < book_size else 0)
    assert run.out.count("Using only the first 32 training and first 32 test examples") == 1
    assert run.out.count(START) == 1
    [(epoch, loss, train_acc, test_acc, seconds)] = EPOCH_LINE.findall(run.out)
    assert epoch == "0" and float(loss) > 0 and 0 <= float(train_acc) <= 1
    assert run.ns["test_acc"] == pytest.approx(float(test_acc), abs=5e-3)
    # utils.train times its epochs for reproduce
    assert len(run.seconds) == 1 and run.seconds[0] == pytest.approx(float(seconds), abs=0.051)
    assert is_png(run.dir / "predictions.png")


@pytest.mark.parametrize("slug", SLUGS)
def test_batches_are_enlarged_to_resize(slug, ran):
    ns = ran(slug).ns
    data, label = next(iter(ns["train_data"]))
    size = TINY[slug]["resize"]
    assert data.shape == (16, 1, size, size) and label.shape == (16,)
    assert 0 <= data.min().asscalar() < data.max().asscalar() <= 1


@pytest.mark.parametrize("slug", SLUGS)
def test_smallest_image_size_is_the_computed_one(slug, ran):
    run = ran(slug)
    minimum = BOOK[slug][1]
    assert run.ns["min_resize"] == minimum == cli.MINIMUM[(slug, "resize")]
    assert built(run, slug)(nd.zeros((1, 1, minimum, minimum))).shape == (1, 10)
    with pytest.raises(Exception, match="exceeds input|out of range|shape"):
        built(run, slug)(nd.zeros((1, 1, minimum - 1, minimum - 1)))


@pytest.mark.parametrize("slug", SLUGS)
def test_too_small_images_are_refused_before_anything_runs(slug, data_dir, tmp_path, capsys):
    minimum = BOOK[slug][1]
    # no data at all: the check comes before the loading
    with pytest.raises(ValueError, match=f"at least {minimum}x{minimum}, but resize = {minimum - 1}"):
        execute(slug, tmp_path, resize=minimum - 1)
    # and on the command line, one line and exit 2
    message = f"expected an integer >= {minimum}, got {minimum - 1}"
    assert_one_line_exit_2(lambda: cli.parse(sections.get(slug), ["--resize", str(minimum - 1)]),
                           message, capsys)


@pytest.mark.parametrize("slug", SLUGS)
def test_a_missing_gpu_is_one_line_before_anything_loads(slug, tmp_path, capsys, monkeypatch):
    import utils

    monkeypatch.setattr(utils, "num_gpus", lambda: 0)
    out = tmp_path / "out"
    assert_one_line_exit_2(lambda: runner.main(["run", slug, "--ctx", "gpu", "--out", str(out)]),
                           "gpu:0 was asked for but no GPU is visible", capsys)
    assert not out.exists() or not any(out.iterdir())
    assert "Block" not in capsys.readouterr().out  # no cell ran
    with pytest.raises(runtime.DeviceError):
        execute(slug, tmp_path, ctx="gpu:1")


def test_resnet18_has_18_weighted_layers_and_halves_by_strides(ran):
    net = built(ran("resnet_gluon"), "resnet_gluon")
    convs = layers(net, nn.Conv2D)
    shortcuts = [c for c in convs if c._kwargs["kernel"] == (1, 1)]
    # the 1x1 shortcuts of the three channel-changing blocks are not counted in the 18
    assert len(shortcuts) == 3
    assert len(convs) - len(shortcuts) + len(layers(net, nn.Dense)) == 18
    assert not layers(net.net[2], nn.MaxPool2D)  # no pool after stage 2: strides halve
    x = nd.zeros((1, 1, 96, 96))
    shapes = []
    for block in net.net:
        x = block(x)
        shapes.append(x.shape)
    assert shapes == [(1, 64, 45, 45), (1, 64, 22, 22), (1, 128, 11, 11), (1, 256, 6, 6),
                      (1, 512, 3, 3), (1, 10)]


def test_residual_adds_its_input(ran):
    ns = ran("resnet_gluon").ns
    blk = ns["Residual"](3)
    blk.initialize()
    x = nd.random.uniform(shape=(2, 3, 4, 4))
    assert (blk(x) != x).max().asscalar() == 1  # random weights: not the identity
    # zero convolutions leave relu(bn(0) + x) = relu(x) = x for a positive input
    for conv in layers(blk, nn.Conv2D):
        conv.weight.set_data(nd.zeros(conv.weight.shape))
        conv.bias.set_data(nd.zeros(conv.bias.shape))
    assert (blk(x) == x).min().asscalar() == 1


def test_inception_concatenates_its_four_paths(ran):
    ns = ran("googlenet_gluon").ns
    incp = ns["Inception"](64, 96, 128, 16, 32, 32)
    incp.initialize()
    x = nd.random.uniform(shape=(2, 3, 8, 8))
    out = incp(x)
    assert out.shape == (2, 64 + 128 + 32 + 32, 8, 8)
    # the first 64 channels are path 1 alone
    assert nd.abs(out[:, :64] - incp.p1_conv_1(x)).max().asscalar() == 0
    # the channels the nine blocks give are the sums of their paths' outputs
    net = built(ran("googlenet_gluon"), "googlenet_gluon")
    blocks = layers(net, ns["Inception"])
    assert [b.p1_conv_1._channels + b.p2_conv_3._channels + b.p3_conv_5._channels
            + b.p4_conv_1._channels for b in blocks] == [
        256, 480, 512, 512, 512, 528, 832, 832, 1024]


def test_nin_ends_in_one_averaged_map_per_class(ran):
    net = built(ran("nin_gluon"), "nin_gluon")
    assert not layers(net, nn.Dense)
    x = nd.zeros((1, 1, 224, 224))
    # the last mlpconv's 10 maps are 5 x 5 at the book's size
    assert net[:5](x).shape == (1, 10, 5, 5)
    assert net(x).shape == (1, 10)
    # each mlpconv is a convolution and two 1x1 convolutions
    kernels = [[c._kwargs["kernel"] for c in layers(block, nn.Conv2D)] for block in net[:5]
               if layers(block, nn.Conv2D)]
    assert kernels == [[(11, 11), (1, 1), (1, 1)], [(5, 5), (1, 1), (1, 1)],
                       [(3, 3), (1, 1), (1, 1)], [(3, 3), (1, 1), (1, 1)]]


def test_densenet_channels_grow_by_the_growth_rate(ran):
    ns = ran("densenet_gluon").ns
    net = built(ran("densenet_gluon"), "densenet_gluon")
    x = nd.zeros((1, 1, 32, 32))
    channels = []
    for block in net[:11]:  # the first four layers, then dense and transition blocks
        x = block(x)
        if isinstance(block, ns["DenseBlock"]) or len(block._children) == 4:
            channels.append(x.shape[1:])
    # Each dense block adds layers x 32 channels. The book's `channels` counts the blocks'
    # channels without the transitions' halving (64 + 6 x 32 = 256, + 12 x 32 = 640,
    # + 24 x 32 = 1408), and each transition gets half of that count: 128, 320, 704.
    assert channels == [(256, 8, 8), (128, 4, 4), (128 + 12 * 32, 4, 4), (320, 2, 2),
                        (320 + 24 * 32, 2, 2), (704, 1, 1), (704 + 16 * 32, 1, 1)]
    assert len(layers(net, ns["DenseBlock"])) == 4
    assert net(nd.zeros((1, 1, 32, 32))).shape == (1, 10)


def test_reproduce_records_our_accuracy_and_the_epoch_time(tiny, tmp_path):
    """The path of the full-epoch measurement (`reproduce --sections densenet_gluon --subset
    60000`), on the tiny data: DenseNet's book size (32) is small enough to run here."""
    import json

    from gluon_tutorials import reproduce

    out = tmp_path / "report"
    assert reproduce.main(["--sections", "densenet_gluon", "--subset", "32", "--ctx", "cpu",
                           "--out", str(out), "--quiet"]) == 0
    [entry] = json.loads((out / "report.json").read_text())["sections"]
    assert entry["status"] == "ok" and entry["seeds"] == [1]
    [row] = entry["rows"]
    assert row["metric"] == "test_acc" and row["verdict"] == "no book figure"
    assert row["book"] is None and 0 <= row["mean"] <= 1 and row["seeds"] == 1
    assert entry["seconds_per_epoch"] > 0
    assert "subset of 32 train/test examples" in entry["notes"]
    assert "| densenet_gluon | test_acc | no book figure |" in (out / "report.md").read_text()


def test_a_device_list_trains_and_draws_the_predictions(ran, tmp_path):
    """The sections' last cells with `ctx` a list of devices, as `--ctx cpu:0,cpu:1` gives."""
    import mxnet as mx

    import utils

    ns = ran("densenet_gluon").ns
    devices = [mx.cpu(0), mx.cpu(1)]
    net = ns["dense_net"]()
    net.initialize(ctx=devices)
    trainer = mx.gluon.Trainer(net.collect_params(), "sgd", {"learning_rate": 0.1})
    result = utils.train(ns["train_data"], ns["test_data"], net, ns["loss"], trainer, devices,
                         num_epochs=1, log=lambda line: None)
    assert 0 <= result["test_acc"] <= 1
    utils.show_predictions(net, ns["test_data"], devices, tmp_path / "p.png", n=4)
    assert is_png(tmp_path / "p.png")
