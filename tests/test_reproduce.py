"""The reproduce report: our numbers beside the book's."""
import json

import pytest

from gluon_tutorials import __main__ as runner
from gluon_tutorials import reproduce, sections


def _run(result):
    return {"status": "ok", "result": result, "seconds": 1.0}


def test_compare_numbers_vectors_and_facts(monkeypatch):
    monkeypatch.setitem(reproduce.TOLERANCE, "test_acc", 0.02)
    monkeypatch.setitem(reproduce.TOLERANCE, "w", 0.01)
    section = sections.Section("x", "ch", "t", book={"test_acc": 0.80, "w": [2.0, -3.4], "prefix": "mlp0_dense0",
                                                    "shapes": [(4, 5)]})
    runs = [_run({"test_acc": 0.79, "w": [2.001, -3.399], "prefix": "mlp0_dense0", "shapes": [[4, 5]]}),
            _run({"test_acc": 0.83, "w": [2.003, -3.401], "prefix": "mlp0_dense0", "shapes": [[4, 5]]})]
    rows = {r["metric"]: r for r in reproduce.compare(section, runs)}
    assert rows["test_acc"]["ours"] == pytest.approx(0.81)
    assert rows["test_acc"]["spread"] == pytest.approx(0.028284, abs=1e-6)
    assert rows["test_acc"]["difference"] == pytest.approx(0.01)
    assert rows["test_acc"]["within"]  # |0.01| <= 0.02
    assert rows["w"]["ours"] == pytest.approx([2.002, -3.4])
    assert rows["w"]["difference"] == pytest.approx(0.002) and rows["w"]["within"]
    assert rows["prefix"]["within"] and rows["shapes"]["within"]


def test_compare_marks_what_is_outside_or_missing(monkeypatch):
    monkeypatch.setitem(reproduce.TOLERANCE, "test_acc", 0.02)
    section = sections.Section("x", "ch", "t", book={"test_acc": 0.88, "perplexity": 2.3, "flag": True})
    rows = {r["metric"]: r for r in reproduce.compare(section, [_run({"test_acc": 0.70, "flag": False})])}
    assert not rows["test_acc"]["within"] and rows["test_acc"]["difference"] == pytest.approx(-0.18)
    assert not rows["perplexity"]["within"] and rows["perplexity"]["ours"] is None
    assert not rows["flag"]["within"]


def test_subset_goes_only_to_fashion_mnist_sections(tmp_path):
    mlp, kaggle = sections.get("mlp_gluon"), sections.get("kaggle_gluon_kfold")
    assert "--subset" in reproduce._argv(mlp, 1, "cpu:0", 500, tmp_path)
    assert "--subset" not in reproduce._argv(kaggle, 1, "cpu:0", 500, tmp_path)
    assert "--subset" not in reproduce._argv(mlp, 1, "cpu:0", None, tmp_path)


def test_report_with_a_run_a_subset_and_a_skip(tiny_fashion_mnist, tmp_path, capsys):
    # kaggle's files are absent (offline): reported as skipped, the report still written
    code = runner.main(["reproduce", "--sections", "linear_regression_scratch", "mlp_gluon",
                        "kaggle_gluon_kfold", "--subset", "64", "--seeds", "2", "--ctx", "cpu",
                        "--quiet", "--out", str(tmp_path)])
    assert code == 0
    report = json.loads((tmp_path / "report.json").read_text())
    entries = {e["slug"]: e for e in report["sections"]}
    assert entries["kaggle_gluon_kfold"]["status"] == "skipped"
    assert "missing data file(s)" in entries["kaggle_gluon_kfold"]["reason"]
    assert entries["mlp_gluon"]["status"] == "ok" and "subset of 64" in entries["mlp_gluon"]["notes"]
    assert entries["mlp_gluon"]["seconds_per_epoch"] > 0
    lin = {r["metric"]: r for r in entries["linear_regression_scratch"]["rows"]}
    assert lin["w"]["within"] and lin["w"]["spread"] is not None
    assert report["seeds"] == [1, 2] and report["versions"]["mxnet"] == "1.9.1"
    within = sum(all(r["within"] for r in e["rows"]) for e in report["sections"] if e["status"] == "ok")
    assert report["summary"] == f"{within} of 2 sections within tolerance (1 skipped or failed)"
    markdown = (tmp_path / "report.md").read_text()
    assert report["summary"] in markdown and "| mlp_gluon | test_acc | 0.8789 |" in markdown
    assert "skipped" in markdown
    assert (tmp_path / "mlp_gluon" / "predictions.png").is_file()
    assert report["summary"] in capsys.readouterr().out


def test_bad_options(capsys):
    for argv in (["--sections", "nope"], ["--ctx", "tpu"], ["--seeds", "0"]):
        with pytest.raises(SystemExit) as exit_:
            reproduce.main(argv)
        assert exit_.value.code == 2
    assert "nope" in capsys.readouterr().err


def test_default_sections_are_those_with_book_numbers():
    chosen = [s.slug for s in sections.SECTIONS if s.book]
    assert "mlp_gluon" in chosen and "reg_scratch" not in chosen and "ndarray" not in chosen


def test_rescore_rejudges_a_saved_report(tmp_path, monkeypatch):
    report = {"device": "cpu", "seeds": [1], "versions": {}, "seconds": 1.0, "sections": [
        {"chapter": "ch", "slug": "a", "status": "ok", "seconds_per_epoch": 1.0, "notes": "",
         "rows": [{"metric": "test_acc", "book": 0.9, "ours": 0.87, "spread": None,
                   "difference": -0.03, "tolerance": 0.02, "within": False}]},
        {"chapter": "ch", "slug": "b", "status": "skipped", "reason": "missing data"}]}
    path = tmp_path / "report.json"
    path.write_text(json.dumps(report))
    monkeypatch.setitem(reproduce.TOLERANCE, "test_acc", 0.05)
    reproduce.main(["--rescore", str(path)])
    saved = json.loads(path.read_text())
    assert saved["sections"][0]["rows"][0]["within"] and saved["sections"][0]["rows"][0]["tolerance"] == 0.05
    assert saved["summary"] == "1 of 1 sections within tolerance (1 skipped or failed)"
    assert saved["summary"] in (tmp_path / "report.md").read_text()
    with pytest.raises(SystemExit):
        reproduce.main(["--rescore", str(tmp_path / "missing.json")])


def test_a_section_may_have_its_own_tolerance(monkeypatch):
    monkeypatch.setitem(reproduce.TOLERANCE, "w", 0.01)
    section = sections.Section("cubic", "ch", "t", book={"w": [1.2, -3.4]})
    runs = [_run({"w": [1.25, -3.4]})]
    assert not reproduce.compare(section, runs)[0]["within"]  # the general w tolerance
    monkeypatch.setitem(reproduce.TOLERANCE, ("cubic", "w"), 0.1)
    row = reproduce.compare(section, runs)[0]
    assert row["within"] and row["tolerance"] == 0.1
    other = sections.Section("other", "ch", "t", book={"w": [1.2, -3.4]})
    assert not reproduce.compare(other, runs)[0]["within"]
