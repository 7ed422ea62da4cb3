"""The book's shared helpers, importable as ``import utils`` just as the book does.

Names, signatures and positional call forms follow gluon-tutorials-zh 0.3;
the later keywords (``resize=``, ``root=``) and helpers (``try_all_gpus``,
``train``, ``_get_batch``, ``Residual``, ``resnet18``, ``show_images``) come from the
same book's later releases; where 0.3 and 0.6 differ on one name (``evaluate_accuracy``,
``train``) both behaviours are kept and the docstring says how to get each. The rest
(``subset=``, ``show_predictions``, ``plot_loss_curves``, ``load_params_checked``)
are this port's, shared by several sections. The optimisation chapter of release 0.6
repeats its data, model, loss and training loop in each of its 13 sections; here they are
once (``linreg_data``, ``linreg_data_iter``, ``linreg_params``, ``linreg``,
``squared_loss``, ``optimize``), with the trajectory helpers of its figures (``train_1d``,
``show_trace``, ``train_2d``, ``show_trace_2d``: d2l's names, our own call forms).
Release 0.6's recurrent-network helpers (``data_iter_random`` ... ``train_and_predict_rnn``)
follow, in that release's call forms.
"""
import math
import numbers
import time

import gluon_tutorials  # noqa: F401  (sets thread defaults before MXNet loads)
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, image, nd
from mxnet.gluon import nn

from gluon_tutorials import data as _data
# The device helpers live below utils and runtime (which both use them); the book's names stay.
from gluon_tutorials.devices import _works, num_gpus, try_all_gpus, try_gpu  # noqa: F401

__all__ = [
    "SGD", "accuracy", "batch_accuracy", "evaluate_accuracy", "transform_mnist", "FashionMNIST",
    "load_data_fashion_mnist", "try_gpu", "try_all_gpus", "num_gpus",
    "get_text_labels", "show_images", "train", "TrainResult", "Residual", "resnet18",
    "say_subset", "show_predictions", "plot_loss_curves", "load_params_checked",
    # the optimisation chapter (release 0.6)
    "linreg_data", "linreg_data_iter", "linreg_params", "linreg", "squared_loss", "optimize",
    "f_2d", "train_1d", "show_trace", "train_2d", "show_trace_2d",
    # the recurrent networks (release 0.6)
    "data_iter_random", "data_iter_consecutive", "grad_clipping", "predict_rnn",
    "train_and_predict_rnn",
]


def SGD(params, lr):
    """Mini-batch SGD in place: param <- param - lr * grad."""
    # A NaN or infinite rate would silently turn every weight into NaN.
    try:
        finite = math.isfinite(lr)
    except TypeError:
        finite = False
    if not finite:
        raise ValueError(f"SGD: the learning rate must be a finite number, got {lr!r}")
    for param in params:
        param[:] = param - lr * param.grad


def accuracy(output, label):
    """Fraction of rows whose arg-max equals the label, as a Python float."""
    return batch_accuracy(output, label).asscalar()


def batch_accuracy(output, label):
    """``accuracy`` as a one-element NDArray on the device: summed over an epoch and read
    once, it spares the engine a wait per batch (an MLP epoch 1.9 s -> 1.4 s here)."""
    pred = output.argmax(axis=1)
    return nd.mean(pred == label.astype(pred.dtype))


def _get_batch(batch, ctx):
    """Release 0.6: a batch (a (data, label) pair or an ``mx.io.DataBatch``) split over the
    devices in `ctx` (a list of Contexts); returns (data list, label list, batch size).
    A batch that does not divide evenly gives the first devices one example more, and
    one smaller than the list goes to its first devices, an example each."""
    if isinstance(batch, mx.io.DataBatch):
        data, label = batch.data[0], batch.label[0]
    else:
        data, label = batch
    ctx = ctx[:data.shape[0]]
    return (gluon.utils.split_and_load(data, ctx, even_split=False),
            gluon.utils.split_and_load(label, ctx, even_split=False),
            data.shape[0])


def evaluate_accuracy(data_iterator, net, ctx=mx.cpu()):
    """Accuracy of `net` over a data iterator, in both of the book's forms.

    - ``ctx`` one Context (release 0.3, and the default ``mx.cpu()``): the mean of the
      per-batch accuracies, so a short last batch weighs as much as a full one. The 0.3
      sections reproduce the book's numbers with it, so this stays.
    - ``ctx`` a list of Contexts (release 0.6, whose default was ``[mx.cpu()]``): every
      batch is split over the devices and the result is correct predictions / examples.

    Sums stay on the devices and are read once at the end, without a sync per batch.
    """
    if isinstance(data_iterator, mx.io.DataIter):
        data_iterator.reset()
    if not isinstance(ctx, mx.Context):
        return _evaluate_accuracy_on(data_iterator, net, list(ctx))
    total, batches = nd.zeros((1,), ctx=ctx), 0
    for batch in data_iterator:
        data, label = (batch.data[0], batch.label[0]) if isinstance(batch, mx.io.DataBatch) else batch
        output = net(data.as_in_context(ctx))
        total += batch_accuracy(output, label.as_in_context(ctx))
        batches += 1
    if batches == 0:
        raise ValueError("evaluate_accuracy: the data iterator yielded no batch")
    return total.asscalar() / batches


def _evaluate_accuracy_on(data_iterator, net, ctx):
    correct = [nd.zeros((1,), ctx=c) for c in ctx]
    examples = 0
    for batch in data_iterator:
        data, label, size = _get_batch(batch, ctx)
        for i, (X, y) in enumerate(zip(data, label)):
            pred = net(X).argmax(axis=1)
            correct[i] += (pred == y.astype(pred.dtype)).sum()
        examples += size
    if examples == 0:
        raise ValueError("evaluate_accuracy: the data iterator yielded no batch")
    return sum(c.asscalar() for c in correct) / examples


