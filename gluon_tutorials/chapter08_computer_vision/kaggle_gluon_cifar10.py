# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     notebook_metadata_filter: -jupytext.text_representation
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # 实战 Kaggle 比赛：使用 Gluon 对原始图像文件分类（CIFAR-10） (Kaggle CIFAR-10 from raw image files)
#
# Book section 9 (release 0.6). The Kaggle competition "CIFAR-10 - Object Recognition in
# Images" hands out its 32x32 colour images as PNG files and their classes in a CSV file.
# This section sorts the files into one folder per class, reads them with
# `ImageFolderDataset`, augments them, trains a ResNet, and writes `submission.csv` in
# Kaggle's format. With `demo = True`, as in the book, it runs on the 100 training images
# and the 1 test image the book shipped, in a minute on a CPU.
#
# **The full competition data** (50000 training, 300000 test images): download `train.7z`,
# `test.7z` and `trainLabels.csv` from <https://www.kaggle.com/c/cifar-10/data>, unpack them
# into `kaggle_cifar10/` of a data folder (`$GLUON_TUTORIALS_DATA/kaggle_cifar10/train/1.png`
# ..., `test/...`, `trainLabels.csv`), and run with `demo = False` (`--no-demo`): the book's
# batch of 128, and `num_epochs = 100` for its exercise (GPU work). `subset = N` takes the
# first N training and N test images, for a quick look on a CPU.

# %% tags=["parameters"]
demo = True            # the book's 100 shipped training images and 1 test image; False: the full Kaggle data
batch_size = None      # images per mini-batch; None: the book's 1 with demo, 128 with the full data
num_epochs = 1         # passes over the training data (the book's 1, to run quickly; its exercise: 100)
learning_rate = 0.1    # SGD step size (momentum 0.9)
weight_decay = 5e-4    # L2 penalty on the weights, applied by the trainer
lr_period = 80         # every lr_period epochs the learning rate is multiplied by lr_decay
lr_decay = 0.1         # factor applied to the learning rate every lr_period epochs
valid_ratio = 0.1      # share of the training images held out as the validation set, in (0, 1)
subset = None          # the first N training and N test images (by id), for a quick run
hybridize = True       # compile the network (faster), as the book does; off, it runs imperatively
ctx = "auto"           # device: auto (a GPU if one works), cpu, gpu or gpu:N
seed = 1               # seeds random, numpy and mx.random
out = "out/kaggle_gluon_cifar10"  # folder for the reorganised images, the figure and submission.csv

# %%
from gluon_tutorials import runtime

ctx = runtime.setup(ctx, seed)

# %% [markdown]
# ## The data
# The book unzips `train_tiny.zip`, `test_tiny.zip` and `trainLabels.csv.zip` into
# `../data/kaggle_cifar10/`. Here the data layer finds the three zips (in
# `v0.6/kaggle_cifar10/` of the data folders), checks them by SHA-1 and unpacks each into
# a cache folder of its own, never beside the zip. With `demo = False` it finds the folder
# of the full data, which is only read.

# %%
import os
from gluon_tutorials.data import KAGGLE_CIFAR10_ZIPS, DataError, kaggle_cifar10_dir, unpack

if demo:
    unpacked = unpack(KAGGLE_CIFAR10_ZIPS)
    train_files = os.path.join(unpacked['train_tiny.zip'], 'train_tiny')
    test_files = os.path.join(unpacked['test_tiny.zip'], 'test_tiny')
    label_path = os.path.join(unpacked['trainLabels.csv.zip'], 'trainLabels.csv')
else:
    kaggle_dir = kaggle_cifar10_dir()
    train_files = os.path.join(kaggle_dir, 'train')
    test_files = os.path.join(kaggle_dir, 'test')
    label_path = os.path.join(kaggle_dir, 'trainLabels.csv')
print('training images:', len(os.listdir(train_files)), ' test images:', len(os.listdir(test_files)))


