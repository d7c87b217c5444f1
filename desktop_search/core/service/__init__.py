"""The indexing process: a writing Engine behind a pipe, and the app's repair process.

``jobs`` are the process's jobs and the events they report; ``process`` is the process
around them (the pipe, the lanes, their threads); ``repair_process`` runs a repair in a
child; ``priority`` leaves one core free for the interface. The top floor of ``core``:
may import ``engine`` and anything below it.
"""