def transform_mnist(data, label):
    """One example: HWC uint8 -> CHW float32 in [0, 1]; label -> float32."""
    return nd.transpose(data.astype("float32"), (2, 0, 1)) / 255, label.astype("float32")


class FashionMNIST(gluon.data.Dataset):
    """Fashion-MNIST as a Gluon Dataset, like ``gluon.data.vision.FashionMNIST``:
    items are (HWC uint8 NDArray, int32 label) passed through ``transform``.
    Files come from the project's data layer, never from MXNet's downloader;
    ``copy`` (None, "mxnet", "zalando") chooses the copy of Fashion-MNIST, and
    ``fashion_mnist_copy`` says which one was read."""

    def __init__(self, train=True, transform=None, root=None, copy=None):
        arrays = _data.load_fashion_mnist(train, root, copy)
        images, labels = arrays
        self.fashion_mnist_copy = arrays.copy
        self._images = images
        self._data = nd.array(images[..., None], dtype="uint8")
        self._label = labels.astype(np.int32)
        self._transform = transform

    def __getitem__(self, idx):
        if self._transform is not None:
            return self._transform(self._data[idx], self._label[idx])
        return self._data[idx], self._label[idx]

    def __len__(self):
        return len(self._label)


class _ArrayLoader(gluon.data.DataLoader):
    """A DataLoader with the same sampler (and so the same order for a given numpy
    seed) that gathers each batch from whole arrays at once. The book's per-example
    transform costs ~15 s an epoch here; this costs well under one. The arrays live in
    NDArrays and batches come out of `nd.take`, which MXNet runs asynchronously,
    overlapping the previous batch's training."""

    def __init__(self, images, labels, batch_size, shuffle, resize=None):
        super().__init__(gluon.data.ArrayDataset(labels), batch_size=batch_size, shuffle=shuffle)
        self._resize = resize
        if resize:
            self._images = nd.array(images[..., None], dtype="uint8")  # NHWC, resized per batch
        else:
            self._images = nd.array(images[:, None].astype(np.float32) / np.float32(255))
        self._labels = nd.array(labels.astype(np.float32))

    def __iter__(self):
        from gluon_tutorials import progress

        return iter(progress.bar(self._batches(), "batches", total=len(self)))

    def _batches(self):
        # One copy of the epoch's order, then a view per batch: a copy from Python memory
        # waits for the engine to drain, and one per batch cost ~40% of an MLP epoch.
        batches = [np.asarray(b, dtype=np.int32) for b in self._batch_sampler]
        order = nd.array(np.concatenate(batches), dtype="int32")
        start = 0
        for size in map(len, batches):
            idx = order[start:start + size]
            start += size
            batch = nd.take(self._images, idx)
            if self._resize:
                batch = nd.image.resize(batch, size=self._resize)
                batch = nd.transpose(batch.astype("float32"), (0, 3, 1, 2)) / 255
            yield batch, nd.take(self._labels, idx)


def load_data_fashion_mnist(batch_size, transform=transform_mnist, resize=None, root=None,
                            subset=None, copy=None, shard=None):
    """(train_data, test_data) DataLoaders of Fashion-MNIST; train shuffled, test not.

    With the default transform (and optionally ``resize``) the batches are built
    from whole arrays; any other ``transform`` runs per example as in the book,
    after an ``image.imresize`` when ``resize`` is given. ``subset=N`` keeps the
    first N train and first N test examples (for CPU runs of GPU-sized sections).
    ``copy`` chooses the copy of Fashion-MNIST (see ``gluon_tutorials.data``); both
    loaders carry the one read as ``fashion_mnist_copy``. ``shard=(k, n)`` keeps the k-th
    of n equal, consecutive parts of the training examples (after ``subset``; a remainder
    of fewer than n is left out), so n distributed workers each read their own part and
    make the same number of steps; the test set stays whole.
    """
    if shard is not None:
        k, n = shard
        if not (0 <= k < n):
            raise ValueError(f"shard must be (k, n) with 0 <= k < n, got {shard!r}")
    # Checked here: MXNet would fail later with a ZeroDivisionError or a bad __len__.
    batch_size = _positive_int("batch_size", batch_size)
    resize = resize if resize is None else _positive_int("resize", resize)
    subset = subset if subset is None else _positive_int("subset", subset)
    loaders, totals, used = [], [], []  # used: examples before a shard is taken
    for train in (True, False):
        if transform is transform_mnist:
            arrays = _data.load_fashion_mnist(train, root, copy)
            images, labels = arrays
            totals.append(len(labels))
            used.append(len(labels[:subset]))
            part = _shard(used[-1], shard if train else None)
            loader = _ArrayLoader(images[:subset][part], labels[:subset][part], batch_size,
                                  shuffle=train, resize=resize)
            copy = arrays.copy
        else:
            per_example = transform
            if resize:
                def per_example(data, label, _size=resize):
                    return transform(image.imresize(data, _size, _size), label)
            full = FashionMNIST(train=train, transform=per_example, root=root, copy=copy)
            totals.append(len(full))
            dataset = full.take(subset)
            used.append(len(dataset))
            if shard is not None and train:
                part = _shard(len(dataset), shard)
                dataset = dataset.sample(gluon.data.SequentialSampler(part.stop - part.start,
                                                                     part.start))
            loader = _ProgressLoader(dataset, batch_size, shuffle=train)
            copy = full.fashion_mnist_copy
        loader.fashion_mnist_copy = copy  # the test set is then read from the train set's copy
        loaders.append(loader)
    if subset:
        say_subset(subset, used[0], used[1], totals=totals)
    return tuple(loaders)


