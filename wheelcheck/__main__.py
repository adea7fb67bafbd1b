"""`python -m wheelcheck` runs the command line."""

from wheelcheck._cli import run

if __name__ == "__main__":
    run()
