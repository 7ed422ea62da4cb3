"""The runner: `list`, `run SLUG` with options built from the parameters cell, and the
messages and exit codes for bad input."""
import ast
import os
import subprocess
import sys
from pathlib import Path

import mxnet as mx
import pytest

import utils
from gluon_tutorials import __main__ as runner
from gluon_tutorials import cli, notebook, runtime, sections

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None, env=None, timeout=300):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=timeout,
                          cwd=cwd or ROOT, env={**os.environ, **(env or {})})


def test_list_shows_every_registered_section(capsys):
    assert runner.main(["list"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert len(out) == len(sections.SECTIONS)
    assert any("chapter02_supervised_learning" in line and "linear_regression_scratch" in line
               for line in out)


def test_unknown_slug_exits_2_with_valid_slugs(capsys):
    assert runner.main(["run", "no_such_section"]) == 2
    err = capsys.readouterr().err
    assert "no_such_section" in err and "linear_regression_gluon" in err


@pytest.mark.parametrize("section", sections.SECTIONS, ids=lambda s: s.slug)
def test_every_section_is_a_notebook_with_a_parameters_cell(section, capsys):
    source = section.path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    assert not any(isinstance(n, ast.FunctionDef) and n.name == "main" for n in ast.walk(tree))
    imported = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import)
                for a in n.names}
    imported |= {n.module.split(".")[0] for n in ast.walk(tree)
                 if isinstance(n, ast.ImportFrom) and n.module}
    assert "argparse" not in imported
    # no section imports another section
    assert not any(isinstance(n, ast.ImportFrom) and n.module and ".chapter" in n.module
                   for n in ast.walk(tree))
    nb = notebook.read(section.path)
    first_code = next(c for c in nb.cells if c.cell_type == "code")
    assert first_code.metadata.get("tags") == ["parameters"]
    assert nb.cells[0].cell_type == "markdown" and nb.cells[0].source.startswith("# ")
    params = {p.name: p for p in notebook.parameters(section.path)}
    assert "seed" in params and all(p.help for p in params.values())
    # --help lists every parameter with its comment and default
    with pytest.raises(SystemExit) as exit_:
        cli.parse(section, ["--help"])
    assert exit_.value.code == 0
    help_text = " ".join(capsys.readouterr().out.split())
    for p in params.values():
        assert "--" + p.name.replace("_", "-") in help_text
        assert " ".join(p.help.split()) in help_text


def test_parameters_are_read_in_order_with_their_comments():
    params = notebook.parameters(sections.get("mlp_gluon").path)
    assert [p.name for p in params][:3] == ["epochs", "batch_size", "learning_rate"]
    by_name = {p.name: p for p in params}
    assert by_name["learning_rate"].default == 0.5 and by_name["subset"].default is None
    assert by_name["hybridize"].default is True and "step" in by_name["learning_rate"].help


@pytest.mark.parametrize("source, message", [
    ("epochs = 5\n", "no comment"),
    ("epochs = 2 * 5  # passes\n", "not a literal"),
    ("import os  # no\n", "not a plain"),
])
def test_parameters_cell_format_is_enforced(source, message):
    with pytest.raises(notebook.SectionFormatError, match=message):
        notebook.parse_parameters(source)


def test_overrides_cell_goes_right_after_the_parameters_cell():
    nb = notebook.with_overrides(notebook.read(sections.get("mlp_gluon").path),
                                 {"epochs": 1, "ctx": "cpu"})
    code = [c for c in nb.cells if c.cell_type == "code"]
    assert code[1].metadata["tags"] == ["injected-parameters"]
    assert code[1].source == "# Parameters\nepochs = 1\nctx = 'cpu'"


def test_run_prints_the_book_lines_and_recovers_the_weights(tmp_path):
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch",
                     "--epochs", "2", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert [line.split(",")[0] for line in lines if line.startswith("Epoch")] == ["Epoch 0", "Epoch 1"]
    learned = next(line for line in lines if line.startswith("true_w"))
    w = ast.literal_eval(learned.split("learned w")[1].strip())
    assert w == pytest.approx([2, -3.4], abs=0.1)
    assert f"wrote {tmp_path / 'data.png'}" in result.stdout and (tmp_path / "data.png").is_file()


