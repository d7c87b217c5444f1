"""The processes around the Engine, and what the app and the launcher share without Qt.

``jobs`` are the indexing process's jobs and ``messages`` what passes to and from it;
``process`` is the process around them (the pipe, the lanes, their threads);
``repair_process`` runs a repair in a child; ``priority`` leaves one core free for the
interface; ``app_socket`` keeps one app per data folder and hands it a query; ``opener``
and ``pdf_open`` give a file to the desktop (a PDF at its page). The top floor of
``core``: may import ``engine`` and anything below it.
"""