def _positive_int(name, value):
    """`value` as an int if it is a positive whole number (2.0 will do), else ValueError."""
    whole = (isinstance(value, numbers.Integral) and not isinstance(value, bool)
             or isinstance(value, float) and value.is_integer())
    if not whole or value <= 0:
        raise ValueError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def _shard(size, shard):
    """The slice of `size` examples that shard (k, n) keeps; all of them for None."""
    if shard is None:
        return slice(0, size)
    k, n = shard
    part = size // n
    if part == 0:
        raise ValueError(f"shard {shard!r}: {size} training examples cannot go to {n} workers")
    return slice(k * part, (k + 1) * part)


class _ProgressLoader(gluon.data.DataLoader):
    """A DataLoader with a progress bar on a terminal (none in logs, tests or Jupyter)."""

    def __iter__(self):
        from gluon_tutorials import progress

        return iter(progress.bar(super().__iter__(), "batches", total=len(self)))


def get_text_labels(labels):
    """Fashion-MNIST class numbers -> their text names."""
    return [_data.FASHION_MNIST_TEXT_LABELS[int(i)] for i in labels]


def show_images(images, titles, path, ncols=None, scale=1.5):
    """Draw images in a grid, one title each, and save the grid as a PNG at `path`."""
    from gluon_tutorials import plotting

    images = [img.asnumpy() if isinstance(img, nd.NDArray) else np.asarray(img) for img in images]
    ncols = ncols or len(images)
    nrows = (len(images) + ncols - 1) // ncols
    fig, axes = plotting.subplots(nrows, ncols, figsize=(scale * ncols, scale * 1.3 * nrows))
    for ax, img, title in zip(np.ravel(axes), images, titles):
        ax.imshow(img.squeeze(), cmap="gray")  # CHW or HWC with one channel
        ax.set_title(title, fontsize=8)
    for ax in np.ravel(axes):
        ax.axis("off")
    return plotting.save(fig, path)


class TrainResult(dict):
    """What ``train`` returns: the last epoch's metrics, 'epoch_seconds' and 'history'.
    Its repr is one line, so a notebook cell ending in the book's ``utils.train(...)``
    shows a short summary instead of every epoch's numbers."""

    def __repr__(self):
        return (f"<train: {len(self.get('history', []))} epoch(s), "
                f"test acc {self.get('test_acc', float('nan')):f}>")


def train(train_data, test_data, net, loss, trainer, ctx=mx.cpu(), num_epochs=5,
          print_batches=None, *, batch_size=None, params=None, lr=None, log=print, style="0.6"):
    """The book's classification training loop, in release 0.6's call form
    ``train(train_data, test_data, net, loss, trainer, ctx, num_epochs, print_batches=None)``.

    ``ctx`` is one Context or a list of them: each batch is split over the devices
    (``_get_batch``), each device runs forward and backward on its part, and
    ``trainer.step`` sums the gradients (the Trainer's kvstore) so every copy of the
    weights stays the same. ``print_batches=k`` prints a line every k batches.

    Two styles of lines and numbers (this port's, keyword-only):

    - ``style="0.6"`` (the book's ``train``): ``Start training on  <ctx>`` first, then
      ``Epoch %d. Loss: %.3f, Train acc %.2f, Test acc %.2f, Time %.1f sec``, with loss
      and accuracies per example and the test accuracy over the ctx list.
    - ``style="0.3"``: no first line, and ``Epoch %d. Loss: %f, Train acc %f, Test acc %f``
      with the means of per-batch values, as the 0.3 sections' own loops print them.

    ``trainer`` may be None for from-scratch nets on one device: pass ``params`` and ``lr``
    and it steps with ``SGD(params, lr / batch_size)``. ``batch_size`` overrides the size
    the step divides by (default: each batch's own). ``log`` receives each line.
    Returns a TrainResult (a dict): the last epoch's metrics, the seconds each epoch took
    and, under 'history', every epoch's metrics (for curves).
    """
    from gluon_tutorials import progress, runtime

    if style not in ("0.6", "0.3"):
        raise ValueError(f"train: style must be '0.6' or '0.3', got {style!r}")
    devices = [ctx] if isinstance(ctx, mx.Context) else list(ctx)
    if not devices:
        raise ValueError("train: ctx is an empty list of devices")
    if trainer is None and (params is None or lr is None):
        raise ValueError("train: give a gluon.Trainer, or params= and lr= for SGD")
    if trainer is None and len(devices) > 1:
        raise ValueError("train: from-scratch params live on one device; give one ctx "
                         "(or a gluon.Trainer for a ctx list)")
    if style == "0.6":
        log("Start training on  %s" % (ctx,))
    history, untrained_loss = [], None
    for epoch in range(num_epochs):
        if isinstance(train_data, mx.io.DataIter):
            train_data.reset()
        start = time.time()
        # Per-device sums, read once per epoch (or per print_batches): no sync per batch.
        loss_sum = [nd.zeros((1,), ctx=c) for c in devices]
        correct = [nd.zeros((1,), ctx=c) for c in devices]
        # 0.3 style: sums of per-batch means (the devices' parts of a batch add up to it).
        batch_loss = [nd.zeros((1,), ctx=c) for c in devices]
        batch_acc = [nd.zeros((1,), ctx=c) for c in devices]
        batches, examples, pending = 0, 0, None
        for i, batch in enumerate(progress.bar(train_data, f"epoch {epoch}")):
            data, label, size = _get_batch(batch, devices)
            with autograd.record():
                outputs = [net(X) for X in data]
                losses = [loss(yhat, y) for yhat, y in zip(outputs, label)]
            for l in losses:
                l.backward()
            if trainer is None:
                SGD(params, lr / (batch_size or size))
            else:
                trainer.step(batch_size or size)
            for d, (yhat, y, l) in enumerate(zip(outputs, label, losses)):
                hits = (yhat.argmax(axis=1) == y.astype(yhat.dtype)).sum()
                loss_sum[d] += l.sum()
                correct[d] += hits
                batch_loss[d] += l.sum() / size
                batch_acc[d] += hits / size
            batches += 1
            examples += size
            # Let MXNet run about one batch behind Python: compute overlaps the
            # Python side without an epoch's worth of batches queued in memory.
            if pending is not None:
                pending.wait_to_read()
            pending = losses[0]
            if untrained_loss is None:  # the first batch's loss came before any step
                untrained_loss = _total(loss_sum) / size
            if print_batches and (i + 1) % print_batches == 0:
                log("Batch %d. Loss: %f, Train acc %f" % (
                    examples, _total(loss_sum) / examples, _total(correct) / examples))
        if batches == 0:
            raise ValueError("train: the training data yielded no batch")
        test_acc = evaluate_accuracy(test_data, net, ctx if style == "0.3" else devices)
        if style == "0.6":
            train_loss, train_acc = _total(loss_sum) / examples, _total(correct) / examples
        else:
            train_loss, train_acc = _total(batch_loss) / batches, _total(batch_acc) / batches
        runtime.check_loss(train_loss, untrained_loss,
                           lr if trainer is None else trainer.learning_rate)
        record = {"epoch": epoch, "loss": train_loss, "train_acc": train_acc, "test_acc": test_acc,
                  "seconds": time.time() - start}
        history.append(record)
        runtime.epoch_seconds.append(record["seconds"])  # for reproduce, as runtime.epochs does
        if style == "0.6":
            log("Epoch %d. Loss: %.3f, Train acc %.2f, Test acc %.2f, Time %.1f sec"
                % (epoch, record["loss"], record["train_acc"], test_acc, record["seconds"]))
        else:
            log("Epoch %d. Loss: %f, Train acc %f, Test acc %f"
                % (epoch, record["loss"], record["train_acc"], test_acc))
    result = TrainResult(history[-1] if history else {})
    result["epoch_seconds"] = [h["seconds"] for h in history]
    result["history"] = history
    return result