# %% [markdown]
# ## Sorting the images into folders
# `reorg_cifar10_data` copies every training image into `train_valid/<class>/`, and also
# into `train/<class>/` until a class has its share of `(1 - valid_ratio)` of the images,
# the rest into `valid/<class>/`; the test images go into `test/unknown/`. Each folder of
# images is then one class for `ImageFolderDataset`.
#
# Differences from the book, each for a reason: the book joins every name to one
# `data_dir` and writes `input_dir` inside it; here the inputs are full paths (the demo
# files come from three unpacked zips) and the output goes under `out`, so a data folder,
# perhaps your own copy of the Kaggle data, is never written. The new folder is filled
# beside its final place and renamed when complete, so an interrupted run leaves the old
# one or none, never half of one. Files are taken in the order of their ids (the book
# takes `os.listdir`'s order, which differs between file systems and so changes the split).

# %%
import shutil
from gluon_tutorials import files


def reorg_cifar10_data(label_file, train_dir, test_dir, input_dir, valid_ratio, subset=None):
    # the training labels, without the header line
    with open(label_file, 'r') as f:
        lines = f.readlines()[1:]
        tokens = [l.rstrip().split(',') for l in lines]
        idx_label = dict(((int(idx), label) for idx, label in tokens))

    def by_id(folder):
        return sorted(os.listdir(folder), key=lambda name: int(name.split('.')[0]))[:subset]

    train_names, test_names = by_id(train_dir), by_id(test_dir)
    unlabelled = [n for n in train_names if int(n.split('.')[0]) not in idx_label]
    if unlabelled:
        raise DataError(f"{train_dir}: {len(unlabelled)} images have no label in "
                             f"{label_file}, e.g. {unlabelled[0]}")
    labels = set(idx_label[int(n.split('.')[0])] for n in train_names)

    num_train = len(train_names)
    num_train_tuning = int(num_train * (1 - valid_ratio))
    if not 0 < num_train_tuning < num_train:
        raise ValueError(f"valid_ratio = {valid_ratio} of {num_train} images leaves "
                         f"{num_train_tuning} for training: both sets need at least one")
    num_train_tuning_per_label = num_train_tuning // len(labels)
    label_count = dict()

    with files.atomic_folder(input_dir) as new_dir:
        def mkdir_if_not_exist(path):
            if not os.path.exists(os.path.join(*path)):
                os.makedirs(os.path.join(*path))

        # the training and validation sets
        for train_file in train_names:
            idx = int(train_file.split('.')[0])
            label = idx_label[idx]
            mkdir_if_not_exist([new_dir, 'train_valid', label])
            shutil.copy(os.path.join(train_dir, train_file),
                        os.path.join(new_dir, 'train_valid', label))
            if label not in label_count or label_count[label] < num_train_tuning_per_label:
                mkdir_if_not_exist([new_dir, 'train', label])
                shutil.copy(os.path.join(train_dir, train_file),
                            os.path.join(new_dir, 'train', label))
                label_count[label] = label_count.get(label, 0) + 1
            else:
                mkdir_if_not_exist([new_dir, 'valid', label])
                shutil.copy(os.path.join(train_dir, train_file),
                            os.path.join(new_dir, 'valid', label))

        # the test set
        mkdir_if_not_exist([new_dir, 'test', 'unknown'])
        for test_file in test_names:
            shutil.copy(os.path.join(test_dir, test_file),
                        os.path.join(new_dir, 'test', 'unknown'))


# %% [markdown]
# The book's settings: with the 100 demo images a batch of 1, with the full data 128; 10%
# of the training images for validation.

# %%
if demo:
    # the book's demo: 100 of the 50000 training images, 1 of the 300000 test images,
    # and accordingly a batch of 1
    if batch_size is None:
        batch_size = 1
else:
    if batch_size is None:
        batch_size = 128

import utils