def test_runs_as_a_file_path_with_the_book_values(tmp_path):
    via_runner = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch",
                         "--out", "out/linear_regression_scratch", cwd=tmp_path)
    as_file = run_cli(str(sections.get("linear_regression_scratch").path), cwd=tmp_path)
    assert via_runner.returncode == 0 and as_file.returncode == 0, via_runner.stderr + as_file.stderr
    assert as_file.stdout == via_runner.stdout  # same book values, same seed, same numbers
    assert "Epoch 4, average loss" in as_file.stdout
    assert (tmp_path / "out" / "linear_regression_scratch" / "data.png").is_file()


def test_top_level_help_and_no_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        runner.main(["--help"])
    assert exit_.value.code == 0
    assert runner.main([]) == 2


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "expected a positive integer, got 0"),
    (["--epochs", "two"], "expected a positive integer, got 'two'"),
    (["--lr", "-1"], "positive finite number"),
    (["--learning-rate", "inf"], "positive finite number"),
    (["--lr", "nan"], "positive finite number"),
    (["--ctx", "tpu"], "unknown device"),
    (["--bogus", "1"], "unrecognized arguments: --bogus"),
    (["--num-hidden", "5"], "unrecognized arguments"),
])
def test_bad_arguments_are_one_line_and_exit_2(argv, message, capsys):
    assert_one_line_exit_2(lambda: cli.parse(sections.get("linear_regression_scratch"), argv),
                           message, capsys)


@pytest.mark.parametrize("slug, argv, message", [
    ("alexnet_gluon", ["--resize", "66"], "expected an integer >= 67, got 66"),
    ("vgg_gluon", ["--resize", "31"], "expected an integer >= 32, got 31"),
    ("kaggle_gluon_kfold", ["--k", "1"], "expected an integer >= 2, got 1"),
])
def test_minimum_sizes_are_checked_on_the_command_line(slug, argv, message, capsys):
    assert_one_line_exit_2(lambda: cli.parse(sections.get(slug), argv), message, capsys)
    minimum = message.split(">= ")[1].split(",")[0]
    assert cli.parse(sections.get(slug), [argv[0], minimum]) == {argv[0][2:]: int(minimum)}


def assert_one_line_exit_2(call, message, capsys):
    with pytest.raises(SystemExit) as exit_:
        call()
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err and len(err.strip().splitlines()) == 1, err


def test_bad_argument_fails_before_anything_runs(tmp_path):
    # data for no section is present: had it started, it would fail on the data instead
    result = run_cli("-m", "gluon_tutorials", "run", "mlp_gluon", "--epochs", "two",
                     env={"GLUON_TUTORIALS_DATA": str(tmp_path), "GLUON_TUTORIALS_OFFLINE": "1",
                          "HOME": str(tmp_path)})
    assert result.returncode == 2 and result.stdout == ""
    assert result.stderr.strip().endswith("expected a positive integer, got 'two' (see --help)")


def test_gpu_without_gpu_is_one_clear_message():
    if utils.num_gpus():
        pytest.skip("this machine has a GPU")
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch", "--ctx", "gpu")
    assert result.returncode == 2
    assert "no GPU is visible" in result.stderr and "Traceback" not in result.stderr


def test_device():
    assert runtime.device("cpu") == mx.cpu(0)
    assert runtime.device("CPU:1") == mx.cpu(1)
    assert runtime.device("auto") == utils.try_gpu()
    with pytest.raises(runtime.DeviceError):
        runtime.device("gpu:x")
    if not utils.num_gpus():
        with pytest.raises(runtime.DeviceError, match="no GPU"):
            runtime.device("gpu:1")