def _total(sums):
    return sum(s.asscalar() for s in sums)


class Residual(nn.HybridBlock):
    """Release 0.6's residual block: two 3x3 convolutions with batch norm, added to the
    input; ``same_shape=False`` halves height and width (stride 2) and matches the
    channels of the shortcut with a 1x1 convolution."""

    def __init__(self, channels, same_shape=True, **kwargs):
        super().__init__(**kwargs)
        self.same_shape = same_shape
        strides = 1 if same_shape else 2
        with self.name_scope():
            self.conv1 = nn.Conv2D(channels, kernel_size=3, padding=1, strides=strides)
            self.bn1 = nn.BatchNorm()
            self.conv2 = nn.Conv2D(channels, kernel_size=3, padding=1)
            self.bn2 = nn.BatchNorm()
            if not same_shape:
                self.conv3 = nn.Conv2D(channels, kernel_size=1, strides=strides)

    def hybrid_forward(self, F, x):
        out = self.bn2(self.conv2(F.relu(self.bn1(self.conv1(x)))))
        shortcut = x if self.same_shape else self.conv3(x)
        return F.relu(out + shortcut)


def resnet18(num_classes):
    """Release 0.6's ResNet-18 for small images (Fashion-MNIST, CIFAR-10): batch norm on
    the input, a 3x3 convolution, max pooling, six residual blocks, global pooling."""
    net = nn.HybridSequential()
    with net.name_scope():
        net.add(nn.BatchNorm(),
                nn.Conv2D(64, kernel_size=3, strides=1),
                nn.MaxPool2D(pool_size=3, strides=2),
                Residual(64), Residual(64),
                Residual(128, same_shape=False), Residual(128),
                Residual(256, same_shape=False), Residual(256),
                nn.GlobalAvgPool2D(),
                nn.Dense(num_classes))
    return net


def say_subset(subset, num_train=None, num_test=None, log=print, totals=None):
    """Tell the reader a section runs on the first `subset` examples, not the full data.

    ``num_train`` and ``num_test`` are the numbers of examples actually used (at most
    `subset` each); without them (the old call form) the message can only say "at most".
    ``totals``, the sizes of the full train and test sets, tells "all" from "first".
    """
    if not subset:
        return
    if num_train is None or num_test is None:
        log(f"Using at most the first {subset} training and {subset} test examples (--subset): "
            f"a quick run, so expect lower accuracy than the book's full-data numbers.")
        return
    totals = totals or (subset + 1, subset + 1)
    if num_train >= totals[0] and num_test >= totals[1] or num_train < subset and num_test < subset:
        log(f"--subset {subset} covers all the data: using all {num_train} training "
            f"and {num_test} test examples.")
        return
    train, test = (f"{'all' if n < subset or n >= total else 'first'} {n} {kind}"
                   for n, total, kind in ((num_train, totals[0], "training"),
                                          (num_test, totals[1], "test")))
    log(f"Using only the {train} and {test} examples (--subset {subset}): "
        f"a quick run, so expect lower accuracy than the book's full-data numbers.")