input_dir = os.path.join(out, 'train_valid_test')
num_images = len(os.listdir(train_files)), len(os.listdir(test_files))
utils.say_subset(subset, *(min(subset or n, n) for n in num_images), totals=num_images)
reorg_cifar10_data(label_path, train_files, test_files, input_dir, valid_ratio, subset)
for name in ('train', 'valid', 'train_valid', 'test'):
    folders = sorted(os.listdir(os.path.join(input_dir, name)))
    print(name, sum(len(os.listdir(os.path.join(input_dir, name, c))) for c in folders),
          'images in', len(folders), 'folders')

# %% [markdown]
# ## Reading the sorted images with Gluon
# Augmentation against overfitting: `image.CreateAugmenter` with `rand_mirror=True` flips
# a training image left to right half of the time; `mean` and `std` standardise each colour
# channel. Every other augmentation is listed, switched off, to try. Test images are only
# standardised.

# %%
from mxnet import autograd
from mxnet import gluon
from mxnet import image
from mxnet import init
from mxnet import nd
from mxnet.gluon.data import vision
import numpy as np


def transform_train(data, label):
    im = data.astype('float32') / 255
    auglist = image.CreateAugmenter(data_shape=(3, 32, 32), resize=0,
                                    rand_crop=False, rand_resize=False, rand_mirror=True,
                                    mean=np.array([0.4914, 0.4822, 0.4465]),
                                    std=np.array([0.2023, 0.1994, 0.2010]),
                                    brightness=0, contrast=0,
                                    saturation=0, hue=0,
                                    pca_noise=0, rand_gray=0, inter_method=2)
    for aug in auglist:
        im = aug(im)
    # height x width x channel -> channel x height x width
    im = nd.transpose(im, (2, 0, 1))
    return (im, nd.array([label]).asscalar().astype('float32'))


# test images: standardised only
def transform_test(data, label):
    im = data.astype('float32') / 255
    auglist = image.CreateAugmenter(data_shape=(3, 32, 32),
                                    mean=np.array([0.4914, 0.4822, 0.4465]),
                                    std=np.array([0.2023, 0.1994, 0.2010]))
    for aug in auglist:
        im = aug(im)
    im = nd.transpose(im, (2, 0, 1))
    return (im, nd.array([label]).asscalar().astype('float32'))


# %% [markdown]
# One `ImageFolderDataset` per folder; `flag=1` reads three colour channels.

# %%
input_str = input_dir + '/'

train_ds = vision.ImageFolderDataset(input_str + 'train', flag=1,
                                     transform=transform_train)
valid_ds = vision.ImageFolderDataset(input_str + 'valid', flag=1,
                                     transform=transform_test)
train_valid_ds = vision.ImageFolderDataset(input_str + 'train_valid',
                                           flag=1, transform=transform_train)
test_ds = vision.ImageFolderDataset(input_str + 'test', flag=1,
                                    transform=transform_test)
# A class number is the index of its folder in sorted order: a validation set missing a
# class would number the others differently, and its accuracy would mean nothing.
if valid_ds.synsets != train_ds.synsets:
    raise ValueError(f"the validation set has classes {valid_ds.synsets}, the training set "
                     f"{train_ds.synsets}: use more images or a larger valid_ratio")

loader = gluon.data.DataLoader
train_data = loader(train_ds, batch_size, shuffle=True, last_batch='keep')
valid_data = loader(valid_ds, batch_size, shuffle=True, last_batch='keep')
train_valid_data = loader(train_valid_ds, batch_size, shuffle=True, last_batch='keep')
test_data = loader(test_ds, batch_size, shuffle=False, last_batch='keep')

# the cross-entropy loss
softmax_cross_entropy = gluon.loss.SoftmaxCrossEntropyLoss()

# %% [markdown]
# The first training image of each class, augmented (and un-standardised for display).

# %%
first = [next(i for i, (_, y) in enumerate(train_ds.items) if y == c)
         for c in range(len(train_ds.synsets))]
