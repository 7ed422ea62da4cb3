"""python -m gluon_tutorials list | run SLUG [--param value ...] | notebooks [...] | lab | reproduce [...]
| distributed [...] SLUG [--param value ...]"""
import argparse
import json
import os
import sys
from pathlib import Path

from gluon_tutorials import cli, sections, signals

USAGE = "{list,run,notebooks,lab,reproduce,distributed}"


def _list():
    width = max(len(s.slug) for s in sections.SECTIONS)
    for s in sections.SECTIONS:
        print(f"{s.chapter:<45} {s.slug:<{width}}  {s.title}")
    return 0


def _section(slug):
    try:
        return sections.get(slug)
    except KeyError:
        print(f"unknown section {slug!r}; valid slugs:\n  "
              + "\n  ".join(s.slug for s in sections.SECTIONS), file=sys.stderr)
        return None


def _notebooks(argv):
    """Write .ipynb copies of sections; with --execute, run them in a kernel first."""
    from gluon_tutorials import notebook

    parser = cli.OneLineParser(
        prog="python -m gluon_tutorials notebooks",
        description="Write each section as an .ipynb notebook under --out/<chapter>/. With "
                    "--execute, run it first in a fresh Jupyter kernel on the book's "
                    "parameters (or those given with -p), so the notebook holds its printed "
                    "output and figures.")
    parser.add_argument("slugs", nargs="*", metavar="SLUG", help="sections (default: all)")
    parser.add_argument("--execute", action="store_true", help="run each notebook first")
    parser.add_argument("--out", type=cli.out_type, default="out/notebooks",
                        help="folder for the notebooks (default: out/notebooks; the committed "
                             "executed notebooks are in `notebooks`)")
    parser.add_argument("-p", nargs=2, action="append", default=[], metavar=("NAME", "VALUE"),
                        help="a parameter for every section given, e.g. -p epochs 1")
    args = parser.parse_args(argv)
    chosen = []
    for slug in args.slugs or [s.slug for s in sections.SECTIONS]:
        section = _section(slug)
        if section is None:
            return 2
        chosen.append(section)
    # Check every section's parameters before running any of them.
    given = [x for name, value in args.p for x in ("--" + name.replace("_", "-"), value)]
    try:
        for section in chosen:
            names = {p.name for p in cli.checked_parameters(section)}
            unknown = [name for name, _ in args.p if name not in names]
            if unknown:
                parser.error(f"-p {unknown[0]}: {section.slug} has no such parameter; its "
                             f"parameters are {', '.join(sorted(names))}")
        overrides = {s.slug: cli.parse(s, given, prog=f"{parser.prog} {s.slug} -p")
                     for s in chosen}
    except notebook.SectionFormatError as e:
        print(f"error: {e}", file=sys.stderr)
        return 2
    for section in chosen if args.execute else []:  # the kernel writes where `run` would
        problem = cli.check_before_run(section, overrides[section.slug])
        if problem:
            print(f"error: {section.slug}: {problem}", file=sys.stderr)
            return 2
    out = Path(args.out)
    failed = []
    for section in chosen:
        target = out / section.chapter / f"{section.slug}.ipynb"
        if args.execute:
            print(f"executing {section.slug} ...", file=sys.stderr)
            try:
                nb = notebook.execute_in_kernel(section.path, overrides[section.slug])
            except notebook.CellError as e:  # the other sections still run and are written
                print(f"error: {e}", file=sys.stderr)
                failed.append(section.slug)
                continue
        else:
            nb = notebook.with_overrides(notebook.read(section.path), overrides[section.slug])
        notebook.to_ipynb(nb, target)
        print(f"wrote {target}")
    if failed:
        print(f"error: {len(failed)} of {len(chosen)} notebooks failed and were not written: "
              f"{', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


LAB_VIEWERS = {"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {
    "python": "Jupytext Notebook"}}}


def lab_config_dir():
    """A Jupyter config folder of our own, in this environment but off Jupyter's default
    search path: only the server `lab` starts is pointed at it (JUPYTER_CONFIG_PATH)."""
    return Path(sys.prefix) / "share" / "gluon-tutorials" / "jupyter-config"