def show_predictions(net, data_iterator, ctx, path, n=9):
    """The first `n` images of `data_iterator`, each titled with its true text label and,
    below it, the predicted one; saved as a PNG at `path`. With a list of devices (as
    ``train`` takes) the prediction runs on the first."""
    if isinstance(ctx, (list, tuple)):
        ctx = ctx[0]
    data, label = next(iter(data_iterator))
    data, label = data[:n], label[:n]
    pred = net(data.as_in_context(ctx)).argmax(axis=1)
    titles = [f"{true}\npred: {predicted}" for true, predicted in
              zip(get_text_labels(label.asnumpy()), get_text_labels(pred.asnumpy()))]
    return show_images(data, titles, path, ncols=len(titles))


def plot_loss_curves(panels, path, ylabel="loss"):
    """Panels side by side, one per (title, {curve name: value per epoch}), on a log
    y-axis, saved as a PNG at `path`. A log axis keeps train and test loss readable
    when they lie orders of magnitude apart, as they do when a model overfits.
    A curve may also be an (epochs per value, values) pair, for values recorded within
    epochs from epoch 0 on, as the optimisation chapter records its losses."""
    from gluon_tutorials import plotting

    fig, axes = plotting.subplots(1, len(panels), figsize=(3.6 * len(panels), 2.8))
    for ax, (title, curves) in zip(axes[0], panels):
        for name, values in curves.items():
            if isinstance(values, tuple):
                step, values = values
                x = np.arange(len(values)) * step
            else:
                x = range(1, len(values) + 1)
            ax.semilogy(x, values, label=name)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
    fig.tight_layout()
    return plotting.save(fig, path)


# --- The optimisation chapter (release 0.6) ---------------------------------------------
# Each of the book's 13 sections repeats its data, model, loss and training loop; here they
# are once. What differs from section to section, the update rule, stays in the section.

def linreg_data(num_examples=1000, true_w=(2, -3.4), true_b=4.2, ctx=mx.cpu()):
    """The chapter's data: ``X`` ~ N(0, 1) of shape (num_examples, len(true_w)) and
    ``y = X true_w + true_b`` plus N(0, 0.01^2) noise; returns X, y and their ArrayDataset."""
    X = nd.random_normal(scale=1, shape=(num_examples, len(true_w)), ctx=ctx)
    y = nd.dot(X, nd.array(true_w, ctx=ctx)) + true_b
    y += .01 * nd.random_normal(scale=1, shape=y.shape, ctx=ctx)
    return X, y, gluon.data.ArrayDataset(X, y)


def linreg_data_iter(X, y, batch_size):
    """The from-scratch sections' ``data_iter``: (data, label) mini-batches of a fresh
    ``random.shuffle`` of the examples, so that ``random.seed`` fixes their order."""
    import random

    idx = list(range(len(X)))
    random.shuffle(idx)
    for i in range(0, len(idx), batch_size):
        j = nd.array(idx[i:i + batch_size], ctx=X.context)
        yield X.take(j), y.take(j)


def linreg_params(num_inputs, num_states=0, ctx=mx.cpu()):
    """The from-scratch ``init_params``: ``[w, b]`` (w ~ N(0, 1), b = 0, gradients attached),
    followed by `num_states` lists of zero arrays shaped like them (velocities, accumulated
    squared gradients ...), one list per state the update rule keeps."""
    params = [nd.random_normal(scale=1, shape=(num_inputs, 1), ctx=ctx), nd.zeros((1,), ctx=ctx)]
    for param in params:
        param.attach_grad()
    states = [[param.zeros_like() for param in params] for _ in range(num_states)]
    return (params, *states) if states else params


def linreg(X, w, b):
    """The linear model ``net(X, w, b)`` of the from-scratch sections."""
    return nd.dot(X, w) + b


def squared_loss(yhat, y):
    """Half the squared error per example (the book's ``square_loss``; Gluon's L2Loss)."""
    return (yhat - y.reshape(yhat.shape)) ** 2 / 2