def test_device_lists():
    assert runtime.device("cpu:0,cpu:1") == [mx.cpu(0), mx.cpu(1)]
    assert runtime.device(" CPU:0 , cpu:2") == [mx.cpu(0), mx.cpu(2)]
    expected = [mx.gpu(0), mx.gpu(1)] if utils.num_gpus() >= 2 else [mx.cpu(0), mx.cpu(1)]
    assert runtime.device("auto:2") == expected
    assert runtime.devices("cpu") == [mx.cpu(0)]
    for bad, reason in (("cpu:0,cpu:0", "names a device twice"), ("cpu:0,", "unknown device list"),
                        ("auto:0", "asks for no device"), ("auto:x", "unknown device list"),
                        ("cpu:0,auto", "unknown device list")):
        with pytest.raises(runtime.DeviceError, match=reason):
            runtime.device(bad)
    if not utils.num_gpus():
        with pytest.raises(runtime.DeviceError, match="gpu:1 was asked for but no GPU"):
            runtime.device("cpu:0,gpu:1")
    # a single device stays one Context; the sections that take lists always get a list
    assert runtime.setup("cpu", 1) == mx.cpu(0)
    assert runtime.setup("cpu", 1, many=True) == [mx.cpu(0)]
    with pytest.raises(runtime.DeviceError, match="OMP_NUM_THREADS=1 before MXNet starts"):
        runtime.setup("cpu:0,cpu:1", 1, many=True)  # this process's BLAS has 2 threads
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("OMP_NUM_THREADS", "1")
        assert runtime.setup("cpu:0,cpu:1", 1, many=True) == [mx.cpu(0), mx.cpu(1)]
    with pytest.raises(runtime.DeviceError, match="computes on one"):
        runtime.setup("cpu:0,cpu:1", 1)


def test_a_device_list_for_a_one_device_section_is_refused_before_any_work(tmp_path):
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch",
                     "--ctx", "cpu:0,cpu:1", "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and result.stdout == ""
    assert "is a list of devices, but this section computes on one" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and not (tmp_path / "o").exists()


def test_missing_data_is_one_message_not_a_traceback(tmp_path):
    result = run_cli("-m", "gluon_tutorials", "run", "mlp_gluon", "--out", str(tmp_path / "o"),
                     env={"GLUON_TUTORIALS_DATA": str(tmp_path), "GLUON_TUTORIALS_OFFLINE": "1",
                          "HOME": str(tmp_path)})
    assert result.returncode == 1
    assert result.stderr.startswith("error: missing data file(s): ")
    assert "Traceback" not in result.stderr


def test_hybridize_flag_and_its_help(capsys):
    section = sections.get("mlp_gluon")
    assert cli.parse(section, []) == {}
    assert cli.parse(section, ["--no-hybridize"]) == {"hybridize": False}
    with pytest.raises(SystemExit):
        cli.parse(section, ["--help"])
    help_text = " ".join(capsys.readouterr().out.split())
    assert "(default: on)" in help_text and "--no-hybridize turn --hybridize off" in help_text
    assert "default: True" not in help_text
    from mxnet import gluon

    for on in (True, False):
        net = gluon.nn.Sequential()
        net.add(gluon.nn.Dense(2))
        runtime.hybridize(net, on)
        assert net[0]._active is on


def test_seed_everything_seeds_all_three_generators():
    import random

    import numpy as np
    from mxnet import nd

    def draws():
        return (random.random(), np.random.rand(), nd.random.uniform(shape=1).asscalar())

    runtime.seed_everything(5)
    first = draws()
    runtime.seed_everything(5)
    again = draws()
    runtime.seed_everything(6)
    other = draws()
    assert first == again
    assert all(a != b for a, b in zip(first, other))


def test_out_that_is_a_file_is_refused_before_any_work(tmp_path):
    target = tmp_path / "f"
    target.write_text("x\n")
    result = run_cli("-m", "gluon_tutorials", "run", "mlp_gluon", "--out", str(target),
                     env={"GLUON_TUTORIALS_DATA": str(tmp_path), "GLUON_TUTORIALS_OFFLINE": "1"})
    assert result.returncode == 2
    assert "exists and is not a folder" in result.stderr and len(result.stderr.splitlines()) == 1
    assert target.read_text() == "x\n"


def test_an_unwritable_out_is_refused(tmp_path, monkeypatch, capsys):
    # root passes every permission check (as in CI), so the refusal is simulated at os.access
    monkeypatch.setattr(cli.os, "access", lambda path, mode: False)
    assert "cannot write" in cli.writable_folder_problem(tmp_path)
    assert_one_line_exit_2(lambda: cli.parse(sections.get("mlp_gluon"), ["--out", str(tmp_path)]),
                           "cannot write to the folder", capsys)


