"""The runner and the options every section shares."""
import argparse
import os
import subprocess
import sys
from pathlib import Path

import mxnet as mx
import pytest

import utils
from gluon_tutorials import __main__ as runner
from gluon_tutorials import cli, sections

ROOT = Path(__file__).resolve().parents[1]


def run_cli(*args, cwd=None, env=None):
    return subprocess.run([sys.executable, *args], capture_output=True, text=True, timeout=300,
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
def test_every_section_has_help_and_main(section, capsys):
    module = section.load()
    assert callable(module.main)
    with pytest.raises(SystemExit) as exit_:
        module.main(["--help"])
    assert exit_.value.code == 0
    assert "--seed" in capsys.readouterr().out


def test_run_with_epochs_1_through_the_runner(tmp_path):
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_gluon",
                     "--epochs", "1", "--out", str(tmp_path))
    assert result.returncode == 0, result.stderr
    assert "Epoch 0, average loss:" in result.stdout and "Epoch 1" not in result.stdout


def test_runs_as_module_and_as_file_path(tmp_path):
    as_module = run_cli("-m", "gluon_tutorials.chapter02_supervised_learning.linear_regression_scratch",
                        "--epochs", "2", "--out", str(tmp_path / "m"))
    as_file = run_cli(str(ROOT / "gluon_tutorials/chapter02_supervised_learning/linear_regression_scratch.py"),
                      "--epochs", "2", "--out", str(tmp_path / "f"), cwd=tmp_path)
    assert as_module.returncode == 0 and as_file.returncode == 0, as_module.stderr + as_file.stderr
    assert as_module.stdout == as_file.stdout  # same seed, same numbers
    assert (tmp_path / "f" / "data.png").is_file()


def test_top_level_help_and_no_command(capsys):
    with pytest.raises(SystemExit) as exit_:
        runner.main(["--help"])
    assert exit_.value.code == 0
    assert runner.main([]) == 2


@pytest.mark.parametrize("argv, message", [
    (["--epochs", "0"], "positive integer"),
    (["--lr", "-1"], "positive number"),
    (["--ctx", "tpu"], "unknown device"),
    (["--bogus"], "unrecognized arguments"),
])
def test_bad_arguments_exit_2_with_a_message(argv, message, capsys):
    module = sections.get("linear_regression_scratch").load()
    with pytest.raises(SystemExit) as exit_:
        module.main(argv)
    assert exit_.value.code == 2
    assert message in capsys.readouterr().err


def test_gpu_without_gpu_is_one_clear_message():
    if utils.num_gpus():
        pytest.skip("this machine has a GPU")
    result = run_cli("-m", "gluon_tutorials", "run", "linear_regression_scratch", "--ctx", "gpu")
    assert result.returncode == 2
    assert "no GPU is visible" in result.stderr and "Traceback" not in result.stderr


def test_parse_ctx():
    assert cli.parse_ctx("cpu") == mx.cpu(0)
    assert cli.parse_ctx("CPU:1") == mx.cpu(1)
    assert cli.parse_ctx("auto") == utils.try_gpu()
    with pytest.raises(argparse.ArgumentTypeError):
        cli.parse_ctx("gpu:x")
    if not utils.num_gpus():
        with pytest.raises(argparse.ArgumentTypeError, match="no GPU"):
            cli.parse_ctx("gpu:1")


def test_missing_data_is_one_message_not_a_traceback(tmp_path):
    env = {"GLUON_TUTORIALS_DATA": str(tmp_path), "GLUON_TUTORIALS_OFFLINE": "1", "HOME": str(tmp_path)}
    code = ("import sys; from gluon_tutorials import cli, data; "
            "sys.exit(cli.run(lambda argv: data.load_fashion_mnist(True, root=sys.argv[1])))")
    result = run_cli("-c", code, str(tmp_path / "nowhere"), env=env)
    assert result.returncode == 1
    assert result.stderr.startswith("error: missing data file(s): train-images-idx3-ubyte.gz")
    assert "Traceback" not in result.stderr and str(tmp_path / "nowhere") in result.stderr


def test_hybridize_flag(capsys):
    from mxnet import gluon

    parser = cli.section_parser("x.mlp", "doc", hybridize=True)
    on, off = parser.parse_args([]), parser.parse_args(["--no-hybridize"])
    assert on.hybridize and not off.hybridize
    for args, active in ((on, True), (off, False)):
        net = gluon.nn.Sequential()
        net.add(gluon.nn.Dense(2))
        cli.hybridize(net, args)
        assert net[0]._active is active
    assert "--no-hybridize" not in cli.section_parser("x.lr", "doc").format_help()


def test_seed_everything_seeds_all_three_generators():
    import random

    import numpy as np
    from mxnet import nd

    def draws():
        return (random.random(), np.random.rand(), nd.random.uniform(shape=1).asscalar())

    cli.seed_everything(5)
    first = draws()
    cli.seed_everything(5)
    again = draws()
    cli.seed_everything(6)
    other = draws()
    assert first == again
    assert all(a != b for a, b in zip(first, other))
