"""The registry: every section in book order, with the numbers the book printed."""
from dataclasses import dataclass, field
from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent


@dataclass(frozen=True)
class Section:
    slug: str
    chapter: str
    title: str
    # What the book (release 0.3) printed for this section, metric -> value.
    book: dict = field(default_factory=dict)
    # The dataset it reads ('fashion-mnist', 'kaggle', 'timemachine', 'jaychou', 'ptb'), if any.
    dataset: str = None
    # GPU-sized sections: the --subset that `reproduce` uses when it runs on a CPU.
    cpu_subset: int = None
    # metric -> the variable in the section's namespace that holds it, where the names differ.
    figures: dict = field(default_factory=dict)
    # Figures the book printed no number for (the release 0.6 sections): `reproduce` records
    # our mean and sigma over seeds and marks them "no book figure", with no z.
    ours: tuple = ()

    @property
    def path(self):
        """The section's source: a jupytext percent-format notebook."""
        return PACKAGE_DIR / self.chapter / f"{self.slug}.py"

    @property
    def metrics(self):
        """Every figure `reproduce` records: the book's, then our own."""
        return list(self.book) + [m for m in self.ours if m not in self.book]

    def variable(self, metric):
        return self.figures.get(metric, metric)


_CH1 = "chapter01_crashcourse"
_CH2 = "chapter02_supervised_learning"
_CH3 = "chapter03_gluon_basics"
_CH4 = "chapter04_convolutional_neural_networks"
_CH5 = "chapter05_recurrent_neural_networks"
_CH6 = "chapter06_optimization"
_CH7 = "chapter07_gluon_advances"
_CH8 = "chapter08_computer_vision"
_CH9 = "chapter09_natural_language_processing"

# The book's chapter numbers and short names, for the report.
CHAPTER_NAMES = {
    _CH1: "2 预备知识",
    _CH2: "3 监督学习",
    _CH3: "4 Gluon 基础",
    _CH4: "5 卷积神经网络",
    _CH5: "6 循环神经网络",
    _CH6: "7 优化算法",
    _CH7: "8 Gluon 高级",
    _CH8: "9 计算机视觉",
    _CH9: "10 自然语言处理",
}