def optimize(batch_size, epochs, period, data_iter, net, loss, step, X, y, params, lr=None,
             decay_epoch=None, show_lr=True, path=None, title="", losses=None):
    """The chapter's training loop, as each of its sections writes it as ``train``.

    ``data_iter`` is the book's ``data_iter(batch_size)`` or a DataLoader; ``net(data)`` and
    ``loss(output, label)`` as usual. ``step`` updates the parameters once their gradients
    are in: a ``gluon.Trainer`` (stepped with `batch_size`), or ``step(lr)`` for the
    from-scratch update rules, with the learning rate `lr`. After epoch `decay_epoch` (1
    based) the learning rate is multiplied by 0.1 every epoch. The loss on all of ``X`` is
    recorded before training and every `period` examples. Prints the book's line per epoch
    (without the learning rate when there is none, or `show_lr` is off) and the learned
    ``w`` and ``b`` (`params`: arrays or Gluon Parameters); draws the loss per epoch on a log
    axis to `path`. Returns the recorded losses. A loss that is no longer finite, or a run
    that ends above the untrained model's loss, raises runtime.Diverged; inside
    ``runtime.meant_to_diverge()`` the curve up to there is drawn first, and a list passed
    as `losses` keeps what was recorded.
    """
    from gluon_tutorials import plotting, runtime

    if period < batch_size or period % batch_size:
        raise ValueError(f"period ({period}) must be a multiple of batch_size ({batch_size})")
    trainer = step if isinstance(step, gluon.Trainer) else None

    def current_lr():
        return trainer.learning_rate if trainer is not None else lr

    def full_loss():
        with np.errstate(over="ignore", invalid="ignore"):  # an overshoot is reported below
            return float(np.mean(loss(net(X), y).asnumpy()))

    total_loss = losses if losses is not None else []
    total_loss.append(full_loss())
    epoch, finished = 0, False
    try:
        for epoch in (e + 1 for e in runtime.epochs(epochs)):  # timed, for reproduce
            if decay_epoch is not None and epoch > decay_epoch:
                if trainer is not None:
                    trainer.set_learning_rate(trainer.learning_rate * 0.1)
                else:
                    lr *= 0.1
            batches = data_iter(batch_size) if callable(data_iter) else data_iter
            for batch_i, (data, label) in enumerate(batches):
                data, label = data.as_in_context(X.context), label.as_in_context(X.context)
                with autograd.record():
                    output = net(data)
                    batch_loss = loss(output, label)
                batch_loss.backward()
                if trainer is not None:
                    trainer.step(batch_size)
                else:
                    step(lr)
                if batch_i * batch_size % period == 0:
                    total_loss.append(full_loss())
            if show_lr and current_lr() is not None:
                print("Batch size %d, Learning rate %f, Epoch %d, loss %.4e"
                      % (batch_size, current_lr(), epoch, total_loss[-1]))
            else:
                print("Batch size %d, Epoch %d, loss %.4e" % (batch_size, epoch, total_loss[-1]))
            runtime.check_finite(total_loss[-1], current_lr())
        w, b = (p.data() if isinstance(p, gluon.Parameter) else p for p in params)
        print('w:', np.reshape(w.asnumpy(), (1, -1)), 'b:', b.asnumpy()[0], '\n')
        runtime.check_improved(total_loss[-1], total_loss[0], current_lr())
        finished = True
    finally:
        if path is not None and (finished or runtime.diverging_shown()):
            fig, axes = plotting.subplots(1, 1, figsize=(4.2, 2.8))
            ax = axes[0, 0]
            ax.semilogy(np.linspace(0, epoch, len(total_loss), endpoint=True), total_loss)
            ax.set_xlabel('epoch')
            ax.set_ylabel('loss')
            ax.set_title(title, fontsize=9)
            plotting.save(fig, path)
    return total_loss


def f_2d(x1, x2):
    """The bowl of the book's trajectory figures: much steeper along x2 than along x1."""
    return 0.1 * x1 ** 2 + 2 * x2 ** 2


def train_1d(eta, steps=10, x=10.0):
    """Gradient descent on f(x) = x * x from `x` with learning rate `eta`: every x visited."""
    results = [x]
    for _ in range(steps):
        x -= eta * 2 * x
        results.append(x)
    return results


def show_trace(results, path, title=""):
    """The 1-D descent `results` (from train_1d) as points on f(x) = x * x, saved at `path`."""
    from gluon_tutorials import plotting

    limit = max(10, max(abs(x) for x in results))
    grid = np.linspace(-limit, limit, 200)
    fig, axes = plotting.subplots(1, 1, figsize=(3.6, 2.6))
    ax = axes[0, 0]
    ax.plot(grid, grid ** 2, color="tab:gray")
    ax.plot(results, [x * x for x in results], "-o", color="tab:orange", markersize=4)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.set_title(title, fontsize=9)
    return plotting.save(fig, path)


def train_2d(update, hyperparams=None, steps=20, x=(-5.0, -2.0), f=f_2d):
    """The path of an update rule on `f` from `x`: every point visited, `steps` updates.

    `update` is a from-scratch rule called as ``update([x])`` once the gradient of f is in
    ``x.grad`` (a section's own ``sgd``, ``adagrad`` ... with its state and step size bound),
    or the name of an MXNet optimizer ('sgd', 'adam' ...), stepped by a gluon.Trainer with
    `hyperparams`.
    """
    if isinstance(update, str):
        param = gluon.Parameter("x", shape=(len(x),), init=mx.init.Constant(nd.array(x)))
        param.initialize()
        trainer = gluon.Trainer([param], update, hyperparams or {})
        point = param.data()
    else:
        point = nd.array(x)
        point.attach_grad()
    results = [tuple(x)]
    for _ in range(steps):
        with autograd.record():
            value = f(point[0], point[1])
        value.backward()
        if isinstance(update, str):
            trainer.step(1)
            point = param.data()
        else:
            update([point])
        results.append(tuple(point.asnumpy().tolist()))
    return results


def show_trace_2d(results, path, f=f_2d, title=""):
    """The path `results` (from train_2d) over the contour lines of `f`, saved at `path`."""
    from gluon_tutorials import plotting

    fig, axes = plotting.subplots(1, 1, figsize=(3.8, 2.8))
    ax = axes[0, 0]
    x1, x2 = zip(*results)
    ax.plot(x1, x2, "-o", color="tab:orange", markersize=3)
    g1, g2 = np.meshgrid(np.arange(-5.5, 1.0, 0.1), np.arange(-3.0, 3.0, 0.1))
    ax.contour(g1, g2, f(g1, g2), colors="tab:blue", linewidths=0.6)
    ax.set_xlabel("x1")
    ax.set_ylabel("x2")
    ax.set_title(title, fontsize=9)
    return plotting.save(fig, path)


