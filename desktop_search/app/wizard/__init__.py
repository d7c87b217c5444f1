"""The folder wizard: choose folders and file types, with an estimate of the work."""
