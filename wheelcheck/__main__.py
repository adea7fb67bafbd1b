"""`python -m wheelcheck` runs the command line."""

from wheelcheck.cli import main

if __name__ == "__main__":
    main()
