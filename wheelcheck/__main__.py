"""`python -m wheelcheck` runs the command line."""

from wheelcheck.cli import run

if __name__ == "__main__":
    run()
