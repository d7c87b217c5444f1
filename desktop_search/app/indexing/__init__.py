"""The indexing process as the window sees it: starting it, its sync, watch and embed
jobs, the progress panel and the list of problems."""
