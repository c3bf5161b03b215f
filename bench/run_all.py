"""Run every ``bench/bench_*.py`` script in turn and print their tables.

Usage: ``.venv/bin/python bench/run_all.py [--quick]``; extra arguments go to each script.
"""

import subprocess
import sys
from pathlib import Path


def main():
    here = Path(__file__).resolve().parent
    failed = []
    for script in sorted(here.glob("bench_*.py")):
        print(f"\n## {script.stem}\n", flush=True)
        run = subprocess.run([sys.executable, str(script), *sys.argv[1:]], cwd=here.parent)
        if run.returncode:
            failed.append(script.name)
    if failed:
        print(f"\nfailed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