def test_divergence_stops_with_the_lesson_and_exit_3(tmp_path):
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch", "--lr", "1e9",
                     "--out", str(tmp_path))
    assert result.returncode == 3
    assert "training diverged" in result.stderr and "smaller learning rate" in result.stderr
    assert "Traceback" not in result.stderr
    assert "learned w" not in result.stdout


def test_a_wrecked_but_finite_regression_stops_with_exit_3(tmp_path):
    # at 0.1 the scratch model's loss grows to ~4e15 in one epoch without reaching inf
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch", "--lr", "0.1",
                     "--epochs", "1", "--out", str(tmp_path))
    assert result.returncode == 3, result.stderr
    assert "Epoch 0, average loss: " in result.stdout and "nan" not in result.stdout
    assert result.stderr.startswith("error: training diverged: the loss is ")
    assert "far above the untrained model's" in result.stderr and "Traceback" not in result.stderr
    assert "learned w" not in result.stdout


def test_check_loss():
    from mxnet import nd

    assert runtime.chance_loss(10) == pytest.approx(2.302585)
    assert runtime.check_loss(nd.array([11.0]), 2.3) is not None  # below 5 x 2.3
    with pytest.raises(runtime.Diverged, match="the loss is 11.5, far above the untrained "
                                               "model's 2.3.*learning_rate = 10"):
        runtime.check_loss(11.5, 2.3, 10.0)
    with pytest.raises(runtime.Diverged, match="the loss is nan"):
        runtime.check_loss(float("nan"), 2.3)


@pytest.mark.parametrize("section", [s for s in sections.SECTIONS
                                     if "check_finite(" in s.path.read_text()
                                     or "check_loss(" in s.path.read_text()], ids=lambda s: s.slug)
def test_every_classification_and_regression_loop_checks_against_the_untrained_loss(section):
    source = section.path.read_text()
    if section.slug == "rnn_scratch":  # a perplexity, checked for being finite
        assert "check_finite(perplexity" in source
    elif section.slug == "multiple_gpus_scratch":  # its loop keeps no loss: the weights
        assert "check_finite(0.0, lr, params=" in source
    elif section.slug == "kaggle_gluon_kfold":  # Adam: checked when each fit ends
        assert "check_improved(trained_loss, untrained_loss" in source
    elif section.slug == "kaggle_gluon_cifar10":  # batch 1 + BatchNorm: spikes that recover
        assert "check_finite(train_loss / len(train_data), trainer.learning_rate" in source
        assert "check_loss(" not in source
    else:
        assert "runtime.check_loss(" in source and "check_finite(" not in source


def test_check_finite():
    from mxnet import nd

    assert runtime.check_finite(1.5) == 1.5
    with pytest.raises(runtime.Diverged, match="the loss is nan"):
        runtime.check_finite(float("nan"), 0.1)
    with pytest.raises(runtime.Diverged, match="learning_rate = 100"):
        runtime.check_finite(nd.array([float("inf")]), 100.0)
    with pytest.raises(runtime.Diverged, match="parameter"):
        runtime.check_finite(0.5, params=[nd.ones(2), nd.array([1, float("nan")])])


def test_ctrl_c_is_a_short_message_and_exit_130(monkeypatch, capsys):
    def interrupt(*args, **kwargs):
        raise KeyboardInterrupt

    monkeypatch.setattr(notebook, "execute", interrupt)
    assert cli.run(sections.get("linear_regression_scratch"), []) == 130
    assert capsys.readouterr().err == "interrupted\n"


# --- issue 17: output folders, seeds, folds, the data copy, the parameters cell ----------

def test_an_empty_out_is_refused_and_nothing_written(tmp_path):
    before = set(os.listdir("/"))
    result = run_cli("-m", "gluon_tutorials", "run", "serialization", "--out", "", cwd=tmp_path)
    assert result.returncode == 2 and result.stdout == ""
    assert "argument --out: expected a folder, got an empty name" in result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert list(tmp_path.iterdir()) == [] and set(os.listdir("/")) == before


