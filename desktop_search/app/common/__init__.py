"""What every feature of the app shares: reading threads, job state, heap care, icons,
file types and the desktop's opener."""