shown = [train_ds[i] for i in first]
std, mean = np.array([0.2023, 0.1994, 0.2010]), np.array([0.4914, 0.4822, 0.4465])
utils.show_images([np.clip(x.asnumpy().transpose(1, 2, 0) * std + mean, 0, 1) for x, _ in shown],
                  [train_ds.synsets[int(y)] for _, y in shown], f"{out}/train_images.png")

# %% [markdown]
# ## The model
# The book's ResNet for 32x32 images: a 3x3 convolution, then three stages of residual
# blocks (32, 64 and 128 channels; the first block of a stage halves height and width),
# average pooling and a dense layer of 10 outputs. Change the design or the parameters:
# that is the competition.

# %%
from mxnet.gluon import nn
from mxnet import nd


class Residual(nn.HybridBlock):
    def __init__(self, channels, same_shape=True, **kwargs):
        super(Residual, self).__init__(**kwargs)
        self.same_shape = same_shape
        with self.name_scope():
            strides = 1 if same_shape else 2
            self.conv1 = nn.Conv2D(channels, kernel_size=3, padding=1,
                                   strides=strides)
            self.bn1 = nn.BatchNorm()
            self.conv2 = nn.Conv2D(channels, kernel_size=3, padding=1)
            self.bn2 = nn.BatchNorm()
            if not same_shape:
                self.conv3 = nn.Conv2D(channels, kernel_size=1,
                                       strides=strides)

    def hybrid_forward(self, F, x):
        out = F.relu(self.bn1(self.conv1(x)))
        out = self.bn2(self.conv2(out))
        if not self.same_shape:
            x = self.conv3(x)
        return F.relu(out + x)


class ResNet(nn.HybridBlock):
    def __init__(self, num_classes, verbose=False, **kwargs):
        super(ResNet, self).__init__(**kwargs)
        self.verbose = verbose
        with self.name_scope():
            net = self.net = nn.HybridSequential()
            # block 1
            net.add(nn.Conv2D(channels=32, kernel_size=3, strides=1, padding=1))
            net.add(nn.BatchNorm())
            net.add(nn.Activation(activation='relu'))
            # block 2
            for _ in range(3):
                net.add(Residual(channels=32))
            # block 3
            net.add(Residual(channels=64, same_shape=False))
            for _ in range(2):
                net.add(Residual(channels=64))
            # block 4
            net.add(Residual(channels=128, same_shape=False))
            for _ in range(2):
                net.add(Residual(channels=128))
            # block 5
            net.add(nn.AvgPool2D(pool_size=8))
            net.add(nn.Flatten())
            net.add(nn.Dense(num_classes))

    def hybrid_forward(self, F, x):
        out = x
        for i, b in enumerate(self.net):
            out = b(out)
            if self.verbose:
                print('Block %d output: %s' % (i + 1, out.shape))
        return out


def get_net(ctx):
    num_outputs = 10
    net = ResNet(num_outputs)
    net.initialize(ctx=ctx, init=init.Xavier())
    return net


# %% [markdown]
# ## Training and tuning
# No K-fold cross-validation here (training takes long): the validation set guides the
# tuning. Each epoch prints its loss, accuracies, time and learning rate; every `lr_period`
# epochs the learning rate is multiplied by `lr_decay`. In this port `train` also returns
# the last epoch's train loss, train accuracy and validation accuracy (None without a
# validation set).

# %%
import datetime