def load_params_checked(net, filename, ctx=None):
    """``net.load_parameters(filename, ctx)``, all or nothing; reads the files of both
    ``net.save_parameters`` and the book's ``net.save_params``.

    MXNet loads one parameter after another, so a file that fits a net's first
    layers but not a later one leaves the net half-loaded; and its checks are
    ``assert``s, which ``python -O`` strips. Here the whole file is read and held
    against the net first. A file that cannot be read (truncated, or not a
    parameter file) or whose names, shapes, dtypes or devices do not fit raises
    ValueError naming the file and every mismatch, and the net stays as it was.
    """
    import os

    path = os.fspath(filename)
    if not os.path.isfile(path):
        raise FileNotFoundError(f"no parameter file at {path}")
    try:
        loaded = nd.load(path)
    except mx.base.MXNetError as e:
        reason = str(e).strip().splitlines()[-1]
        raise ValueError(f"cannot read {path}: it is truncated or not an MXNet parameter "
                         f"file ({reason})") from None
    if not loaded:  # nd.save of an empty dict or list: both load back as []
        raise ValueError(f"{path} holds no arrays at all (nd.save of an empty dict or list), "
                         f"not named parameters")
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} holds a list of arrays ({len(loaded)} of them: nd.save of a "
                         f"list), not named parameters")
    if any("." in name for name in loaded):
        # save_parameters names a parameter by its place in the net: '0.weight'.
        by_name = net._collect_params_with_prefix()
    else:
        # save_params names it without the net's prefix: 'dense0_weight'.
        by_name = {name[len(net.prefix):]: p for name, p in net.collect_params().items()}
        loaded = {k[4:] if k.startswith(("arg:", "aux:")) else k: v for k, v in loaded.items()}
    wanted_ctx = None if ctx is None else set([ctx] if isinstance(ctx, mx.Context) else ctx)
    names_of = {}  # a shared parameter has several names, and a file may hold just one
    for name, param in by_name.items():
        names_of.setdefault(param, []).append(name)
    problems = []
    for param, names in names_of.items():
        if not any(name in loaded for name in names):
            problems.append(f"{names[0]} is missing from the file")
        try:
            now = set(param.list_ctx())
        except RuntimeError:  # not initialised: it will go wherever it is loaded
            now = wanted_ctx
        if wanted_ctx is not None and now != wanted_ctx:
            problems.append(f"{names[0]} is on {sorted(map(str, now))}, "
                            f"not on the {sorted(map(str, wanted_ctx))} asked for")
    for name, array in loaded.items():
        param = by_name.get(name)
        if param is None:
            problems.append(f"{name} in the file is not a parameter of the net")
        elif param.shape and (len(param.shape) != array.ndim or any(
                dim not in (0, saved) for dim, saved in zip(param.shape, array.shape))):
            problems.append(f"{name} has shape {param.shape} in the net but {array.shape} in the file")
        elif np.dtype(param.dtype) != np.dtype(array.dtype):
            problems.append(f"{name} is {np.dtype(param.dtype)} in the net but "
                            f"{np.dtype(array.dtype)} in the file")
    if problems:
        raise ValueError(f"{path} does not fit {net.name}, so nothing was loaded:\n  "
                         + "\n  ".join(problems))
    net.load_parameters(path, ctx=ctx)


# --- Release 0.6: the recurrent networks' helpers (gru_scratch, lstm_scratch; rnn_scratch) ---

def _windows(corpus, starts, num_steps, ctx):
    """(data, label): the windows of `num_steps` indices at `starts`, and the same windows
    one step later, as (len(starts), num_steps) float32 NDArrays (the book's nd.array of a list)."""
    data = np.stack([corpus[s:s + num_steps] for s in starts])
    label = np.stack([corpus[s + 1:s + 1 + num_steps] for s in starts])
    return nd.array(data, ctx=ctx, dtype="float32"), nd.array(label, ctx=ctx, dtype="float32")


def data_iter_random(corpus_indices, batch_size, num_steps, ctx=None, overlapping=False):
    """Random sampling: the corpus cut into windows of `num_steps` indices (window j starts
    at j * num_steps), shuffled with ``random.shuffle``, and handed out `batch_size` at a
    time as (data, label), label being the window one step further on. Neighbouring
    batches are unrelated, so a model's state must start afresh for each batch.

    ``overlapping=True`` is release 0.3's data_iter, kept for rnn_scratch: batch i takes
    the shuffled windows i .. i + batch_size - 1, so each batch repeats all but one window
    of the one before.
    """
    import random

    corpus = np.asarray(corpus_indices)
    num_examples = (len(corpus) - 1) // num_steps
    epoch_size = num_examples // batch_size
    example_indices = list(range(num_examples))
    random.shuffle(example_indices)
    for i in range(epoch_size):
        start = i if overlapping else i * batch_size
        batch = example_indices[start:start + batch_size]
        yield _windows(corpus, [j * num_steps for j in batch], num_steps, ctx)


def data_iter_consecutive(corpus_indices, batch_size, num_steps, ctx=None):
    """Consecutive sampling: the corpus laid out as `batch_size` rows of equal length, and
    batch i the columns i * num_steps .. of every row. Row r of one batch continues row r
    of the batch before, so a model's state may run on from batch to batch."""
    corpus = nd.array(corpus_indices, ctx=ctx)
    batch_len = len(corpus) // batch_size
    indices = corpus[0:batch_size * batch_len].reshape((batch_size, batch_len))
    epoch_size = (batch_len - 1) // num_steps  # the labels need one index more
    for i in range(epoch_size):
        i = i * num_steps
        yield indices[:, i:i + num_steps], indices[:, i + 1:i + num_steps + 1]


