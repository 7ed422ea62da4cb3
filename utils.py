"""The book's shared helpers, importable as ``import utils`` just as the book does.

Names, signatures and positional call forms follow gluon-tutorials-zh 0.3;
the later keywords (``resize=``, ``root=``) and helpers (``try_all_gpus``,
``train``, ``_get_batch``, ``Residual``, ``resnet18``, ``show_images``) come from the
same book's later releases; where 0.3 and 0.6 differ on one name (``evaluate_accuracy``,
``train``) both behaviours are kept and the docstring says how to get each. The rest
(``subset=``, ``show_predictions``, ``plot_loss_curves``, ``load_params_checked``)
are this port's, shared by several sections.
"""
import time

import gluon_tutorials  # noqa: F401  (sets thread defaults before MXNet loads)
import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, image, nd
from mxnet.gluon import nn

from gluon_tutorials import data as _data

__all__ = [
    "SGD", "accuracy", "batch_accuracy", "evaluate_accuracy", "transform_mnist", "FashionMNIST",
    "load_data_fashion_mnist", "try_gpu", "try_all_gpus", "num_gpus",
    "get_text_labels", "show_images", "train", "TrainResult", "Residual", "resnet18",
    "say_subset", "show_predictions", "plot_loss_curves", "load_params_checked",
]


def SGD(params, lr):
    """Mini-batch SGD in place: param <- param - lr * grad."""
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
    for name, value in (("resize", resize), ("subset", subset)):
        if value is not None and (int(value) != value or value <= 0):
            raise ValueError(f"{name} must be a positive integer, got {value!r}")
    loaders, totals, used = [], [], []  # used: examples before a shard is taken
    for train in (True, False):
        if transform is transform_mnist:
            arrays = _data.load_fashion_mnist(train, root, copy)
            images, labels = arrays
            totals.append(len(labels))
            used.append(len(labels[:subset]))
            part = _shard(used[-1], shard if train else None)
            loader = _ArrayLoader(images[:subset][part], labels[:subset][part], batch_size,
                                  shuffle=train, resize=resize and int(resize))
            copy = arrays.copy
        else:
            per_example = transform
            if resize:
                def per_example(data, label, _size=int(resize)):
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


def num_gpus():
    """GPUs MXNet can see; 0 for the CPU build or when the driver is missing."""
    try:
        return mx.context.num_gpus()
    except mx.base.MXNetError:
        return 0


def _works(ctx):
    try:
        nd.zeros((1,), ctx=ctx).asscalar()
        return True
    except mx.base.MXNetError:
        return False


def try_gpu():
    """gpu(0) if a GPU works, else cpu(0)."""
    ctx = mx.gpu()
    return ctx if num_gpus() > 0 and _works(ctx) else mx.cpu()


def try_all_gpus():
    """Every working GPU, or [cpu(0)] when there is none."""
    ctxes = [mx.gpu(i) for i in range(num_gpus()) if _works(mx.gpu(i))]
    return ctxes or [mx.cpu()]


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
    history = []
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
            if print_batches and (i + 1) % print_batches == 0:
                log("Batch %d. Loss: %f, Train acc %f" % (
                    examples, _total(loss_sum) / examples, _total(correct) / examples))
        if batches == 0:
            raise ValueError("train: the training data yielded no batch")
        runtime.check_finite(_total(loss_sum), lr if trainer is None else trainer.learning_rate)
        test_acc = evaluate_accuracy(test_data, net, ctx if style == "0.3" else devices)
        if style == "0.6":
            train_loss, train_acc = _total(loss_sum) / examples, _total(correct) / examples
        else:
            train_loss, train_acc = _total(batch_loss) / batches, _total(batch_acc) / batches
        record = {"epoch": epoch, "loss": train_loss, "train_acc": train_acc, "test_acc": test_acc,
                  "seconds": time.time() - start}
        history.append(record)
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
    below it, the predicted one; saved as a PNG at `path`."""
    data, label = next(iter(data_iterator))
    data, label = data[:n], label[:n]
    pred = net(data.as_in_context(ctx)).argmax(axis=1)
    titles = [f"{true}\npred: {predicted}" for true, predicted in
              zip(get_text_labels(label.asnumpy()), get_text_labels(pred.asnumpy()))]
    return show_images(data, titles, path, ncols=len(titles))


def plot_loss_curves(panels, path, ylabel="loss"):
    """Panels side by side, one per (title, {curve name: value per epoch}), on a log
    y-axis, saved as a PNG at `path`. A log axis keeps train and test loss readable
    when they lie orders of magnitude apart, as they do when a model overfits."""
    from gluon_tutorials import plotting

    fig, axes = plotting.subplots(1, len(panels), figsize=(3.6 * len(panels), 2.8))
    for ax, (title, curves) in zip(axes[0], panels):
        for name, values in curves.items():
            ax.semilogy(range(1, len(values) + 1), values, label=name)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("epoch")
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)
    fig.tight_layout()
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
    if not isinstance(loaded, dict):
        raise ValueError(f"{path} holds a list of arrays (nd.save of a list), not named parameters")
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
