"""The Duplicates tab: the scan job, the groups' model and tree, side-by-side compare,
export and safe clean-up (to the trash)."""
