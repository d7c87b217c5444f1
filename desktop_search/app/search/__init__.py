"""The Search tab: the search box and filters, the results list and its delegate, the
preview, and the jobs that search and preview off the GUI thread."""
