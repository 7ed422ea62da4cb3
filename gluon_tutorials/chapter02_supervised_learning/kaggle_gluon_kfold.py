"""Kaggle house prices with Gluon and K-fold cross-validation.

Features 'MSSubClass' to 'SaleCondition' of the train and test CSVs: numeric
columns standardised, categorical ones one-hot with a NaN column
(pd.get_dummies(dummy_na=True)), missing values filled with the column mean.
A linear Dense(1) net, L2Loss, Adam lr 5, batch 100, 100 epochs, scored by the
competition's RMSE of log prices; 5-fold cross-validation, then a fit on all
training houses and a submission.csv (Id, SalePrice) for the test houses.
"""
import argparse
import sys
import time

import mxnet as mx
import numpy as np
from mxnet import autograd, gluon, nd

import utils
from gluon_tutorials import cli
from gluon_tutorials.data import read_kaggle_house
from gluon_tutorials.files import atomic_path


def preprocess(train, test):
    """(X_train, y_train, X_test) as float32 numpy arrays from the two DataFrames.

    Train and test features are processed together, so both get the same
    columns and the same standardisation.
    """
    import pandas as pd

    all_X = pd.concat((train.loc[:, 'MSSubClass':'SaleCondition'],
                       test.loc[:, 'MSSubClass':'SaleCondition']), ignore_index=True)
    numeric_feats = all_X.select_dtypes(include='number').columns
    all_X[numeric_feats] = all_X[numeric_feats].apply(lambda x: (x - x.mean()) / x.std())
    all_X = pd.get_dummies(all_X, dummy_na=True)
    all_X = all_X.fillna(all_X.mean())
    # pandas 2 has no as_matrix, and get_dummies makes bool columns: without an
    # explicit dtype .to_numpy() would give an object array.
    features = all_X.to_numpy(dtype=np.float32)
    num_train = train.shape[0]
    return features[:num_train], train.SalePrice.to_numpy(dtype=np.float32), features[num_train:]


square_loss = gluon.loss.L2Loss()


def get_rmse_log(net, X_train, y_train):
    """The competition's score: RMSE between log predictions and log prices.
    Predictions below 1 are clipped to 1 so that their log is defined."""
    num_train = X_train.shape[0]
    clipped_preds = nd.clip(net(X_train), 1, float('inf'))
    # L2Loss halves the squared error, hence the 2.
    return np.sqrt(2 * nd.sum(square_loss(
        nd.log(clipped_preds), nd.log(y_train))).asscalar() / num_train)


def get_net(ctx=mx.cpu()):
    net = gluon.nn.Sequential()
    with net.name_scope():
        net.add(gluon.nn.Dense(1))
    net.initialize(ctx=ctx)
    return net


def train(net, X_train, y_train, X_test, y_test, epochs, verbose_epoch, learning_rate,
          weight_decay, batch_size=100, ctx=mx.cpu(), log=print):
    """Adam on the L2 loss; returns the RMSE-log on (X_train, y_train) after each epoch,
    and on (X_test, y_test) too unless X_test is None. Arguments are numpy arrays."""
    data_iter_train = gluon.data.DataLoader(
        gluon.data.ArrayDataset(X_train, y_train), batch_size, shuffle=True)
    trainer = gluon.Trainer(net.collect_params(), 'adam',
                            {'learning_rate': learning_rate, 'wd': weight_decay})
    X_train, y_train = nd.array(X_train, ctx=ctx), nd.array(y_train, ctx=ctx)
    if X_test is not None:
        X_test, y_test = nd.array(X_test, ctx=ctx), nd.array(y_test, ctx=ctx)
    train_loss, test_loss = [], []
    for epoch in range(epochs):
        for data, label in data_iter_train:
            data, label = data.as_in_context(ctx), label.as_in_context(ctx)
            with autograd.record():
                output = net(data)
                loss = square_loss(output, label)
            loss.backward()
            # As in the book, always divided by the full batch size, the last,
            # smaller batch included.
            trainer.step(batch_size)
        # The book scores after every batch and keeps the epoch's last score;
        # scoring once at the end of the epoch gives that same number.
        train_loss.append(get_rmse_log(net, X_train, y_train))
        if epoch > verbose_epoch:
            log("Epoch %d, train loss: %f" % (epoch, train_loss[-1]))
        if X_test is not None:
            test_loss.append(get_rmse_log(net, X_test, y_test))
    return train_loss, test_loss


