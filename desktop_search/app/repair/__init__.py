"""A damaged index in the window: noticing it, the repair job in a child process, and
the status-bar view of it."""
