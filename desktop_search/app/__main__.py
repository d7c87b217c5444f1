"""``python -m desktop_search.app`` opens the app. Also the PyInstaller bundle's entry script:
it goes through the CLI, so the bundle opens the app with no arguments and runs CLI commands
(``index``, ``search``, ...) with them. Absolute imports: a frozen entry script runs as a
top-level module."""

from desktop_search.cli import main

if __name__ == "__main__":
    main()