def k_fold_indices(num_examples, k):
    """k contiguous folds of row indices, covering every row once. When k divides
    the row count (1460 = 5 * 292) they are the book's folds; otherwise the first
    folds take one extra row each, where the book drops the leftover rows."""
    return np.array_split(np.arange(num_examples), k)


def k_fold_cross_valid(k, epochs, verbose_epoch, X_train, y_train, learning_rate,
                       weight_decay, batch_size=100, ctx=mx.cpu(), log=print):
    """Train a fresh net k times, each time holding out one fold for testing.
    Returns (average final train loss, average final test loss, per-fold curves)."""
    assert k > 1
    folds = k_fold_indices(X_train.shape[0], k)
    curves = []
    for test_i, test_idx in enumerate(folds):
        train_idx = np.concatenate([fold for i, fold in enumerate(folds) if i != test_i])
        net = get_net(ctx)
        train_loss, test_loss = train(
            net, X_train[train_idx], y_train[train_idx], X_train[test_idx], y_train[test_idx],
            epochs, verbose_epoch, learning_rate, weight_decay, batch_size, ctx, log)
        log("Test loss: %f" % test_loss[-1])
        curves.append((train_loss, test_loss))
    return (float(np.mean([c[0][-1] for c in curves])),
            float(np.mean([c[1][-1] for c in curves])), curves)


def learn(epochs, verbose_epoch, X_train, y_train, X_test, test, learning_rate, weight_decay,
          path, batch_size=100, ctx=mx.cpu(), log=print):
    """Fit on all training houses, predict the test houses and write the Kaggle
    submission (Id, SalePrice) to `path`. Returns (train losses, submission)."""
    import pandas as pd

    net = get_net(ctx)
    train_loss, _ = train(net, X_train, y_train, None, None, epochs, verbose_epoch,
                          learning_rate, weight_decay, batch_size, ctx, log)
    preds = net(nd.array(X_test, ctx=ctx)).asnumpy().reshape(-1)
    submission = pd.DataFrame({'Id': test['Id'], 'SalePrice': preds})
    with atomic_path(path) as tmp:
        submission.to_csv(tmp, index=False)
    return train_loss, submission


def non_negative_float(text):
    value = float(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text}")
    return value


def parser():
    p = cli.section_parser(cli.module_name(__name__, __spec__), __doc__,
                           epochs=100, batch_size=100, lr=5., ctx="cpu")
    p.add_argument("--k", type=cli.positive_int, default=5, help="folds of the cross-validation")
    p.add_argument("--wd", type=non_negative_float, default=0., help="Adam's weight decay")
    p.add_argument("--verbose-epoch", type=int, default=95,
                   help="print the train loss of the epochs after this one")
    return p


def main(argv=None):
    p = parser()
    args = p.parse_args(argv)
    cli.seed_everything(args.seed)

    train_df, test_df = read_kaggle_house()
    X_train, y_train, X_test = preprocess(train_df, test_df)
    if not 2 <= args.k <= len(X_train):
        p.error(f"--k must be between 2 and the {len(X_train)} training houses, got {args.k}")
    print("train %s, test %s, %d features after preprocessing"
          % (train_df.shape, test_df.shape, X_train.shape[1]))

    start = time.time()
    train_loss, test_loss, curves = k_fold_cross_valid(
        args.k, args.epochs, args.verbose_epoch, X_train, y_train, args.lr, args.wd,
        args.batch_size, args.ctx)
    print("%d-fold validation: Avg train loss: %f, Avg test loss: %f"
          % (args.k, train_loss, test_loss))
    utils.plot_loss_curves([(f"fold {i}", {"train": tr, "test": te})
                            for i, (tr, te) in enumerate(curves)],
                           args.out / "kfold.png", ylabel="rmse-log")

    path = args.out / "submission.csv"
    full_loss, submission = learn(args.epochs, args.verbose_epoch, X_train, y_train, X_test,
                                  test_df, args.lr, args.wd, path, args.batch_size, args.ctx)
    utils.plot_loss_curves([("all training houses", {"train": full_loss})],
                           args.out / "train.png", ylabel="rmse-log")
    print("wrote %s: predictions for %d test houses" % (path, len(submission)))
    return {"avg_train_loss": train_loss, "avg_test_loss": test_loss,
            "fold_train_loss": [c[0][-1] for c in curves],
            "fold_test_loss": [c[1][-1] for c in curves],
            "train_loss": full_loss[-1], "submission": str(path),
            "seconds": time.time() - start}


if __name__ == "__main__":
    sys.exit(cli.run(main))
