"""Tools ▸ Adapt model to my documents: the dialog, its job and its progress view."""
