"""AlexNet and VGG: shapes at the book's image sizes, parameter counts against a hand
count, the smallest image each can take, one SGD step, and main at tiny settings."""
import argparse
import re

import pytest
from mxnet import autograd, gluon, init, nd

import utils
from gluon_tutorials import sections
from gluon_tutorials.chapter04_convolutional_neural_networks import alexnet_gluon, vgg_gluon


def conv_params(c_in, c_out, k):
    return c_out * c_in * k * k + c_out


def dense_params(n_in, n_out):
    return n_in * n_out + n_out


def out_size(size, kernel, stride=1, pad=0):
    return (size + 2 * pad - kernel) // stride + 1


def count_params(net):
    return sum(p.data().size for p in net.collect_params().values())


def test_alexnet_shapes_and_parameter_count_at_224():
    net = alexnet_gluon.alexnet()
    net.initialize()
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


def test_vgg_block_halves_the_side_and_sets_channels():
    blk = vgg_gluon.vgg_block(2, 128)
    blk.initialize()
    assert blk(nd.random.uniform(shape=(2, 3, 16, 16))).shape == (2, 128, 8, 8)
    assert len(vgg_gluon.vgg_stack(vgg_gluon.architecture)) == 5


def test_vgg11_shapes_and_parameter_count_at_96():
    net = vgg_gluon.vgg()
    net.initialize()
    x = nd.zeros((1, 1, 96, 96))
    assert net(x).shape == (1, 10)

    side = 96 // 2 ** 5
    assert net[0](x).shape == (1, 512, side, side)
    channels = [1, 64, 128, 256, 256, 512, 512, 512, 512]
    convs = sum(conv_params(c_in, c_out, 3) for c_in, c_out in zip(channels, channels[1:]))
    expected = (convs + dense_params(512 * side * side, 4096) + dense_params(4096, 4096)
                + dense_params(4096, 10))
    assert count_params(net) == expected


@pytest.mark.parametrize("build, minimum", [(alexnet_gluon.alexnet, alexnet_gluon.MIN_RESIZE),
                                            (vgg_gluon.vgg, vgg_gluon.MIN_RESIZE)])
def test_smallest_image_size_is_the_computed_one(build, minimum):
    net = build()
    net.initialize()
    assert net(nd.zeros((1, 1, minimum, minimum))).shape == (1, 10)
    with pytest.raises(Exception, match="exceeds input"):
        net(nd.zeros((1, 1, minimum - 1, minimum - 1)))


@pytest.mark.parametrize("module, size, lr", [(alexnet_gluon, 67, .01), (vgg_gluon, 32, .05)])
def test_one_sgd_step_lowers_the_loss(tiny_fashion_mnist, module, size, lr):
    train_data, _ = utils.load_data_fashion_mnist(
        64, alexnet_gluon.resize_transform(size), subset=64)
    data, label = next(iter(train_data))
    assert data.shape == (64, 1, size, size)
    net = module.alexnet() if module is alexnet_gluon else module.vgg()
    net.initialize(init=init.Xavier())
    loss = gluon.loss.SoftmaxCrossEntropyLoss()
    trainer = gluon.Trainer(net.collect_params(), 'sgd', {'learning_rate': lr})
    # outside autograd.record the dropout layers pass everything: a deterministic loss
    before = loss(net(data), label).mean().asscalar()
    with autograd.record():
        batch_loss = loss(net(data), label)
    batch_loss.backward()
    trainer.step(data.shape[0])
    after = loss(net(data), label).mean().asscalar()
    assert after < before


def test_resize_transform_enlarges_one_example():
    image = nd.array([[[0], [255]], [[255], [0]]], dtype="uint8")  # 2 x 2 x 1, HWC
    data, label = alexnet_gluon.resize_transform(6)(image, nd.array([3]))
    assert data.shape == (1, 6, 6) and data.dtype.__name__ == "float32"
    assert 0 <= data.min().asscalar() < data.max().asscalar() <= 1
    assert label.asscalar() == 3


EPOCH_LINE = re.compile(r"^Epoch 0\. Loss: \d+\.\d{6}, Train acc \d\.\d{6}, Test acc \d\.\d{6}$", re.M)


@pytest.mark.parametrize("module, size", [(alexnet_gluon, 67), (vgg_gluon, 32)])
def test_main_runs_a_tiny_epoch(tiny_fashion_mnist, tmp_path, capsys, module, size):
    result = module.main(["--epochs", "1", "--subset", "64", "--resize", str(size),
                          "--ctx", "cpu", "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert "Quick run on the first 64 train and 64 test images" in out
    assert f"resized to {size}x{size}" in out
    assert len(EPOCH_LINE.findall(out)) == 1
    assert 0 <= result["test_acc"] <= 1 and 0 <= result["train_acc"] <= 1
    assert result["loss"] > 0 and len(result["epoch_seconds"]) == 1
    book = sections.get(module.__name__.rsplit(".", 1)[1]).book
    assert set(book) <= set(result)
    assert (tmp_path / "predictions.png").stat().st_size > 0


@pytest.mark.parametrize("module", [alexnet_gluon, vgg_gluon])
def test_too_small_resize_is_an_argument_error(module, capsys):
    with pytest.raises(SystemExit) as exc:
        module.main(["--resize", str(module.MIN_RESIZE - 1)])
    assert exc.value.code == 2
    assert f"at least {module.MIN_RESIZE}x{module.MIN_RESIZE}" in capsys.readouterr().err


def test_book_settings_print_no_quick_run_notice(capsys):
    alexnet_gluon.announce(argparse.Namespace(subset=None, resize=224), 224)
    assert capsys.readouterr().out == ""