def grad_clipping(params, clipping_norm, ctx=None):
    """Scale all the gradients of `params` together, by min(clipping_norm / |g|, 1) where
    |g| is the norm of them all as one vector; None means no clipping. `ctx` is where
    the norm is summed (default: the first parameter's device)."""
    if clipping_norm is None:
        return
    norm = nd.zeros((1,), ctx or params[0].context)
    for p in params:
        norm += nd.sum(p.grad ** 2).as_in_context(norm.context)
    norm = nd.sqrt(norm).asscalar()
    if norm > clipping_norm:
        for p in params:
            p.grad[:] *= clipping_norm / norm


def predict_rnn(rnn, prefix, num_chars, params, hidden_dim, ctx, idx_to_char,
                char_to_idx, get_inputs, is_lstm=False):
    """The (lower-cased) prefix followed by the `num_chars` characters the model predicts.

    The prefix is fed in one character at a time to build up the state; after it each
    step's most likely character is the next step's input. ``rnn(inputs, H, *params)``
    returns (outputs, H), or with ``is_lstm`` ``rnn(inputs, H, C, *params)`` returns
    (outputs, H, C). The book's loop ran one step more and returned one character too many.
    """
    prefix = prefix.lower()
    # the book's code raises a bare KeyError on a character it has no index for
    unknown = sorted(set(prefix) - set(char_to_idx))
    if not prefix or unknown:
        raise ValueError(f"predict needs a non-empty prefix of characters from the text; "
                         f"not in the text: {''.join(unknown)!r}")
    state = [nd.zeros(shape=(1, hidden_dim), ctx=ctx) for _ in range(2 if is_lstm else 1)]
    output = [char_to_idx[prefix[0]]]
    for i in range(num_chars + len(prefix) - 1):
        X = nd.array([output[-1]], ctx=ctx)
        Y, *state = rnn(get_inputs(X), *state, *params)
        if i < len(prefix) - 1:
            next_input = char_to_idx[prefix[i + 1]]
        else:
            next_input = int(Y[0].argmax(axis=1).asscalar())
        output.append(next_input)
    return ''.join([idx_to_char[i] for i in output])


def train_and_predict_rnn(rnn, is_random_iter, epochs, num_steps, hidden_dim,
                          learning_rate, clipping_norm, batch_size,
                          pred_period, pred_len, seqs, get_params, get_inputs,
                          ctx, corpus_indices, idx_to_char, char_to_idx,
                          is_lstm=False):
    """Train the from-scratch `rnn` (see predict_rnn) on `corpus_indices` with SGD and
    gradient clipping. Every `pred_period` epochs (counted from 1), and after the last,
    prints ``Epoch %d. Training perplexity %f`` and the model's continuation of each of
    `seqs`. Returns the training perplexity of every epoch.

    With random sampling the state starts at zero for each batch; with consecutive
    sampling once an epoch, and runs on from batch to batch, cut off from the previous
    batch's graph (``detach``) so that gradients stay within a batch.
    """
    from gluon_tutorials import runtime

    data_iter = data_iter_random if is_random_iter else data_iter_consecutive
    # A corpus too short for one batch would train on nothing and divide by zero.
    n = len(corpus_indices)
    if ((n - 1) // num_steps // batch_size if is_random_iter else (n // batch_size - 1) // num_steps) < 1:
        raise runtime.ParameterError(f"a corpus of {len(corpus_indices)} indices makes no batch of "
                         f"{batch_size} x {num_steps}: use a longer corpus or a smaller "
                         f"batch_size or num_steps")
    # a prefix that cannot be predicted from would fail only after the first pred_period epochs
    unknown = sorted(set("".join(seqs).lower()) - set(char_to_idx))
    if unknown or not all(seqs):
        raise runtime.ParameterError(f"the prefixes to predict from must be non-empty and use characters "
                         f"of the corpus; not in it: {''.join(unknown)!r}")
    params = get_params()
    softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

    def begin_state():
        return [nd.zeros(shape=(batch_size, hidden_dim), ctx=ctx) for _ in range(2 if is_lstm else 1)]

    perplexities = []
    for e in (epoch + 1 for epoch in runtime.epochs(epochs)):
        if not is_random_iter:
            state = begin_state()
        train_loss, num_examples = nd.zeros((1,), ctx=ctx), 0
        for data, label in data_iter(corpus_indices, batch_size, num_steps, ctx):
            state = begin_state() if is_random_iter else [s.detach() for s in state]
            with autograd.record():
                outputs, *state = rnn(get_inputs(data), *state, *params)
                # time-major like the outputs: label t0b0, t0b1, ..., t1b0, ...
                label = label.T.reshape((-1,))
                outputs = nd.concat(*outputs, dim=0)  # (num_steps * batch_size, vocab_size)
                loss = softmax_cross_entropy(outputs, label)
            loss.backward()
            grad_clipping(params, clipping_norm, ctx)
            SGD(params, learning_rate)
            train_loss += nd.sum(loss)  # summed on the device, read once an epoch
            num_examples += loss.size
        # exp on the device: a diverged loss gives inf here, where math.exp would raise
        perplexity = float(nd.exp(train_loss / num_examples).asscalar())
        perplexities.append(perplexity)
        if e % pred_period == 0 or e == epochs:
            print("Epoch %d. Training perplexity %f" % (e, perplexity))
            for seq in seqs:
                print(' - ', predict_rnn(rnn, seq, pred_len, params, hidden_dim, ctx,
                                         idx_to_char, char_to_idx, get_inputs, is_lstm))
            print()
        runtime.check_finite(perplexity, learning_rate, params, what="perplexity")
    return perplexities