def old_lab_settings_file():
    """Where earlier versions of `lab` wrote the setting, for every Jupyter of this venv."""
    return Path(sys.prefix) / "etc" / "jupyter" / "labconfig" / "default_setting_overrides.json"


def configure_lab():
    """Write the setting that opens .py files as notebooks (jupytext) into our own config
    folder; take back the venv-wide copy earlier versions wrote. Returns the environment
    for the `lab` server."""
    from gluon_tutorials import files

    path = lab_config_dir() / "labconfig" / "default_setting_overrides.json"
    files.write_text(path, json.dumps(LAB_VIEWERS, indent=2) + "\n")
    old = old_lab_settings_file()
    if old.is_file():
        settings = json.loads(old.read_text())
        viewers = settings.get("@jupyterlab/docmanager-extension:plugin", {}).get("defaultViewers", {})
        if viewers.get("python") == "Jupytext Notebook":
            del viewers["python"]
            files.write_text(old, json.dumps(settings, indent=2) + "\n")
    env = dict(os.environ)
    env["JUPYTER_CONFIG_PATH"] = os.pathsep.join(
        [str(lab_config_dir())] + [p for p in [env.get("JUPYTER_CONFIG_PATH")] if p])
    return env


def lab_command(argv):
    """`jupyter lab` with the user's arguments, after ours (theirs win)."""
    from gluon_tutorials import notebook

    jupyter = Path(sys.executable).with_name("jupyter")
    encryption = notebook.kernel_encryption()  # the server's kernels, as in `notebooks --execute`
    ours = [f"--MappingKernelManager.transport_encryption={encryption}"] if encryption else []
    return [str(jupyter) if jupyter.exists() else "jupyter", "lab", *ours, *argv]


def _lab(argv):
    env = configure_lab()
    command = lab_command(argv)
    os.execvpe(command[0], command, env)


def main(argv=None):
    """Every command: Ctrl-C or SIGTERM, wherever it lands, is one line and exit 130 or 143
    (`reproduce` first writes a partial report, `run` stops the section)."""
    try:
        with signals.handled():
            return _main(argv)
    except KeyboardInterrupt as e:
        print(signals.message(e), file=sys.stderr)
        return signals.status(e)


def _main(argv):
    argv = sys.argv[1:] if argv is None else list(argv)
    command, rest = (argv[0], argv[1:]) if argv else (None, [])
    # Each command has its own parser: the section options are only known once the slug is.
    if command == "reproduce":
        from gluon_tutorials import reproduce

        return reproduce.main(rest)
    if command == "notebooks":
        return _notebooks(rest)
    if command == "distributed":
        from gluon_tutorials import distributed

        return distributed.main(rest)
    if command == "lab":
        return _lab(rest)
    if command == "list":
        return _list()
    if command == "run" and rest and not rest[0].startswith("-"):
        section = _section(rest[0])
        return 2 if section is None else cli.run(section, rest[1:])
    parser = argparse.ArgumentParser(
        prog="python -m gluon_tutorials",
        description="Run the sections of gluon-tutorials-zh 0.3 on MXNet 1.9.1.")
    sub = parser.add_subparsers(dest="command", metavar=USAGE)
    sub.add_parser("list", help="chapter, slug and title of every section")
    sub.add_parser("run", help="run one section: run SLUG [--param value ...] "
                               "(`run SLUG --help` lists its parameters)")
    sub.add_parser("notebooks", help="write sections as .ipynb notebooks, executed with "
                                     "--execute (`notebooks --help`)")
    sub.add_parser("lab", help="start JupyterLab with .py files (the sections) opening as "
                               "notebooks, in that server only")
    sub.add_parser("distributed", help="train a section on MXNet's parameter server with "
                                       "several processes (`distributed --help`)")
    sub.add_parser("reproduce", help="run sections on the real data and report our numbers "
                                     "beside the book's (`reproduce --help`)")
    if command in (None, "run") or not argv:
        if command == "run":
            print("run: give a section slug; `python -m gluon_tutorials list` shows them",
                  file=sys.stderr)
        else:
            parser.print_help()
        return 2
    parser.parse_args(argv)  # --help, or an unknown command: argparse says so and exits
    return 2


if __name__ == "__main__":
    sys.exit(main())
