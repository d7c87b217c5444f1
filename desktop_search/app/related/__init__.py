"""Related files and topics: the Related pane and action, the Topics tab, and the job
that reads them off the GUI thread."""
