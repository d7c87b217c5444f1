"""The window's shell: the main window that arranges the tabs, the controller that starts
jobs and keeps the state the views show, the status bar, messages and settings."""
