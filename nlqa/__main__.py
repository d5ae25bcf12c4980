"""``python -m nlqa``: the same as the ``nlqa`` console script."""

from nlqa.cli.main import run

if __name__ == "__main__":
    run()