def test_the_default_out_is_checked_before_any_work(tmp_path, monkeypatch, capsys):
    # a read-only working directory, simulated (root passes permission checks)
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(cli.os, "access", lambda path, mode: not os.fspath(path).startswith("out"))
    monkeypatch.setattr(notebook, "execute", lambda *a, **k: pytest.fail("the section ran"))
    assert cli.run(sections.get("mlp_gluon"), ["--ctx", "cpu"]) == 2
    err = capsys.readouterr().err
    assert err == ("error: the section's output folder: cannot write to the folder "
                   "out/mlp_gluon (choose another with --out)\n")
    # notebooks --execute runs the section in a kernel that writes there too
    monkeypatch.setattr(notebook, "execute_in_kernel", lambda *a, **k: pytest.fail("it ran"))
    assert runner.main(["notebooks", "--execute", "--out", str(tmp_path / "nb"), "mlp_gluon"]) == 2
    assert capsys.readouterr().err == f"error: mlp_gluon: {err[len('error: '):]}"
    assert cli.output_folder(sections.get("mlp_gluon"), {}) == "out/mlp_gluon"
    assert cli.output_folder(sections.get("mlp_gluon"), {"out": "x"}) == "x"
    assert cli.output_folder(sections.get("block"), {}) is None  # writes nothing


@pytest.mark.parametrize("make, message", [
    (lambda tmp: tmp / ("a" * 300), "is 300 bytes long; this file system allows 255"),
    (lambda tmp: Path((f"{tmp}/" + ("b" * 200 + "/") * 21)[:4070]),
     "is 4070 bytes long as an absolute path, leaving no room for the files in it"),
    (lambda tmp: Path(os.fsdecode(bytes(tmp) + b"/\xff")),
     "is not valid UTF-8, and MXNet can only write to UTF-8 paths"),
])
def test_out_paths_that_cannot_be_written_are_refused_up_front(make, message, tmp_path, capsys):
    path = make(tmp_path)
    assert_one_line_exit_2(lambda: cli.parse(sections.get("mlp_gluon"), ["--out", str(path)]),
                           message, capsys)
    assert list(tmp_path.iterdir()) == []


def _fill_the_disk(monkeypatch, after_bytes=10):
    """Every figure write fails with ENOSPC after writing part of the file."""
    import errno

    from matplotlib.figure import Figure

    def savefig(self, fname, **kwargs):
        with open(fname, "wb") as f:
            f.write(b"\x89PNG"[:after_bytes])
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), fname)
    monkeypatch.setattr(Figure, "savefig", savefig)