def train(net, train_data, valid_data, num_epochs, lr, wd, ctx, lr_period, lr_decay):
    trainer = gluon.Trainer(
        net.collect_params(), 'sgd', {'learning_rate': lr, 'momentum': 0.9, 'wd': wd})

    prev_time = datetime.datetime.now()
    valid_acc = None
    for epoch in runtime.epochs(num_epochs):
        train_loss = 0.0
        train_acc = 0.0
        if epoch > 0 and epoch % lr_period == 0:
            trainer.set_learning_rate(trainer.learning_rate * lr_decay)
        for data, label in train_data:
            label = label.as_in_context(ctx)
            with autograd.record():
                output = net(data.as_in_context(ctx))
                loss = softmax_cross_entropy(output, label)
            loss.backward()
            trainer.step(batch_size)
            train_loss += nd.mean(loss).asscalar()
            train_acc += utils.accuracy(output, label)
        # Only NaN or infinity means divergence here: at the demo's batch of 1 this BatchNorm
        # ResNet can spike far above the chance loss and recover (seed 1 on one thread: 16.6,
        # then 2.59 in the next epoch), while a too-large step (1.0) gives NaN at once.
        runtime.check_finite(train_loss / len(train_data), trainer.learning_rate,
                             net.collect_params())
        cur_time = datetime.datetime.now()
        h, remainder = divmod((cur_time - prev_time).seconds, 3600)
        m, s = divmod(remainder, 60)
        time_str = "Time %02d:%02d:%02d" % (h, m, s)
        if valid_data is not None:
            valid_acc = utils.evaluate_accuracy(valid_data, net, ctx)
            epoch_str = ("Epoch %d. Loss: %f, Train acc %f, Valid acc %f, " %
                         (epoch, train_loss / len(train_data),
                          train_acc / len(train_data), valid_acc))
        else:
            epoch_str = ("Epoch %d. Loss: %f, Train acc %f, " %
                         (epoch, train_loss / len(train_data),
                          train_acc / len(train_data)))
        prev_time = cur_time
        print(epoch_str + time_str + ', lr ' + str(trainer.learning_rate))
    return train_loss / len(train_data), train_acc / len(train_data), valid_acc


# %% [markdown]
# The book's training parameters come from the parameters cell (`num_epochs`,
# `learning_rate`, `weight_decay`, `lr_period`, `lr_decay`); `ctx` from its device. With
# the 90 demo training images and one epoch, the validation accuracy of the 10 held-out
# images is about chance (0.1); the book's exercise is the full data at a batch of 128 for
# 100 epochs.

# %%
net = get_net(ctx)
runtime.hybridize(net, hybridize)
train_loss, train_acc, valid_acc = train(net, train_data, valid_data, num_epochs,
                                         learning_rate, weight_decay, ctx, lr_period, lr_decay)

# %% [markdown]
# ## Classifying the test set
# Happy with the design and the parameters, train again on all the training images
# (validation set included), classify the test images and write `submission.csv`, one row
# per test image: its id and the predicted class, as Kaggle wants it (submit it under
# "Late Submission" on the competition's page).

# %%
import pandas as pd

net = get_net(ctx)
runtime.hybridize(net, hybridize)
train(net, train_valid_data, None, num_epochs, learning_rate,
      weight_decay, ctx, lr_period, lr_decay)

preds = []
for data, label in test_data:
    output = net(data.as_in_context(ctx))
    preds.extend(output.argmax(axis=1).astype(int).asnumpy())

# The book numbers the test images 1 to len(test_ds) and sorts those numbers as strings,
# the order ImageFolderDataset reads the files in; taking the ids from the file names
# gives the same for Kaggle's files and stays right for a subset or other names.
ids = [int(os.path.basename(path).split('.')[0]) for path, _ in test_ds.items]

df = pd.DataFrame({'id': ids, 'label': preds})
df['label'] = df['label'].apply(lambda x: train_valid_ds.synsets[x])
with files.atomic_path(f"{out}/submission.csv") as tmp:
    df.to_csv(tmp, index=False)
runtime.wrote(f"{out}/submission.csv")
print(df.head())

# %% [markdown]
# The first test images with their predicted classes.

# %%
shown = [(image.imread(path).asnumpy(), label) for path, label in zip(
    [p for p, _ in test_ds.items[:10]], df['label'][:10])]
utils.show_images([x for x, _ in shown], [y for _, y in shown], f"{out}/test_predictions.png")
