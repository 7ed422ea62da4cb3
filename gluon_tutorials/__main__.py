"""python -m gluon_tutorials list | run SLUG [section options] | reproduce [options]"""
import argparse
import sys

from gluon_tutorials import cli, sections


def _list():
    width = max(len(s.slug) for s in sections.SECTIONS)
    for s in sections.SECTIONS:
        print(f"{s.chapter:<45} {s.slug:<{width}}  {s.title}")
    return 0


def main(argv=None):
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv[:1] == ["reproduce"]:
        # its own parser: argparse's REMAINDER would not take options that start with '-'
        from gluon_tutorials import reproduce

        reproduce.main(argv[1:])
        return 0
    parser = argparse.ArgumentParser(
        prog="python -m gluon_tutorials",
        description="Run the sections of gluon-tutorials-zh 0.3 on MXNet 1.9.1.")
    sub = parser.add_subparsers(dest="command", metavar="{list,run,reproduce}")
    sub.add_parser("list", help="chapter, slug and title of every section")
    run = sub.add_parser("run", help="run one section; options after SLUG go to the section "
                                     "(`run SLUG --help` lists them)")
    run.add_argument("slug", help="a section slug from `list`")
    run.add_argument("args", nargs=argparse.REMAINDER, help="the section's own options")
    sub.add_parser("reproduce", help="run sections on the real data and report our numbers beside "
                                      "the book's (`reproduce --help` lists its options)")
    args = parser.parse_args(argv)
    if args.command == "list":
        return _list()
    if args.command == "run":
        try:
            section = sections.get(args.slug)
        except KeyError:
            print(f"unknown section {args.slug!r}; valid slugs:\n  "
                  + "\n  ".join(s.slug for s in sections.SECTIONS), file=sys.stderr)
            return 2
        return cli.run(section.load().main, args.args)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
