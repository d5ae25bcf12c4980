"""The ``nlqa`` command line: ``main(argv, env) -> exit code`` in ``nlqa.cli.main``."""