SECTIONS = [
    # chapter 1
    Section("ndarray", _CH1, "使用 NDArray 来处理数据 (NDArray)"),
    Section("autograd", _CH1, "使用 autograd 来自动求导 (autograd)"),
    # chapter 2
    Section("linear_regression_scratch", _CH2, "线性回归 --- 从 0 开始 (linear regression from scratch)",
            book={"w": [1.9998, -3.4000], "b": 4.1999, "loss": 1.03e-4},
            figures={"loss": "average_loss"}),
    Section("linear_regression_gluon", _CH2, "线性回归 --- 使用 Gluon (linear regression with Gluon)",
            book={"w": [1.9992, -3.3989], "b": 4.2011, "loss": 5.1e-5},
            figures={"loss": "average_loss"}),
    # chapter 2, continued (issue 3)
    Section("softmax_regression_scratch", _CH2, "多类逻辑回归 --- 从 0 开始 (softmax regression from scratch)",
            book={"test_acc": 0.7217},
            dataset="fashion-mnist"),
    Section("softmax_regression_gluon", _CH2, "多类逻辑回归 --- 使用 Gluon (softmax regression with Gluon)",
            book={"test_acc": 0.8385},
            dataset="fashion-mnist"),
    Section("mlp_scratch", _CH2, "多层感知机 --- 从 0 开始 (multilayer perceptron from scratch)",
            book={"test_acc": 0.8717},
            dataset="fashion-mnist"),
    Section("mlp_gluon", _CH2, "多层感知机 --- 使用 Gluon (multilayer perceptron with Gluon)",
            book={"test_acc": 0.8789},
            dataset="fashion-mnist"),
    Section("dropout_scratch", _CH2, "丢弃法 --- 从 0 开始 (dropout from scratch)",
            book={"test_acc": 0.8464},
            dataset="fashion-mnist"),
    Section("dropout_gluon", _CH2, "丢弃法 --- 使用 Gluon (dropout with Gluon)",
            book={"test_acc": 0.8743},
            dataset="fashion-mnist"),
    Section("underfit_overfit", _CH2, "欠拟合和过拟合 (underfitting and overfitting)",
            book={"w": [1.195, -3.385, 5.599], "b": 4.973}),
    Section("reg_scratch", _CH2, "正则化 --- 从 0 开始 (regularization from scratch)"),
    Section("reg_gluon", _CH2, "正则化 --- 使用 Gluon (regularization with Gluon)"),
    Section("kaggle_gluon_kfold", _CH2,
            "实战 Kaggle 比赛：使用 Gluon 预测房价和 K 折交叉验证 (Kaggle house prices, K-fold)",
            book={"avg_train_loss": 0.1934, "avg_test_loss": 0.1973}, dataset="kaggle",
            figures={"avg_train_loss": "train_loss", "avg_test_loss": "test_loss"}),
    # chapter 3 (issue 4)
    Section("block", _CH3, "创建神经网络 (Block)",
            book={"default_prefix": "mlp0_dense0", "custom_prefix": "another_mlp_dense0"}),
    Section("parameters", _CH3, "初始化模型参数 (parameters)",
            book={"custom_init_calls": [(4, 5), (2, 4)], "deferred_init_calls": [(4, 5), (2, 4)]}),
    Section("serialization", _CH3, "序列化 --- 读写模型 (serialization)",
            book={"save_params_identical": True}),
    Section("custom_layer", _CH3, "设计自定义层 (custom layers)",
            book={"centered": [-2.0, -1.0, 0.0, 1.0, 2.0], "centered_net_mean": -4.65661294e-11}),
    Section("use_gpu", _CH3, "使用 GPU 来计算 (using a GPU)",
            book={"same_object": [True, False], "exp": [20.085537, 109.196297, 445.239502]}),
    # chapter 4 (issue 5)
    Section("cnn_scratch", _CH4, "卷积神经网络 --- 从 0 开始 (convolutional networks from scratch)",
            book={"test_acc": 0.8453},
            dataset="fashion-mnist"),
    Section("cnn_gluon", _CH4, "卷积神经网络 --- 使用 Gluon (convolutional networks with Gluon)",
            book={"test_acc": 0.8819},
            dataset="fashion-mnist"),
    Section("batch_norm_scratch", _CH4, "批量归一化 --- 从 0 开始 (batch normalization from scratch)",
            book={"test_acc": 0.8846},
            dataset="fashion-mnist"),
    Section("batch_norm_gluon", _CH4, "批量归一化 --- 使用 Gluon (batch normalization with Gluon)",
            book={"test_acc": 0.9063},
            dataset="fashion-mnist"),
    Section("alexnet_gluon", _CH4, "深度卷积神经网络和 AlexNet (AlexNet with Gluon)",
            book={"test_acc": 0.8019},
            dataset="fashion-mnist", cpu_subset=1000),
    Section("vgg_gluon", _CH4, "VGG：使用重复元素的非常深的网络 (VGG with Gluon)",
            book={"test_acc": 0.8247},
            dataset="fashion-mnist", cpu_subset=1000),
    # chapter 4, the modern CNNs of release 0.6 (issue 19): the book printed no figures for them
    Section("nin_gluon", _CH4, "网络中的网络 (NiN with Gluon)",
            ours=("test_acc",), dataset="fashion-mnist", cpu_subset=1000),
    Section("googlenet_gluon", _CH4, "更深的卷积神经网络：GoogLeNet (GoogLeNet with Gluon)",
            ours=("test_acc",), dataset="fashion-mnist", cpu_subset=1000),
    Section("resnet_gluon", _CH4, "ResNet：深度残差网络 (ResNet with Gluon)",
            ours=("test_acc",), dataset="fashion-mnist", cpu_subset=1000),
    Section("densenet_gluon", _CH4, "DenseNet：稠密连接的卷积神经网络 (DenseNet with Gluon)",
            ours=("test_acc",), dataset="fashion-mnist", cpu_subset=1000),
    # chapter 5 (issue 5)
    Section("rnn_scratch", _CH5, "循环神经网络 --- 从 0 开始 (recurrent neural networks from scratch)",
            book={"perplexity": 2.30}, dataset="timemachine"),
    # chapter 5, release 0.6 (issue 19): the book printed no numbers, so our own are recorded
    Section("gru_scratch", _CH5, "门控循环单元（GRU）--- 从 0 开始 (gated recurrent unit from scratch)",
            ours=("perplexity",), dataset="jaychou"),
    Section("lstm_scratch", _CH5, "长短期记忆（LSTM）--- 从 0 开始 (long short-term memory from scratch)",
            ours=("perplexity",), dataset="jaychou"),
    Section("rnn_gluon", _CH5, "循环神经网络 --- 使用 Gluon (recurrent neural networks with Gluon)",
            ours=("train_perplexity", "val_perplexity", "test_perplexity"), dataset="ptb"),
    # chapter 6, the optimisation chapter of release 0.6 (issue 18): the book printed no
    # numbers for it, so the figures are our own: the loss on all the data at the end of
    # training (one per run in the sections that train several times).
    Section("optimization_intro", _CH6, "优化算法概述 (optimization: an overview)",
            ours=("global_minimum",)),
    Section("gd_sgd_scratch", _CH6,
            "梯度下降和随机梯度下降 --- 从 0 开始 (gradient descent and SGD from scratch)",
            ours=("final_loss",)),
    Section("gd_sgd_gluon", _CH6,
            "梯度下降和随机梯度下降 --- 使用 Gluon (gradient descent and SGD with Gluon)",
            ours=("final_loss",)),
    Section("momentum_scratch", _CH6, "动量法 --- 从 0 开始 (momentum from scratch)",
            ours=("final_loss",)),
    Section("momentum_gluon", _CH6, "动量法 --- 使用 Gluon (momentum with Gluon)",
            ours=("final_loss",)),
    Section("adagrad_scratch", _CH6, "Adagrad --- 从 0 开始 (Adagrad from scratch)",
            ours=("final_loss",)),
    Section("adagrad_gluon", _CH6, "Adagrad --- 使用 Gluon (Adagrad with Gluon)",
            ours=("final_loss",)),
    Section("rmsprop_scratch", _CH6, "RMSProp --- 从 0 开始 (RMSProp from scratch)",
            ours=("final_loss",)),
    Section("rmsprop_gluon", _CH6, "RMSProp --- 使用 Gluon (RMSProp with Gluon)",
            ours=("final_loss",)),
    Section("adadelta_scratch", _CH6, "Adadelta --- 从 0 开始 (Adadelta from scratch)",
            ours=("final_loss",)),
    Section("adadelta_gluon", _CH6, "Adadelta --- 使用 Gluon (Adadelta with Gluon)",
            ours=("final_loss",)),
    Section("adam_scratch", _CH6, "Adam --- 从 0 开始 (Adam from scratch)",
            ours=("final_loss",)),
    Section("adam_gluon", _CH6, "Adam --- 使用 Gluon (Adam with Gluon)",
            ours=("final_loss",)),
    # chapter "Gluon高级" of release 0.6 (issue 18): the book printed no numbers here.
    Section("hybridize", _CH7, "Hybridize：更快和更好移植 (hybridize)",
            ours=("speedup",)),
    Section("lazy_evaluation", _CH7, "延迟执行 (lazy evaluation)"),
    Section("auto_parallelism", _CH7, "自动并行 (automatic parallelism)"),
    Section("multiple_gpus_scratch", _CH7, "多GPU来训练 --- 从0开始 (multiple GPUs from scratch)",
            dataset="fashion-mnist", cpu_subset=2000,
            ours=("test_acc_one_device", "test_acc_data_parallel")),
    Section("multiple_gpus_gluon", _CH7, "多GPU来训练 --- 使用Gluon (multiple GPUs with Gluon)",
            dataset="fashion-mnist", cpu_subset=1000,
            ours=("test_acc_one_device", "test_acc_data_parallel")),
    # chapters 9 and 10 of release 0.6 (issue 19): Kaggle CIFAR-10 and translation
    Section("kaggle_gluon_cifar10", _CH8,
            "实战 Kaggle 比赛：使用 Gluon 对原始图像文件分类（CIFAR-10） (Kaggle CIFAR-10 from raw image files)",
            dataset="kaggle_cifar10", ours=("valid_acc",)),
    Section("nmt", _CH9, "神经机器翻译 (neural machine translation)", dataset="fr-en",
            ours=("final_loss",)),
]

BY_SLUG = {s.slug: s for s in SECTIONS}


def get(slug):
    """The section for `slug`; KeyError when there is none."""
    return BY_SLUG[slug]