def test_a_full_disk_is_one_line_naming_the_file_and_the_old_file_stays(tmp_path, monkeypatch,
                                                                          capsys):
    old = tmp_path / "data.png"
    old.write_bytes(b"the figure of an earlier run")
    _fill_the_disk(monkeypatch)
    assert cli.run(sections.get("linear_regression_scratch"),
                   ["--epochs", "1", "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err == (f"error: cannot write {old}: No space left on device; the file there before "
                   f"is unchanged\n")
    assert old.read_bytes() == b"the figure of an earlier run"
    assert os.listdir(tmp_path) == ["data.png"]  # no temporary file left


@pytest.mark.parametrize("fault", ["read-only", "mxnet"])
def test_a_folder_turned_read_only_or_a_failed_nd_save_is_one_line(fault, tmp_path, monkeypatch,
                                                                   capsys):
    import errno

    from gluon_tutorials import files

    if fault == "read-only":  # mkstemp is where a read-only folder shows first
        def refuse(*args, **kwargs):
            raise PermissionError(errno.EACCES, os.strerror(errno.EACCES))
        monkeypatch.setattr(files.tempfile, "mkstemp", refuse)
        cause = "Permission denied"
    else:
        def refuse(*args, **kwargs):
            raise mx.base.MXNetError("Check failed: fo->Write(...): No space left on device")
        monkeypatch.setattr(mx.nd, "save", refuse)
        cause = "No space left on device"
    assert cli.run(sections.get("serialization"), ["--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: cannot write {tmp_path / 'test1.params'}: ") and cause in err
    assert len(err.splitlines()) == 1 and os.listdir(tmp_path) == []


@pytest.mark.parametrize("seed, message", [
    ("-1", "expected a seed from 0 to 4294967295, got -1"),
    ("4294967296", "expected a seed from 0 to 4294967295, got 4294967296"),
    ("one", "expected an integer seed, got 'one'"),
])
def test_seeds_are_range_checked_when_parsed(seed, message, capsys):
    from gluon_tutorials import reproduce

    assert_one_line_exit_2(lambda: cli.parse(sections.get("mlp_gluon"), ["--seed", seed]),
                           message, capsys)
    assert_one_line_exit_2(lambda: reproduce.build_parser().parse_args(["--seed", seed]),
                           message, capsys)
    assert cli.parse(sections.get("mlp_gluon"), ["--seed", "4294967295"]) == {"seed": 2 ** 32 - 1}


def test_k_is_bounded_by_the_training_houses(tiny_kaggle, capsys):
    section = sections.get("kaggle_gluon_kfold")  # the tiny file has 60 houses
    assert cli.parse(section, ["--k", "30"]) == {"k": 30}
    assert_one_line_exit_2(lambda: cli.parse(section, ["--k", "31"]),
                           "expected at most 30 folds of two houses or more (the training "
                           "file has 60 houses), got 31", capsys)


def test_k_is_not_bounded_before_the_data_is_here(data_dir):
    assert cli.parse(sections.get("kaggle_gluon_kfold"), ["--k", "2000"]) == {"k": 2000}


def test_a_bogus_copy_of_fashion_mnist_is_one_line_before_any_work(data_dir, monkeypatch, capsys):
    from gluon_tutorials import data

    monkeypatch.setenv(data.ENV_FASHION_COPY, "bogus")
    monkeypatch.setattr(notebook, "execute", lambda *a, **k: pytest.fail("the section ran"))
    assert cli.run(sections.get("mlp_gluon"), ["--out", str(data_dir / "o")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: GLUON_TUTORIALS_FASHION_MNIST_COPY=bogus: the copy of "
                          "Fashion-MNIST must be one of 'mxnet', 'zalando'")
    assert len(err.splitlines()) == 1


def test_asking_for_the_copy_that_is_not_here_is_one_line(tiny_fashion_mnist, data_dir,
                                                          monkeypatch, capsys):
    from gluon_tutorials import data

    monkeypatch.setenv(data.ENV_FASHION_COPY, "mxnet")  # only Zalando's files are here
    assert cli.run(sections.get("mlp_gluon"), ["--out", str(data_dir / "o")]) == 1
    err = capsys.readouterr().err
    folder = data_dir / "fashion-mnist"
    assert err == (f"error: GLUON_TUTORIALS_FASHION_MNIST_COPY=mxnet asks for MXNet's copy of "
                   f"Fashion-MNIST, but {folder} holds Zalando's copy and the two are never "
                   f"mixed in one folder: to read Zalando's copy, set "
                   f"GLUON_TUTORIALS_FASHION_MNIST_COPY=zalando or unset it; to read MXNet's "
                   f"copy, put its four files in a folder of their own and set "
                   f"GLUON_TUTORIALS_DATA to the folder above it\n")


@pytest.fixture
def edited_section(tmp_path, monkeypatch):
    """edited_section(old, new): mlp_gluon with `old` replaced by `new` in a copy of the
    package folder; returns (section, file, the line number of the edit)."""
    def edit(old, new, slug="mlp_gluon"):
        section = sections.get(slug)
        source = section.path.read_text(encoding="utf-8")
        assert source.count(old) == 1
        copy = tmp_path / "package" / section.chapter / section.path.name
        copy.parent.mkdir(parents=True)
        copy.write_text(source.replace(old, new), encoding="utf-8")
        monkeypatch.setattr(sections, "PACKAGE_DIR", tmp_path / "package")
        return section, copy, source[:source.index(old)].count("\n") + 1
    return edit


@pytest.mark.parametrize("old, new, message", [
    ("learning_rate = 0.5 ", "learning_rate = 0.5 +",
     "the parameters cell is not valid Python (invalid syntax); write each parameter as "
     "`name = value  # what it is`"),
    ("epochs = 5 ", "epochs = 2 * 3",
     "epochs = 2 * 3 is not a literal value; write the value itself, e.g. `epochs = 6`"),
    ("epochs = 5 ", 'epochs = "five"',
     "epochs = 'five': expected a whole number; write e.g. `epochs = 5`"),
    ("epochs = 5 ", "epochs = 0",
     "epochs = 0: expected a positive integer, got 0; write e.g. `epochs = 5`"),
    ("learning_rate = 0.5 ", "learning_rate = 'fast'",
     "learning_rate = 'fast': expected a number; write e.g. `learning_rate = 0.1`"),
    ("hybridize = True ", "hybridize = 1",
     "hybridize = 1: expected True or False; write e.g. `hybridize = True`"),
    ('ctx = "auto" ', "ctx = auto",
     "ctx = auto is not a literal value; write the value itself, a number, a quoted string, "
     "True, False or None"),
])
def test_a_broken_parameters_cell_is_one_line_naming_file_and_line(
        old, new, message, edited_section, data_dir, capsys):
    section, path, line = edited_section(old, new)
    # no data is here: had the section started, it would fail on the data instead
    assert runner.main(["run", "mlp_gluon", "--out", str(data_dir / "o")]) == 2
    err = capsys.readouterr().err
    assert err == f"error: {path}, line {line}: {message}\n"
    assert runner.main(["notebooks", "--out", str(data_dir / "nb"), "mlp_gluon"]) == 2
    assert capsys.readouterr().err == err
    assert not (data_dir / "nb").exists() or not any((data_dir / "nb").rglob("*.ipynb"))


def test_a_rate_stays_a_float_when_written_without_a_point(edited_section, capsys):
    section, _, _ = edited_section("learning_rate = 0.5 ", "learning_rate = 1   ")
    assert cli.parse(section, ["--lr", "0.1"]) == {"learning_rate": 0.1}
    rate = next(p for p in cli.checked_parameters(section) if p.name == "learning_rate")
    assert rate.default == 1.0 and isinstance(rate.default, float)
    with pytest.raises(SystemExit):
        cli.parse(section, ["--help"])
    assert "(default: 1.0)" in capsys.readouterr().out


@pytest.mark.parametrize("command", ["run", "notebooks"])
def test_a_section_kept_only_as_ipynb_is_a_clear_message(command, tmp_path, monkeypatch, capsys):
    section = sections.get("mlp_gluon")
    ipynb = tmp_path / section.chapter / "mlp_gluon.ipynb"
    notebook.to_ipynb(notebook.read(section.path), ipynb)
    monkeypatch.setattr(sections, "PACKAGE_DIR", tmp_path)  # where the .py is gone
    out = ["--out", str(tmp_path / "nb")] if command == "notebooks" else []
    assert runner.main([command, "mlp_gluon", *out]) == 2
    err = capsys.readouterr().err
    py = tmp_path / section.chapter / "mlp_gluon.py"
    assert err == (f"error: {py} is missing; mlp_gluon.ipynb beside it is not read: the sections "
                   f"are the `.py` files. Make it again with `jupytext --to py:percent {ipynb}`, "
                   f"or restore it with `git checkout -- {py}`\n")


def test_notebooks_names_its_own_command_for_an_unknown_parameter(capsys):
    with pytest.raises(SystemExit) as exit_:
        runner.main(["notebooks", "-p", "nosuch", "1", "mlp_gluon"])
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("python -m gluon_tutorials notebooks: error: -p nosuch: mlp_gluon has "
                          "no such parameter; its parameters are batch_size, ctx, epochs")
    assert " run " not in err and len(err.splitlines()) == 1
    with pytest.raises(SystemExit):  # a bad value names the command and the section too
        runner.main(["notebooks", "-p", "epochs", "two", "mlp_gluon"])
    assert capsys.readouterr().err.startswith(
        "python -m gluon_tutorials notebooks mlp_gluon -p: error: argument --epochs: expected")
